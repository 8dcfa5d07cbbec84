package dev.regolith.engine.hook;

import dev.regolith.engine.api.exceptions.HookLoadException;
import dev.regolith.hooks.spi.HookContext;
import dev.regolith.hooks.spi.RegionHook;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds hooks with {@link ServiceLoader}, on the engine's class path and in further class loaders,
 * and initializes them.
 *
 * <p>A provider that cannot be loaded, constructed, named or initialized is logged with its class
 * name and skipped; with {@link HookLoadOptions#strict()} it fails the load instead. A provider
 * class visible through several loaders is installed once.
 */
public final class HookLoader {

    private static final Logger log = LoggerFactory.getLogger(HookLoader.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._$-]+");

    private HookLoader() {
    }

    /**
     * Loads, filters and initializes the hooks {@code options} describe.
     *
     * @throws HookLoadException in strict mode, naming the hook that failed
     */
    public static RegionHooks load(HookLoadOptions options) {
        List<ClassLoader> loaders = new ArrayList<>();
        if (options.fromClassPath()) {
            loaders.add(HookLoader.class.getClassLoader());
        }
        loaders.addAll(options.classLoaders());

        Map<Class<?>, RegionHook> found = new LinkedHashMap<>();
        for (ClassLoader loader : loaders) {
            Iterator<ServiceLoader.Provider<RegionHook>> providers = ServiceLoader.load(RegionHook.class, loader).stream().iterator();
            while (true) {
                ServiceLoader.Provider<RegionHook> provider;
                try {
                    if (!providers.hasNext()) {
                        break;
                    }
                    provider = providers.next();
                }
                catch (ServiceConfigurationError e) {
                    fail(options, "Cannot load a hook provider from " + loader + ": " + e.getMessage(), e);
                    continue;
                }
                if (found.containsKey(provider.type())) {
                    continue;
                }
                try {
                    found.put(provider.type(), provider.get());
                }
                catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                    fail(options, "Cannot instantiate hook " + provider.type().getName() + ": " + e.getMessage(), e);
                }
            }
        }

        List<RegionHook> installed = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (RegionHook hook : found.values()) {
            String className = hook.getClass().getName();
            String name;
            try {
                name = hook.name();
                hook.priority();
            }
            catch (RuntimeException | LinkageError e) {
                fail(options, "Hook " + className + " failed to report its name or priority: " + e, e);
                continue;
            }
            if (name == null || !NAME.matcher(name).matches()) {
                fail(options, "Hook " + className + " has an invalid name '" + name
                        + "': use letters, digits, '.', '_', '$' and '-' only", null);
                continue;
            }
            if (!names.add(name)) {
                fail(options, "Hook " + className + " is named " + name + " like another hook already installed; "
                        + "hook names must be unique", null);
                continue;
            }
            Map<String, String> hookOptions = optionsOf(name, options.engineOptions());
            if ("false".equalsIgnoreCase(hookOptions.getOrDefault("enabled", "true"))) {
                log.info("Hook {} ({}) is disabled by hooks.{}.enabled=false", name, className, name);
                continue;
            }
            try {
                hook.init(new Context(name, hookOptions));
            }
            catch (RuntimeException | LinkageError e) {
                fail(options, "Hook " + name + " (" + className + ") failed to initialize: " + e, e);
                continue;
            }
            installed.add(hook);
        }
        // Invalid delivery options (hooks.<name>.queue.size and the like) fail start, strict or not.
        RegionHooks hooks;
        try {
            hooks = RegionHooks.of(installed, options.engineOptions());
        }
        catch (IllegalArgumentException e) {
            for (RegionHook hook : installed) {
                try {
                    hook.close();
                }
                catch (RuntimeException | LinkageError closeFailure) {
                    e.addSuppressed(closeFailure);
                }
            }
            throw e;
        }
        if (!hooks.isEmpty()) {
            log.info("Installed hooks, in delivery order: {}", hooks.names());
        }
        return hooks;
    }

    /** Every {@code hooks.<name>.<key>} option as {@code <key>}, sorted. */
    static Map<String, String> optionsOf(String name, Map<String, String> engineOptions) {
        String prefix = "hooks." + name + ".";
        Map<String, String> hookOptions = new TreeMap<>();
        engineOptions.forEach((key, value) -> {
            if (key.startsWith(prefix) && key.length() > prefix.length()) {
                hookOptions.put(key.substring(prefix.length()), value);
            }
        });
        return Collections.unmodifiableMap(hookOptions);
    }

    private static void fail(HookLoadOptions options, String message, Throwable cause) {
        if (options.strict()) {
            throw new HookLoadException(message, cause);
        }
        log.error("{}; the hook is skipped", message, cause);
    }

    private record Context(String hookName, Map<String, String> options) implements HookContext {
    }
}
