package dev.regolith.engine.hook;

import dev.regolith.hooks.spi.HookContext;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.RegionHook;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Packed into plugin jars by {@link HookPluginsTest} and loaded from there by the plugin's own class
 * loader: reports, as lines of its output file, what it can see. It may refer to the JDK and the
 * SPI only.
 */
public class PluginProbeHook implements RegionHook {

    private Path out;

    @Override
    public String name() {
        return "probe";
    }

    @Override
    public void init(HookContext context) {
        out = Path.of(context.options().get("out"));
        write("loader=" + getClass().getClassLoader().getName());
        write("init.context=" + Thread.currentThread().getContextClassLoader().getName());
        write("sees.engine=" + visible("dev.regolith.engine.RegolithEngine"));
        write("sees.guava=" + visible("com.google.common.base.Preconditions"));
        write("sees.spi=" + visible("dev.regolith.hooks.spi.ReconcileEvent"));
        write("library=" + library());
    }

    private boolean visible(String className) {
        try {
            Class.forName(className, false, getClass().getClassLoader());
            return true;
        }
        catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Where the class PluginProbeLibrary comes from, when the plugin bundles it in a second jar. */
    private String library() {
        try {
            Class<?> type = Class.forName("dev.regolith.engine.hook.PluginProbeLibrary", false, getClass().getClassLoader());
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).getFileName().toString();
        }
        catch (ClassNotFoundException e) {
            return "none";
        }
        catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void onManifestUpdated(ManifestUpdatedEvent event) {
        write("update " + event.manifestVersion() + " context=" + Thread.currentThread().getContextClassLoader().getName());
    }

    private synchronized void write(String line) {
        try {
            Files.writeString(out, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
