package dev.regolith.engine.hook;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.exceptions.HookLoadException;
import dev.regolith.hooks.spi.HooksSpi;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The plugins of a hooks directory ({@code hooks.dir}). Each {@code .jar} file directly in the
 * directory is one plugin; so is each sub-directory, with every {@code .jar} below it (the hook
 * jar and the libraries it bundles). Anything else is ignored. Each plugin gets its own
 * {@link PluginClassLoader}.
 */
final class HookPlugins {

    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)");

    private HookPlugins() {
    }

    /**
     * One plugin.
     *
     * @param name the jar's or sub-directory's file name
     * @param location the jar or sub-directory
     * @param jars the jars on its class path, sorted
     */
    record Plugin(String name, Path location, List<Path> jars) {
        Plugin {
            requireNonNull(name, "name is null");
            requireNonNull(location, "location is null");
            jars = List.copyOf(jars);
        }
    }

    /** The plugins in {@code directory}, sorted by name. */
    static List<Plugin> scan(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new HookLoadException("The hooks directory " + directory + " (hooks.dir) does not exist or is not a directory",
                    null);
        }
        List<Plugin> plugins = new ArrayList<>();
        try (Stream<Path> entries = Files.list(directory)) {
            for (Path entry : entries.sorted().toList()) {
                String name = entry.getFileName().toString();
                if (Files.isDirectory(entry)) {
                    List<Path> jars;
                    try (Stream<Path> tree = Files.walk(entry)) {
                        jars = tree.filter(HookPlugins::isJar).sorted().toList();
                    }
                    if (!jars.isEmpty()) {
                        plugins.add(new Plugin(name, entry, jars));
                    }
                }
                else if (isJar(entry)) {
                    plugins.add(new Plugin(name, entry, List.of(entry)));
                }
            }
        }
        catch (IOException e) {
            throw new HookLoadException("Cannot list the hooks directory " + directory + ": " + e.getMessage(), e);
        }
        return plugins;
    }

    private static boolean isJar(Path path) {
        return Files.isRegularFile(path) && path.getFileName().toString().endsWith(".jar");
    }

    /**
     * Checks the SPI version the plugin declares against this engine's ({@link HooksSpi}), before
     * any of its classes is loaded.
     *
     * @return the declared version
     * @throws HookLoadException naming the plugin, what it declares and what this engine provides
     */
    static String checkSpiVersion(Plugin plugin) {
        String declared = null;
        Path declaredBy = null;
        for (Path jar : plugin.jars()) {
            String version;
            try (JarFile file = new JarFile(jar.toFile())) {
                Manifest manifest = file.getManifest();
                version = manifest == null ? null : manifest.getMainAttributes().getValue(HooksSpi.MANIFEST_ATTRIBUTE);
            }
            catch (IOException e) {
                throw new HookLoadException("Plugin " + plugin.name() + ": cannot read jar " + jar + ": " + e.getMessage(), e);
            }
            if (version == null) {
                continue;
            }
            version = version.trim();
            if (declared != null && !declared.equals(version)) {
                throw new HookLoadException("Plugin " + plugin.name() + " declares two hooks SPI versions: " + declared + " in "
                        + declaredBy + " and " + version + " in " + jar + "; one plugin is built against one SPI version", null);
            }
            declared = version;
            declaredBy = jar;
        }
        if (declared == null) {
            throw new HookLoadException("Plugin " + plugin.name() + " (" + plugin.location() + ") declares no hooks SPI version: "
                    + "add the attribute '" + HooksSpi.MANIFEST_ATTRIBUTE + ": <version>' to its jar's manifest, with the "
                    + "version of hooks-spi it was built against (this engine provides " + HooksSpi.VERSION + ")", null);
        }
        String problem = incompatibility(declared, HooksSpi.VERSION);
        if (problem != null) {
            throw new HookLoadException("Plugin " + plugin.name() + " (" + declaredBy + ") was built against hooks SPI " + declared
                    + ", this engine provides " + HooksSpi.VERSION + ": " + problem, null);
        }
        return declared;
    }

    /** Why a hook built against {@code declared} cannot run on {@code provided}; null if it can. */
    static String incompatibility(String declared, String provided) {
        Matcher hook = VERSION.matcher(declared);
        Matcher engine = VERSION.matcher(provided);
        if (!hook.matches()) {
            return "'" + declared + "' is not a version: expected major.minor, such as " + provided;
        }
        if (!engine.matches()) {
            throw new IllegalStateException("Bad SPI version " + provided);
        }
        int hookMajor = Integer.parseInt(hook.group(1));
        int engineMajor = Integer.parseInt(engine.group(1));
        if (hookMajor != engineMajor) {
            return "major versions differ; rebuild the hook against hooks-spi " + engineMajor + ".x"
                    + (hookMajor > engineMajor ? " or run it on a newer engine" : "");
        }
        if (Integer.parseInt(hook.group(2)) > Integer.parseInt(engine.group(2))) {
            return "the hook may use SPI methods this older engine lacks; run it on an engine that provides " + declared
                    + " or later";
        }
        return null;
    }

    /** A class loader over the plugin's jars, sharing the SPI and API packages of {@code engine}. */
    static PluginClassLoader classLoader(Plugin plugin, ClassLoader engine) {
        URL[] urls = new URL[plugin.jars().size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = plugin.jars().get(i).toUri().toURL();
            }
            catch (MalformedURLException e) {
                throw new HookLoadException("Plugin " + plugin.name() + ": bad jar path " + plugin.jars().get(i), e);
            }
        }
        return new PluginClassLoader(plugin.name(), urls, engine);
    }
}
