package dev.regolith.engine;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.hook.HookCursorStore;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.testing.ScriptedHook;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No loss across a crash: a child JVM commits versions its hook has not been delivered yet and is
 * killed with SIGKILL; the reopened region delivers exactly those versions, in order.
 */
class HookCrashTest {

    @TempDir
    Path dir;

    @Test
    void versionsCommittedButNotDeliveredBeforeKillNineAreDeliveredInOrderAfterReopen() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path stderr = dir.resolve("child.err");
        Path data = dir.resolve("data");
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", HookCrashHost.class.getName(), data.toString())
                .redirectError(stderr.toFile())
                .start();
        String line;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            line = out.readLine();
            process.destroyForcibly(); // SIGKILL: no close, no drain, no cursor written at shutdown
        }
        finally {
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(line).as("the child's report; its stderr:%n%s", Files.readString(stderr)).isEqualTo("committed 9");
        assertThat(new HookCursorStore(new LocalFileIO(), REGION, data.resolve(REGION.toString())).read(HookCrashHost.HOOK))
                .as("the durable cursor: versions 4 to 9 were committed, never delivered").isEqualTo(3);

        ScriptedHook hook = new ScriptedHook(HookCrashHost.HOOK);
        EngineOptions options = HookCrashHost.options(data);
        try (RegolithEngine engine = RegolithEngine.open(options, RegionHooks.of(List.of(hook), options.settings()))) {
            engine.openRegion(REGION);
            assertThat(engine.drainHooks(Duration.ofSeconds(30))).isTrue();

            assertThat(engine.manifest(REGION).manifestVersion()).isEqualTo(9);
            assertThat(hook.stream()).as("catch-up from the manifest deltas, then the open")
                    .containsExactly("v4", "v5", "v6", "v7", "v8", "v9", "opened");
        }
        assertThat(new HookCursorStore(new LocalFileIO(), REGION, data.resolve(REGION.toString())).read(HookCrashHost.HOOK))
                .isEqualTo(9);
    }
}
