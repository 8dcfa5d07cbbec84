package dev.regolith.engine;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.metadata;

import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.testing.ScriptedHook;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The child JVM of {@link HookCrashTest}: commits versions 1 to 3 and has them delivered to hook
 * {@code crash-probe} and its cursor persisted, then blocks the hook in its callback for version 4
 * and commits versions 4 to 9. Prints {@code committed <version>} and waits to be killed.
 */
public final class HookCrashHost {

    static final String HOOK = "crash-probe";

    private HookCrashHost() {
    }

    static EngineOptions options(Path dir) {
        // Frequent checkpoints: the deltas the hook still needs must survive them.
        return EngineOptions.of(dir).with("compaction.auto", "false").with("index.auto", "false")
                .with("manifest.checkpoint.distance", "2");
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        CountDownLatch never = new CountDownLatch(1);
        AtomicLong blockFrom = new AtomicLong(Long.MAX_VALUE);
        ScriptedHook hook = new ScriptedHook(HOOK).behave(event -> {
            if (event.manifestVersion() >= blockFrom.get()) {
                never.await();
            }
        });
        EngineOptions options = options(dir);
        RegolithEngine engine = RegolithEngine.open(options, RegionHooks.of(List.of(hook), options.settings()));
        engine.createRegion(metadata(REGION));
        long ts = 0;
        for (int i = 0; i < 2; i++) {
            engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("h", 1.0, ts++).build());
            engine.flush(REGION);
        }
        if (!engine.drainHooks(Duration.ofSeconds(30))) {
            throw new IllegalStateException("versions 1 to 3 were not delivered");
        }
        engine.persistHookCursors();
        blockFrom.set(4);
        for (int i = 0; i < 6; i++) {
            engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("h", 1.0, ts++).build());
            engine.flush(REGION);
        }
        System.out.println("committed " + engine.manifest(REGION).manifestVersion());
        System.out.flush();
        never.await(); // until SIGKILL
    }
}
