package dev.regolith.samples.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.regolith.engine.RegolithEngine;
import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.api.HookMetrics;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.api.exceptions.HookLoadException;
import dev.regolith.engine.hook.HookLoadOptions;
import dev.regolith.engine.hook.HookLoader;
import dev.regolith.hooks.spi.HooksSpi;
import dev.regolith.testkit.HookTestKit;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads the isolation fixtures, as built and laid out by Maven, from a hooks directory into a real
 * engine: two plugins bundling Guava versions that cannot both be on one class path each run on
 * their own, and a plugin built against another SPI version is refused.
 */
class PluginIsolationTest {

    private static final String GUAVA20_PLUGIN = "isolation-guava20-hook";
    private static final String GUAVA33_PLUGIN = "isolation-guava33-hook";
    private static final String INCOMPATIBLE_PLUGIN = "isolation-incompatible-spi-hook";
    private static final RegionId REGION = HookTestKit.REGION;

    @TempDir
    Path dir;

    /** A hooks directory the build laid out, named by system property {@code property}. */
    private static Path hooksDirectory(String property, String... plugins) {
        String value = System.getProperty(property);
        if (value == null) {
            fail("System property " + property + " is not set: run this test through Maven (mvn verify), which sets it");
        }
        Path directory = Path.of(value).toAbsolutePath().normalize();
        for (String plugin : plugins) {
            if (!Files.isDirectory(directory.resolve(plugin))) {
                fail("Plugin directory " + directory.resolve(plugin) + " is missing: the fixtures are laid out at their package "
                        + "phase, which 'mvn test' does not reach; run 'mvn verify'");
            }
        }
        return directory;
    }

    @Test
    void pluginsBundlingConflictingGuavaVersionsEachRunOnTheirOwn() throws IOException {
        Path hooks = hooksDirectory("regolith.test.isolationHooksDir", GUAVA20_PLUGIN, GUAVA33_PLUGIN);
        // The hooks directory, not the test class path (the engine's), must supply the hooks.
        ClassLoader classPath = RegolithEngine.class.getClassLoader();
        assertThat(loadable("dev.regolith.samples.isolation.guava20.Guava20Hook", classPath)).isFalse();
        assertThat(loadable("dev.regolith.samples.isolation.guava33.Guava33Hook", classPath)).isFalse();
        // The engine's own Guava lacks the API the Guava 20 hook calls: only its bundled jar has it.
        assertThat(loadable("com.google.common.base.Objects$ToStringHelper", classPath)).isFalse();
        Path engineGuava = codeSource("com.google.common.base.Strings", classPath);
        assertThat(engineGuava.getFileName()).hasToString("guava-" + System.getProperty("regolith.test.engineGuavaVersion") + ".jar");

        Path out20 = dir.resolve("guava20.txt");
        Path out33 = dir.resolve("guava33.txt");
        EngineOptions options = EngineOptions.of(dir.resolve("data"))
                .with("hooks.dir", hooks.toString())
                .with("hooks.guava20.out", out20.toString())
                .with("hooks.guava33.out", out33.toString())
                // No background compaction or index build: the test's commits are all there are.
                .with("compaction.auto", "false")
                .with("index.auto", "false");
        long lastVersion;
        try (RegolithEngine engine = RegolithEngine.open(options)) {
            assertThat(engine.hooks().names()).containsExactlyInAnyOrder("guava20", "guava33");
            engine.createRegion(HookTestKit.defaultSchema());
            for (int i = 0; i < 3; i++) {
                engine.write(REGION, WriteBatch.builder("host", "usage", "ts")
                        .put("host-" + i, i * 1.5, HookTestKit.START_MILLIS + i * 1000L).build());
                engine.flush(REGION);
            }
            lastVersion = engine.manifest(REGION).manifestVersion();
            assertThat(engine.drainHooks(Duration.ofSeconds(30))).isTrue();
            assertThat(engine.hookMetrics()).extracting(HookMetrics::name).containsExactlyInAnyOrder("guava20", "guava33");
            assertThat(engine.hookMetrics()).allSatisfy(metrics -> {
                assertThat(metrics.failed()).as("%s failed callbacks", metrics.name()).isZero();
                assertThat(metrics.quarantined()).as("%s quarantined", metrics.name()).isFalse();
                assertThat(metrics.delivered()).as("%s delivered callbacks", metrics.name()).isPositive();
            });
        }

        Path guava20 = assertOwnGuava(out20, hooks.resolve(GUAVA20_PLUGIN), "guava-20.0.jar", lastVersion,
                callback -> "guava20{callback=" + callback + "}");
        Path guava33 = assertOwnGuava(out33, hooks.resolve(GUAVA33_PLUGIN), "guava-33.0.0-jre.jar", lastVersion,
                callback -> "guava33:" + callback + " [extra]");
        assertThat(List.of(guava20, guava33)).doesNotContain(engineGuava);
    }

