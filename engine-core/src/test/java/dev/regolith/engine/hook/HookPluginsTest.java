package dev.regolith.engine.hook;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.RegolithEngine;
import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.api.exceptions.HookLoadException;
import dev.regolith.hooks.spi.HooksSpi;
import dev.regolith.hooks.spi.RegionHook;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugins of a hooks directory: one class loader each, SPI version checked, context loader set. */
class HookPluginsTest {

    @TempDir
    Path dir;

    /** A jar holding {@code classes} (test classes, copied byte for byte), optionally a hook registration. */
    private static void jar(Path jar, String spiVersion, boolean registerProbe, Class<?>... classes) throws IOException {
        Files.createDirectories(jar.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (spiVersion != null) {
            manifest.getMainAttributes().putValue(HooksSpi.MANIFEST_ATTRIBUTE, spiVersion);
        }
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Class<?> type : classes) {
                String entry = type.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(entry));
                try (InputStream in = type.getClassLoader().getResourceAsStream(entry)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
            if (registerProbe) {
                out.putNextEntry(new JarEntry("META-INF/services/" + RegionHook.class.getName()));
                out.write((PluginProbeHook.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
    }

    private EngineOptions options(Path hooksDir, Path out) {
        return EngineOptions.of(dir.resolve("data")).with("hooks.dir", hooksDir.toString()).with("hooks.probe.out", out.toString());
    }

    private List<String> runProbe(Path hooksDir) throws IOException {
        Path out = dir.resolve("probe.txt");
        try (RegolithEngine engine = RegolithEngine.open(options(hooksDir, out))) {
            assertThat(engine.hooks().names()).containsExactly("probe", "testing-classpath");
            engine.createRegion(metadata(REGION));
            assertThat(engine.drainHooks(Duration.ofSeconds(30))).isTrue();
        }
        return Files.readAllLines(out);
    }

    @Test
    void aJarPluginSeesTheSpiAndTheJdkButNotTheEngine() throws IOException {
        Path hooks = dir.resolve("hooks");
        jar(hooks.resolve("probe.jar"), HooksSpi.VERSION, true, PluginProbeHook.class);
        Files.writeString(hooks.resolve("README.txt"), "not a plugin: ignored");

        List<String> lines = runProbe(hooks);

        assertThat(lines).startsWith("loader=regolith-plugin-probe.jar", "init.context=regolith-plugin-probe.jar",
                "sees.engine=false", "sees.guava=false", "sees.spi=true", "library=none");
        // Callbacks run on the hook's threads with the plugin's loader as the context loader.
        assertThat(lines.subList(6, lines.size())).containsExactly("update 1 context=regolith-plugin-probe.jar");
    }

    @Test
    void aDirectoryPluginLoadsEveryJarBelowIt() throws IOException {
        Path hooks = dir.resolve("hooks");
        jar(hooks.resolve("probe-plugin").resolve("probe.jar"), HooksSpi.VERSION, true, PluginProbeHook.class);
        jar(hooks.resolve("probe-plugin").resolve("lib").resolve("library-1.0.jar"), null, false, PluginProbeLibrary.class);

        List<String> lines = runProbe(hooks);

        assertThat(lines).contains("loader=regolith-plugin-probe-plugin", "library=library-1.0.jar", "sees.engine=false");
    }

    @Test
    void aPluginWithoutAnSpiVersionIsRefusedNamingTheAttribute() throws IOException {
        Path hooks = dir.resolve("hooks");
        jar(hooks.resolve("probe.jar"), null, true, PluginProbeHook.class);

        assertThatThrownBy(() -> HookLoader.load(HookLoadOptions.DEFAULT.withPluginDirectory(hooks).withStrict(true)))
                .isInstanceOf(HookLoadException.class)
                .hasMessage("Plugin probe.jar (" + hooks.resolve("probe.jar") + ") declares no hooks SPI version: add the "
                        + "attribute 'Regolith-Hooks-SPI-Version: <version>' to its jar's manifest, with the version of hooks-spi "
                        + "it was built against (this engine provides " + HooksSpi.VERSION + ")");
        // Not strict (the engine's default): logged and skipped, the engine starts without it.
        try (RegolithEngine engine = RegolithEngine.open(options(hooks, dir.resolve("probe.txt")))) {
            assertThat(engine.hooks().names()).containsExactly("testing-classpath");
        }
        assertThat(dir.resolve("probe.txt")).doesNotExist();
    }

    @Test
    void aPluginBuiltAgainstAnotherMajorOrANewerMinorVersionIsRefused() throws IOException {
        Path hooks = dir.resolve("hooks");
        jar(hooks.resolve("probe.jar"), "2.0", true, PluginProbeHook.class);
        assertThatThrownBy(() -> HookLoader.load(HookLoadOptions.DEFAULT.withPluginDirectory(hooks).withStrict(true)))
                .isInstanceOf(HookLoadException.class)
                .hasMessage("Plugin probe.jar (" + hooks.resolve("probe.jar") + ") was built against hooks SPI 2.0, this engine "
                        + "provides " + HooksSpi.VERSION + ": major versions differ; rebuild the hook against hooks-spi 1.x or run "
                        + "it on a newer engine");

        assertThat(HookPlugins.incompatibility("1.0", "1.3")).isNull();
        assertThat(HookPlugins.incompatibility("1.3", "1.3")).isNull();
        assertThat(HookPlugins.incompatibility("1.4", "1.3"))
                .isEqualTo("the hook may use SPI methods this older engine lacks; run it on an engine that provides 1.4 or later");
        assertThat(HookPlugins.incompatibility("0.9", "1.3")).isEqualTo("major versions differ; rebuild the hook against hooks-spi 1.x");
        assertThat(HookPlugins.incompatibility("one", "1.3")).isEqualTo("'one' is not a version: expected major.minor, such as 1.3");
    }

    @Test
    void aMissingHooksDirectoryFailsStartNamingIt() {
        Path missing = dir.resolve("no-such-dir");
        assertThatThrownBy(() -> RegolithEngine.open(options(missing, dir.resolve("probe.txt"))))
                .isInstanceOf(HookLoadException.class)
                .hasMessage("The hooks directory " + missing + " (hooks.dir) does not exist or is not a directory");
    }

    @Test
    void theSpiVersionIsTheOneHookJarsAreBuiltWith() {
        // The build stamps regolith.hooks.spi.version into every sample jar's manifest.
        assertThat(System.getProperty("regolith.test.hooksSpiVersion")).as("run through Maven").isEqualTo(HooksSpi.VERSION);
    }
}
