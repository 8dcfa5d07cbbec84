package dev.regolith.samples.isolation.incompatible;

import dev.regolith.hooks.spi.HookContext;
import dev.regolith.hooks.spi.RegionHook;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A test fixture: a hook whose jar declares hooks SPI 2.0, so an engine providing 1.x must refuse
 * it before loading any of its classes. Should it ever be initialized, it creates the file of
 * option {@code out} ({@code hooks.incompatible-spi.out}), which a test can look for.
 */
public final class IncompatibleSpiHook implements RegionHook {

    public static final String NAME = "incompatible-spi";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void init(HookContext context) {
        String out = context.options().get("out");
        if (out == null) {
            return;
        }
        try {
            Files.writeString(Path.of(out), "initialized\n");
        }
        catch (IOException e) {
            throw new UncheckedIOException("Hook " + NAME + " cannot write " + out + " (option out)", e);
        }
    }
}
