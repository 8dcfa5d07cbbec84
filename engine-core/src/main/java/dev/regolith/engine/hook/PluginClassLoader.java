package dev.regolith.engine.hook;

import java.net.URL;
import java.net.URLClassLoader;

/**
 * The class loader of one hook plugin: its own jars, over the JDK. Of the engine it sees the
 * packages {@code dev.regolith.hooks.spi} and {@code dev.regolith.engine.api} (and their
 * sub-packages) alone, so a plugin can bundle any version of any library, the engine's own
 * included, without clashing with the engine or with another plugin.
 */
final class PluginClassLoader extends URLClassLoader {

    /** Packages the engine shares with plugins: the SPI and the API it refers to. */
    private static final String[] SHARED = {"dev.regolith.hooks.spi.", "dev.regolith.engine.api."};

    static {
        registerAsParallelCapable();
    }

    private final String pluginName;
    private final ClassLoader engine;

    PluginClassLoader(String pluginName, URL[] jars, ClassLoader engine) {
        super("regolith-plugin-" + pluginName, jars, ClassLoader.getPlatformClassLoader());
        this.pluginName = pluginName;
        this.engine = engine;
    }

    String pluginName() {
        return pluginName;
    }

    static boolean isShared(String className) {
        for (String prefix : SHARED) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (isShared(name)) {
            return engine.loadClass(name);
        }
        // Parent (JDK) first, then the plugin's jars: a plugin cannot replace a JDK class.
        return super.loadClass(name, resolve);
    }

    @Override
    public String toString() {
        return "plugin " + pluginName + " " + java.util.Arrays.toString(getURLs());
    }
}
