package dev.regolith.engine.manifest;

import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaked a manifest receipt (dropped one without firing, merging or
 * discarding it). Registered for every test class through JUnit's extension auto-detection.
 */
public final class ReceiptLeakCheck implements BeforeAllCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ReceiptLeakCheck.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        collectLeaks();
        context.getStore(NAMESPACE).put("leaks", ReceiptLeaks.count());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getRequiredTestClass().isAnnotationPresent(ExpectsReceiptLeaks.class)) {
            return;
        }
        collectLeaks();
        long before = context.getStore(NAMESPACE).get("leaks", Long.class);
        long leaked = ReceiptLeaks.count() - before;
        if (leaked > 0) {
            throw new AssertionError(context.getRequiredTestClass().getName() + " leaked " + leaked
                    + " manifest receipt(s): every receipt must be fired, merged or discarded (see the ERROR log lines)");
        }
    }

    /**
     * Collects garbage twice, each time waiting for a sentinel to reach the leak queue. The Reference
     * Handler enqueues one collection's references before the next's, so once the second sentinel
     * is there, every receipt that was unreachable at the first collection is in the queue too.
     */
    static void collectLeaks() {
        ReceiptLeaks.drain();
        List<Reference<?>> others = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            PhantomReference<Object> sentinel = new PhantomReference<>(new Object(), ReceiptLeaks.QUEUE);
            boolean seen = false;
            for (int attempt = 0; attempt < 100 && !seen; attempt++) {
                System.gc();
                try {
                    for (Reference<?> reference = ReceiptLeaks.QUEUE.remove(100); reference != null;
                            reference = ReceiptLeaks.QUEUE.poll()) {
                        if (reference == sentinel) {
                            seen = true;
                        }
                        else {
                            others.add(reference);
                        }
                    }
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (!seen) {
                throw new AssertionError("the garbage collector did not collect a sentinel within 100 attempts");
            }
        }
        others.forEach(ReceiptLeaks::report);
        ReceiptLeaks.drain();
    }
}
