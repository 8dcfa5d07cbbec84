package dev.regolith.engine.hook;

import dev.regolith.engine.api.exceptions.HookLoadException;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.hooks.spi.HookContext;
import dev.regolith.hooks.spi.RegionHook;
import dev.regolith.hooks.spi.SstFiles;
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
 * Finds hooks with {@link ServiceLoader}, on the engine's class path, in further class loaders and
 * in the plugins of a hooks directory, and initializes them.
 *
 * <p>Each plugin of the hooks directory gets its own class loader (see {@link PluginClassLoader})
 * once its declared SPI version is checked (see {@link dev.regolith.hooks.spi.HooksSpi}); a plugin
 * that declares none, or an incompatible one, is refused. Every call into a hook (constructor,
 * {@code init}, callbacks, {@code close}) runs with the hook's class loader as the thread's
 * context class loader.
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
        List<PluginClassLoader> plugins = new ArrayList<>();
        if (options.pluginDirectory().isPresent()) {
            for (HookPlugins.Plugin plugin : HookPlugins.scan(options.pluginDirectory().get())) {
                try {
                    String version = HookPlugins.checkSpiVersion(plugin);
                    PluginClassLoader loader = HookPlugins.classLoader(plugin, RegionHook.class.getClassLoader());
                    log.debug("Plugin {} (hooks SPI {}): {}", plugin.name(), version, plugin.jars());
                    plugins.add(loader);
                }
                catch (HookLoadException e) {
                    if (options.strict()) {
                        closeAll(plugins, e);
                    }
                    fail(options, e.getMessage(), e);
                }
            }
            loaders.addAll(plugins);
        }

        try {
            RegionHooks hooks = load(options, loaders);
            // A plugin's loader lives as long as its hooks; one that installed none is closed now.
            for (PluginClassLoader plugin : plugins) {
                if (hooks.hooks().stream().anyMatch(hook -> hook.getClass().getClassLoader() == plugin)) {
                    hooks.closeAfterHooks(plugin);
                }
                else {
                    log.warn("Plugin {} installed no hook: it registers none in META-INF/services/{}, or they are disabled",
                            plugin.pluginName(), RegionHook.class.getName());
                    closeQuietly(plugin);
                }
            }
            return hooks;
        }
        catch (RuntimeException e) {
            closeAll(plugins, e);
            throw e;
        }
    }

    private static RegionHooks load(HookLoadOptions options, List<ClassLoader> loaders) {
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
                    found.put(provider.type(), withContextLoader(loader, provider::get));
                }
                catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                    fail(options, "Cannot instantiate hook " + provider.type().getName() + " from " + loader + ": " + e.getMessage(), e);
                }
            }
        }

        List<RegionHook> installed = new ArrayList<>();
        Set<String> names = new HashSet<>();
        SstFiles sstFiles = new EngineSstFiles(new LocalFileIO(), options.dataDirectory().orElse(null));
        for (RegionHook hook : found.values()) {
            String className = hook.getClass().getName();
            ClassLoader loader = hook.getClass().getClassLoader();
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
                withContextLoader(loader, () -> {
                    hook.init(new Context(name, hookOptions, sstFiles));
                    return null;
                });
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
                    withContextLoader(hook.getClass().getClassLoader(), () -> {
                        hook.close();
                        return null;
                    });
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

    /**
     * Runs {@code action} with {@code loader} as the thread's context class loader, as every call
     * into a hook is: libraries a plugin bundles that look up classes or services through the
     * context loader then find the plugin's own.
     */
    static <T> T withContextLoader(ClassLoader loader, java.util.function.Supplier<T> action) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return action.get();
        }
        finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static void closeAll(List<PluginClassLoader> plugins, Throwable failure) {
        for (PluginClassLoader plugin : plugins) {
            try {
                plugin.close();
            }
            catch (java.io.IOException e) {
                failure.addSuppressed(e);
            }
        }
    }

    private static void closeQuietly(PluginClassLoader plugin) {
        try {
            plugin.close();
        }
        catch (java.io.IOException e) {
            log.warn("Could not close the class loader of plugin {}", plugin.pluginName(), e);
        }
    }

    /**
     * The context the engine initializes hook {@code name} with: its {@code hooks.<name>.<key>}
     * options and the SST files of the engine in {@code options.dataDirectory()}. For callers that
     * install hooks themselves, as the test kit does.
     */
    public static HookContext contextFor(String name, dev.regolith.engine.api.EngineOptions options) {
        return new Context(name, optionsOf(name, options.settings()),
                new EngineSstFiles(new LocalFileIO(), options.dataDirectory()));
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

    private record Context(String hookName, Map<String, String> options, SstFiles sstFiles) implements HookContext {
    }
}
