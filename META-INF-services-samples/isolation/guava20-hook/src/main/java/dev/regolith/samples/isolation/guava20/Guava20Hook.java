package dev.regolith.samples.isolation.guava20;

import com.google.common.base.Objects;
import dev.regolith.hooks.spi.HookContext;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.RegionHook;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A test fixture of plugin isolation: bundles Guava 20.0 and, in {@code init} and on every
 * manifest update, calls {@code Objects.toStringHelper}, which Guava 21 removed, then appends one
 * line to the file of option {@code out} ({@code hooks.guava20.out}):
 *
 * <pre>{@code
 * <callback>\tguava=<jar Objects came from>\tresult=<the call's result>\tcontext=<context loader's name>\tcontextIsOwn=<true|false>
 * }</pre>
 *
 * {@code contextIsOwn} says whether the thread's context class loader is the one that loaded this
 * hook. A probe, not an example of durable output: lines are appended, not written crash-safely.
 */
public final class Guava20Hook implements RegionHook {

    public static final String NAME = "guava20";

    private Path out;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized void init(HookContext context) {
        String option = context.options().get("out");
        if (option == null) {
            throw new IllegalArgumentException("Hook " + NAME + " needs option hooks." + NAME + ".out: the file to write to");
        }
        out = Path.of(option);
        record("init");
    }

    @Override
    public synchronized void onManifestUpdated(ManifestUpdatedEvent event) {
        record("update " + event.regionId() + " " + event.firstVersion() + ".." + event.manifestVersion());
    }

    @SuppressWarnings("deprecation") // Deprecated in Guava 18, removed in 21: the point of this fixture.
    private void record(String callback) {
        String result = Objects.toStringHelper(NAME).add("callback", callback).toString();
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        String line = callback + "\tguava=" + codeSource(Objects.class) + "\tresult=" + result
                + "\tcontext=" + (context == null ? null : context.getName())
                + "\tcontextIsOwn=" + (context == getClass().getClassLoader()) + "\n";
        try {
            Files.writeString(out, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Hook " + NAME + " cannot append to " + out + " (option out)", e);
        }
    }

    private static Path codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        }
        catch (URISyntaxException e) {
            throw new IllegalStateException("Bad code source of " + type.getName(), e);
        }
    }
}
