package dev.regolith.engine.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.exceptions.HookLoadException;
import dev.regolith.hooks.spi.HookContext;
import dev.regolith.hooks.spi.RegionHook;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HookLoaderTest {

    private static final String SERVICES = "META-INF/services/dev.regolith.hooks.spi.RegionHook";

    @TempDir
    Path dir;

    /** Options each hook saw in init, by name. */
    static final Map<String, Map<String, String>> INITIALIZED = new ConcurrentHashMap<>();

    public static class GoodHook implements RegionHook {
        @Override
        public String name() {
            return "good";
        }

        @Override
        public void init(HookContext context) {
            INITIALIZED.put(context.hookName(), context.options());
        }
    }

    public static class EarlyHook implements RegionHook {
        @Override
        public String name() {
            return "zz-early";
        }

        @Override
        public int priority() {
            return -10;
        }
    }

    public static class ThrowingConstructorHook implements RegionHook {
        public ThrowingConstructorHook() {
            throw new IllegalStateException("cannot construct");
        }
    }

    public static class BadNameHook implements RegionHook {
        @Override
        public String name() {
            return "has spaces";
        }
    }

    public static class FailingInitHook implements RegionHook {
        @Override
        public String name() {
            return "failing-init";
        }

        @Override
        public void init(HookContext context) {
            throw new IllegalArgumentException("missing option hooks.failing-init.url");
        }
    }

    /** Keeps the default name, the class name, which has a '$' because the class is nested. */
    public static class DefaultNameHook implements RegionHook {
    }

    public static class DuplicateNameHook implements RegionHook {
        @Override
        public String name() {
            return "good";
        }
    }

    /** A class loader whose META-INF/services file names {@code providers}. */
    private URLClassLoader pluginLoader(String... providers) throws Exception {
        Path services = dir.resolve(SERVICES);
        Files.createDirectories(services.getParent());
        Files.write(services, List.of(providers));
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, HookLoader.class.getClassLoader());
    }

    @Test
    void findsHooksOnTheEngineClassPath() {
        assertThat(HookLoader.load(HookLoadOptions.DEFAULT).names()).containsExactly("testing-classpath");
    }

    @Test
    void classPathDiscoveryCanBeTurnedOff() {
        assertThat(HookLoader.load(HookLoadOptions.DEFAULT.withFromClassPath(false)).isEmpty()).isTrue();
    }

    @Test
    void ordersByPriorityThenNameAndInstallsEachClassOnce() throws Exception {
        try (URLClassLoader loader = pluginLoader(GoodHook.class.getName(), EarlyHook.class.getName())) {
            // The plugin loader also sees the class path's provider through its parent: installed once.
            RegionHooks hooks = HookLoader.load(HookLoadOptions.DEFAULT.withClassLoaders(List.of(loader, loader)));

            assertThat(hooks.names()).containsExactly("zz-early", "good", "testing-classpath");
        }
    }

    @Test
    void defaultNameIsTheClassNameEvenForNestedClasses() throws Exception {
        try (URLClassLoader loader = pluginLoader(DefaultNameHook.class.getName())) {
            RegionHooks hooks = HookLoader.load(new HookLoadOptions(false, List.of(loader), true, Map.of()));

            assertThat(hooks.names()).contains("dev.regolith.engine.hook.HookLoaderTest$DefaultNameHook");
        }
    }

    @Test
    void brokenProvidersAreSkippedAndTheRestInstalled() throws Exception {
        try (URLClassLoader loader = pluginLoader("com.example.DoesNotExist", ThrowingConstructorHook.class.getName(),
                BadNameHook.class.getName(), FailingInitHook.class.getName(), GoodHook.class.getName(),
                DuplicateNameHook.class.getName())) {
            RegionHooks hooks = HookLoader.load(new HookLoadOptions(false, List.of(loader), false, Map.of()));

            assertThat(hooks.names()).containsExactly("good", "testing-classpath");
        }
    }

    @Test
    void strictLoadingFailsOnTheFirstBrokenProvider() throws Exception {
        try (URLClassLoader loader = pluginLoader("com.example.DoesNotExist", GoodHook.class.getName())) {
            assertThatThrownBy(() -> HookLoader.load(new HookLoadOptions(false, List.of(loader), true, Map.of())))
                    .isInstanceOf(HookLoadException.class)
                    .hasMessageContaining("com.example.DoesNotExist");
        }
        try (URLClassLoader loader = pluginLoader(FailingInitHook.class.getName())) {
            assertThatThrownBy(() -> HookLoader.load(new HookLoadOptions(false, List.of(loader), true, Map.of())))
                    .isInstanceOf(HookLoadException.class)
                    .hasMessage("Hook failing-init (" + FailingInitHook.class.getName() + ") failed to initialize: "
                            + "java.lang.IllegalArgumentException: missing option hooks.failing-init.url");
        }
        try (URLClassLoader loader = pluginLoader(BadNameHook.class.getName())) {
            assertThatThrownBy(() -> HookLoader.load(new HookLoadOptions(false, List.of(loader), true, Map.of())))
                    .hasMessage("Hook " + BadNameHook.class.getName() + " has an invalid name 'has spaces': use letters, "
                            + "digits, '.', '_', '$' and '-' only");
        }
    }

    @Test
    void hookGetsItsOwnOptionsAndCanBeDisabled() throws Exception {
        Map<String, String> engineOptions = Map.of(
                "hooks.good.url", "http://localhost:1",
                "hooks.good.batch", "10",
                "hooks.goodish.url", "not mine",
                "hooks.testing-classpath.enabled", "false");
        try (URLClassLoader loader = pluginLoader(GoodHook.class.getName())) {
            RegionHooks hooks = HookLoader.load(HookLoadOptions.DEFAULT.withClassLoaders(List.of(loader))
                    .withEngineOptions(engineOptions));

            assertThat(hooks.names()).containsExactly("good");
            assertThat(INITIALIZED.get("good")).containsExactly(Map.entry("batch", "10"), Map.entry("url", "http://localhost:1"));
        }
    }

    @Test
    void deliveryOptionsAndPriorityComeFromTheEngineOptions() throws Exception {
        try (URLClassLoader loader = pluginLoader(GoodHook.class.getName())) {
            RegionHooks hooks = HookLoader.load(HookLoadOptions.DEFAULT.withClassLoaders(List.of(loader)).withEngineOptions(Map.of(
                    "hooks.good.queue.size", "16", "hooks.good.deadline.ms", "250", "hooks.good.priority", "100")));
            try {
                assertThat(hooks.names()).containsExactly("testing-classpath", "good");
                HookDeliveryOptions options = hooks.dispatchers().get(1).options();
                assertThat(options.queueSize()).isEqualTo(16);
                assertThat(options.deadline()).isEqualTo(java.time.Duration.ofMillis(250));
            }
            finally {
                hooks.close();
            }
        }
    }

    @Test
    void invalidDeliveryOptionFailsLoadingEvenWhenNotStrict() throws Exception {
        try (URLClassLoader loader = pluginLoader(GoodHook.class.getName())) {
            assertThatThrownBy(() -> HookLoader.load(HookLoadOptions.DEFAULT.withClassLoaders(List.of(loader))
                    .withEngineOptions(Map.of("hooks.good.queue.size", "0"))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Invalid hooks.good.queue.size '0': must be >= 1");
            assertThatThrownBy(() -> HookLoader.load(HookLoadOptions.DEFAULT.withClassLoaders(List.of(loader))
                    .withEngineOptions(Map.of("hooks.good.priority", "first"))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Invalid hooks.good.priority 'first': expected a whole number");
        }
    }
}
