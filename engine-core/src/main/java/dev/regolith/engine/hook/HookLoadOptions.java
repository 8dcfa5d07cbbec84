package dev.regolith.engine.hook;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * Where and how {@link HookLoader} finds hooks.
 *
 * @param fromClassPath whether to look on the engine's own class path
 * @param classLoaders further class loaders to look in, for example one per plugin jar
 * @param strict fail on a hook that cannot be loaded or initialized, instead of logging and
 *     skipping it
 * @param engineOptions the engine's options: {@code hooks.<name>.enabled=false} leaves a hook out,
 *     and every {@code hooks.<name>.<key>} reaches hook {@code <name>} as option {@code <key>}
 */
public record HookLoadOptions(boolean fromClassPath, List<ClassLoader> classLoaders, boolean strict,
        Map<String, String> engineOptions) {

    /** The engine's class path only, lenient, no options. */
    public static final HookLoadOptions DEFAULT = new HookLoadOptions(true, List.of(), false, Map.of());

    public HookLoadOptions {
        classLoaders = List.copyOf(requireNonNull(classLoaders, "classLoaders is null"));
        engineOptions = Map.copyOf(requireNonNull(engineOptions, "engineOptions is null"));
    }

    public HookLoadOptions withClassLoaders(List<ClassLoader> loaders) {
        return new HookLoadOptions(fromClassPath, loaders, strict, engineOptions);
    }

    public HookLoadOptions withFromClassPath(boolean enabled) {
        return new HookLoadOptions(enabled, classLoaders, strict, engineOptions);
    }

    public HookLoadOptions withStrict(boolean enabled) {
        return new HookLoadOptions(fromClassPath, classLoaders, enabled, engineOptions);
    }

    public HookLoadOptions withEngineOptions(Map<String, String> options) {
        return new HookLoadOptions(fromClassPath, classLoaders, strict, options);
    }
}
