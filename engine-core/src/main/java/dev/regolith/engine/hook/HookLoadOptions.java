package dev.regolith.engine.hook;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where and how {@link HookLoader} finds hooks.
 *
 * @param fromClassPath whether to look on the engine's own class path
 * @param classLoaders further class loaders to look in, for example one per plugin jar
 * @param strict fail on a hook that cannot be loaded or initialized, instead of logging and
 *     skipping it
 * @param engineOptions the engine's options: {@code hooks.<name>.enabled=false} leaves a hook out,
 *     and every {@code hooks.<name>.<key>} reaches hook {@code <name>} as option {@code <key>}
 * @param pluginDirectory a hooks directory: each jar, or sub-directory of jars, in it is one
 *     plugin with its own isolated class loader (see {@link HookPlugins})
 * @param dataDirectory the engine's data directory, where {@code HookContext.sstFiles()} finds
 *     SST files
 */
public record HookLoadOptions(boolean fromClassPath, List<ClassLoader> classLoaders, boolean strict,
        Map<String, String> engineOptions, Optional<Path> pluginDirectory, Optional<Path> dataDirectory) {

    /** The engine option naming the hooks directory. */
    public static final String HOOKS_DIR = "hooks.dir";

    /** The engine's class path only, lenient, no options. */
    public static final HookLoadOptions DEFAULT = new HookLoadOptions(true, List.of(), false, Map.of(), Optional.empty(),
            Optional.empty());

    public HookLoadOptions {
        classLoaders = List.copyOf(requireNonNull(classLoaders, "classLoaders is null"));
        engineOptions = Map.copyOf(requireNonNull(engineOptions, "engineOptions is null"));
        requireNonNull(pluginDirectory, "pluginDirectory is null");
        requireNonNull(dataDirectory, "dataDirectory is null");
    }

    public HookLoadOptions(boolean fromClassPath, List<ClassLoader> classLoaders, boolean strict,
            Map<String, String> engineOptions) {
        this(fromClassPath, classLoaders, strict, engineOptions, Optional.empty(), Optional.empty());
    }

    /**
     * For an engine with {@code options}: the engine's class path plus the plugins of the engine
     * option {@code hooks.dir}, if set; lenient.
     */
    public static HookLoadOptions forEngine(dev.regolith.engine.api.EngineOptions options) {
        String directory = options.settings().get(HOOKS_DIR);
        return DEFAULT.withEngineOptions(options.settings()).withDataDirectory(options.dataDirectory())
                .withPluginDirectory(directory == null || directory.isBlank() ? null : Path.of(directory));
    }

    public HookLoadOptions withPluginDirectory(Path directory) {
        return new HookLoadOptions(fromClassPath, classLoaders, strict, engineOptions, Optional.ofNullable(directory),
                dataDirectory);
    }

    public HookLoadOptions withDataDirectory(Path directory) {
        return new HookLoadOptions(fromClassPath, classLoaders, strict, engineOptions, pluginDirectory,
                Optional.ofNullable(directory));
    }

    public HookLoadOptions withClassLoaders(List<ClassLoader> loaders) {
        return new HookLoadOptions(fromClassPath, loaders, strict, engineOptions, pluginDirectory, dataDirectory);
    }

    public HookLoadOptions withFromClassPath(boolean enabled) {
        return new HookLoadOptions(enabled, classLoaders, strict, engineOptions, pluginDirectory, dataDirectory);
    }

    public HookLoadOptions withStrict(boolean enabled) {
        return new HookLoadOptions(fromClassPath, classLoaders, enabled, engineOptions, pluginDirectory, dataDirectory);
    }

    public HookLoadOptions withEngineOptions(Map<String, String> options) {
        return new HookLoadOptions(fromClassPath, classLoaders, strict, options, pluginDirectory, dataDirectory);
    }
}
