package dev.regolith.samples.isolation.guava33;

import com.google.common.base.Strings;
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
 * A test fixture of plugin isolation: bundles Guava 33.0.0-jre and, in {@code init} and on every
 * manifest update, calls {@code Strings.lenientFormat}, which Guava 25.1 added, then appends one
 * line to the file of option {@code out} ({@code hooks.guava33.out}):
 *
 * <pre>{@code
 * <callback>\tguava=<jar Strings came from>\tresult=<the call's result>\tcontext=<context loader's name>\tcontextIsOwn=<true|false>
 * }</pre>
 *
 * {@code contextIsOwn} says whether the thread's context class loader is the one that loaded this
 * hook. A probe, not an example of durable output: lines are appended, not written crash-safely.
 */
public final class Guava33Hook implements RegionHook {

    public static final String NAME = "guava33";

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

    private void record(String callback) {
        String result = Strings.lenientFormat("%s:%s", NAME, callback, "extra");
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        String line = callback + "\tguava=" + codeSource(Strings.class) + "\tresult=" + result
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
