package dev.regolith.engine.hook;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.addFile;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.exceptions.HookLoadException;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.manifest.ManifestCommitter;
import dev.regolith.engine.manifest.ManifestOptions;
import dev.regolith.hooks.spi.HookContext;
import dev.regolith.hooks.spi.RegionHook;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
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

    /**
     * The sample's artifact: its jar under {@code mvn verify} (the README's command). A reactor run
     * that stops before {@code package} ({@code mvn test}) hands over its classes directory instead;
     * then pack that into a jar, so the hook is still found through a jar and its own loader.
     */
    private Path sampleJar(String artifact) throws Exception {
        Path path = Path.of(artifact);
        if (!Files.isDirectory(path)) {
            return path;
        }
        Path jar = dir.resolve("audit-log-hook.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(path)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(path.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    @Test
    void sampleHookIsDiscoveredFromItsBuiltJar() throws Exception {
        Path jar = sampleJar(System.getProperty("regolith.test.auditLogHookJar", "(not set: run the tests through Maven)"));
        assertThat(jar).as("the audit-log sample jar, built earlier in the reactor").isRegularFile();
        assertThat(jar.getFileName().toString()).endsWith(".jar");
        // It is deliberately not on the test class path: only the jar's own loader can find it.
        assertThat(HookLoader.load(HookLoadOptions.DEFAULT).names()).doesNotContain("audit-log");
        Path auditFile = dir.resolve("audit.jsonl");

        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, RegionHook.class.getClassLoader())) {
            RegionHooks hooks = HookLoader.load(new HookLoadOptions(false, List.of(loader), true,
                    Map.of("hooks.audit-log.file", auditFile.toString())));
            assertThat(hooks.names()).containsExactly("audit-log", "testing-classpath");
            assertThat(hooks.hooks().get(0).getClass().getClassLoader()).isSameAs(loader);

            ManifestCommitter committer = ManifestCommitter.create(new LocalFileIO(), dir.resolve("manifest"), metadata(REGION),
                    hooks, ManifestOptions.DEFAULT);
            committer.commit(addFile(REGION));
            hooks.close();
        }

        List<String> lines = Files.readAllLines(auditFile);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("\"region\":\"1024_0000000001\"", "\"version\":1", "\"actions\":[\"CHANGE\"]");
        assertThat(lines.get(1)).contains("\"version\":2", "\"actions\":[\"EDIT\"]", "\"rows\":100");
    }
}
