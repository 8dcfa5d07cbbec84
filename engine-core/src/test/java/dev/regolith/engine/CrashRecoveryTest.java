package dev.regolith.engine;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.RegionScanner;
import dev.regolith.engine.api.ScanRequest;
import dev.regolith.engine.hook.RegionHooks;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing child JVM with SIGKILL at a random point, over and over, and checks after each
 * kill that every acknowledged write is there exactly once, the manifest opens, and every SST file
 * it names exists. Rerun with {@code -Dregolith.test.seed=<seed>}.
 */
class CrashRecoveryTest {

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedWriteSurvivesKillNine() throws Exception {
        long seed = Long.getLong("regolith.test.seed", new Random().nextLong());
        System.out.println("CrashRecoveryTest seed=" + seed);
        Random random = new Random(seed);
        long present = 0;
        for (int round = 0; round < 3; round++) {
            long acknowledged = runAndKill(present, 1_000 + random.nextInt(6_000));
            assertThat(acknowledged).isGreaterThan(present);

            try (RegolithEngine engine = RegolithEngine.open(EngineOptions.of(dir), RegionHooks.none())) {
                engine.openRegion(REGION); // reads the manifest and checks every SST it names exists
                assertThat(engine.manifest(REGION).files()).as("flushes committed before the kill").isNotEmpty();
                for (FileMeta file : engine.manifest(REGION).files().values()) {
                    assertThat(dir.resolve(REGION.toString()).resolve(file.fileId() + ".parquet")).isRegularFile();
                }
                long expected = 0;
                try (RegionScanner scanner = engine.scan(REGION, ScanRequest.all().withProjection(List.of("ts", "usage_user")))) {
                    // Rows come in (host, ts) order; check them per host by recomputing which ts each host owns.
                    long[] nextPerHost = new long[7];
                    for (int host = 0; host < 7; host++) {
                        nextPerHost[host] = host;
                    }
                    while (scanner.hasNext()) {
                        List<Object> row = scanner.next();
                        long ts = (Long) row.get(0);
                        int host = (int) (ts % 7);
                        assertThat(ts).as("seed %d round %d: rows of host h%d are consecutive and each appears once", seed,
                                round, host).isEqualTo(nextPerHost[host]);
                        assertThat(row.get(1)).isEqualTo(ts * 0.5);
                        nextPerHost[host] += 7;
                        expected++;
                    }
                }
                // Every acknowledged row is there; rows written but not yet acknowledged may be too.
                assertThat(expected).as("seed %d round %d: rows present", seed, round).isGreaterThanOrEqualTo(acknowledged);
                present = expected;
            }
        }
    }

    /** Starts the writer at row {@code from}, kills it once {@code atLeast} more rows are acknowledged. */
    private long runAndKill(long from, long atLeast) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", CrashingWriter.class.getName(), dir.toString(),
                Long.toString(from))
                .redirectError(dir.resolve("child-" + from + ".err").toFile())
                .start();
        CompletableFuture<Long> acknowledged = CompletableFuture.supplyAsync(() -> {
            long last = from;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    last = Long.parseLong(line.substring(4));
                    if (last >= from + atLeast) {
                        process.destroyForcibly(); // SIGKILL: no shutdown hooks, no close
                        return last;
                    }
                }
            }
            catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return last;
        });
        long last;
        try {
            last = acknowledged.get(120, TimeUnit.SECONDS);
        }
        finally {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        String errors = Files.readString(dir.resolve("child-" + from + ".err"));
        assertThat(last).as("the child acknowledged writes; its stderr:%n%s", errors).isGreaterThanOrEqualTo(from + atLeast);
        return last;
    }
}
