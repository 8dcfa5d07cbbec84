package dev.regolith.engine.manifest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks a test class that leaks receipts on purpose, so {@link ReceiptLeakCheck} leaves it alone. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface ExpectsReceiptLeaks {
}