    /**
     * Checks the lines a Guava fixture wrote: {@code init}, then updates up to {@code lastVersion},
     * each with the Guava jar of {@code plugin}'s own lib/, the call's result and the plugin's loader
     * as context loader.
     *
     * @return the Guava jar the hook used
     */
    private static Path assertOwnGuava(Path out, Path plugin, String guavaJar, long lastVersion,
            Function<String, String> expectedResult) throws IOException {
        List<Map<String, String>> lines = Files.readAllLines(out).stream().map(PluginIsolationTest::parse).toList();
        assertThat(lines).as("lines of %s", out).hasSizeGreaterThanOrEqualTo(2);
        assertThat(lines.get(0)).containsEntry("callback", "init");
        assertThat(lines.subList(1, lines.size())).allSatisfy(line -> assertThat(line.get("callback")).startsWith("update " + REGION + " "));
        String last = lines.get(lines.size() - 1).get("callback");
        assertThat(last.substring(last.lastIndexOf("..") + 2)).as("last update of %s", out).isEqualTo(Long.toString(lastVersion));

        Path guava = plugin.resolve("lib").resolve(guavaJar);
        String loader = "regolith-plugin-" + plugin.getFileName();
        assertThat(lines).allSatisfy(line -> {
            assertThat(line).containsEntry("guava", guava.toString())
                    .containsEntry("result", expectedResult.apply(line.get("callback")))
                    .containsEntry("context", loader)
                    .containsEntry("contextIsOwn", "true");
        });
        return guava;
    }

    /** {@code <callback>\t<key>=<value>...} as a map, the callback under key {@code callback}. */
    private static Map<String, String> parse(String line) {
        String[] parts = line.split("\t");
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("callback", parts[0]);
        for (int i = 1; i < parts.length; i++) {
            int equals = parts[i].indexOf('=');
            assertThat(equals).as("field %s of line %s", i, line).isPositive();
            fields.put(parts[i].substring(0, equals), parts[i].substring(equals + 1));
        }
        return fields;
    }

    @Test
    void aPluginBuiltAgainstAnotherSpiMajorVersionIsRefused() throws IOException {
        Path hooks = hooksDirectory("regolith.test.incompatibleHooksDir", INCOMPATIBLE_PLUGIN);
        Path jar;
        try (Stream<Path> files = Files.list(hooks.resolve(INCOMPATIBLE_PLUGIN))) {
            jar = files.filter(file -> file.getFileName().toString().endsWith(".jar")).findFirst().orElseThrow();
        }

        assertThatThrownBy(() -> HookLoader.load(HookLoadOptions.DEFAULT.withPluginDirectory(hooks).withStrict(true)))
                .isInstanceOf(HookLoadException.class)
                .hasMessageContaining("Plugin " + INCOMPATIBLE_PLUGIN + " (" + jar + ")")
                .hasMessageContaining("built against hooks SPI 2.0, this engine provides " + HooksSpi.VERSION);

        // Lenient, as the engine is by default: the plugin is skipped before any of its classes runs.
        Path out = dir.resolve("incompatible.txt");
        EngineOptions options = EngineOptions.of(dir.resolve("data"))
                .with("hooks.dir", hooks.toString())
                .with("hooks.incompatible-spi.out", out.toString());
        try (RegolithEngine engine = RegolithEngine.open(options)) {
            assertThat(engine.hooks().names()).isEmpty();
            engine.createRegion(HookTestKit.defaultSchema());
            assertThat(engine.manifest(REGION).manifestVersion()).isPositive();
        }
        assertThat(out).doesNotExist();
    }

    private static boolean loadable(String className, ClassLoader loader) {
        try {
            Class.forName(className, false, loader);
            return true;
        }
        catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static Path codeSource(String className, ClassLoader loader) {
        try {
            return Path.of(Class.forName(className, false, loader).getProtectionDomain().getCodeSource().getLocation().toURI());
        }
        catch (ClassNotFoundException | URISyntaxException e) {
            throw new AssertionError("Cannot locate the jar of " + className, e);
        }
    }
}
