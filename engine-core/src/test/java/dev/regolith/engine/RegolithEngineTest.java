package dev.regolith.engine;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.RegionScanner;
import dev.regolith.engine.api.ScanRequest;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.engine.api.exceptions.RegionNotFoundException;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.testing.RecordingHook;
import dev.regolith.hooks.spi.SstFilesWrittenEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegolithEngineTest {

    @TempDir
    Path dir;

    private final List<RegolithEngine> engines = new ArrayList<>();

    @AfterEach
    void closeEngines() {
        engines.forEach(RegolithEngine::close);
    }

    private RegolithEngine open(RecordingHook... hooks) {
        // No background compactions or index builds: these tests pin exact manifest versions.
        return open(EngineOptions.of(dir).with("compaction.auto", "false").with("index.auto", "false"), hooks);
    }

    private RegolithEngine open(EngineOptions options, RecordingHook... hooks) {
        RegolithEngine engine = RegolithEngine.open(options, RegionHooks.of(List.of(hooks)));
        engines.add(engine);
        return engine;
    }

    private static WriteBatch puts(String host, long fromTs, int count, double value) {
        WriteBatch.Builder batch = WriteBatch.builder("hostname", "usage_user", "ts");
        for (int i = 0; i < count; i++) {
            batch.put(host, value, fromTs + i);
        }
        return batch.build();
    }

    private static List<List<Object>> scan(RegolithEngine engine, ScanRequest request) {
        List<List<Object>> rows = new ArrayList<>();
        try (RegionScanner scanner = engine.scan(REGION, request)) {
            scanner.forEachRemaining(rows::add);
        }
        return rows;
    }

    @Test
    void newestVersionWinsAndDeletesHideOlderRowsAcrossMemtableAndSst() {
        RegolithEngine engine = open();
        engine.createRegion(metadata(REGION));
        engine.write(REGION, puts("a", 0, 3, 1.0));
        engine.write(REGION, puts("b", 0, 2, 1.0));
        engine.flush(REGION);
        // Newer versions and a delete, some in a second SST, some only in the memtable.
        engine.write(REGION, puts("a", 1, 1, 2.0));
        engine.write(REGION, WriteBatch.builder("hostname", "ts").delete("b", 0L).build());
        engine.flush(REGION);
        engine.write(REGION, puts("a", 2, 1, 3.0));
        engine.write(REGION, WriteBatch.builder("hostname", "ts").delete("a", 0L).build());

        assertThat(scan(engine, ScanRequest.all())).containsExactly(
                List.of("a", 2.0, 1L),
                List.of("a", 3.0, 2L),
                List.of("b", 1.0, 1L));
        assertThat(engine.manifest(REGION).files()).hasSize(2);
    }

    @Test
    void projectionTimeRangeTagAndLimit() {
        RegolithEngine engine = open();
        engine.createRegion(metadata(REGION));
        engine.write(REGION, puts("a", 0, 10, 1.0));
        engine.write(REGION, puts("b", 0, 10, 2.0));
        engine.flush(REGION);
        engine.write(REGION, puts("c", 0, 10, 3.0));

        ScanRequest request = ScanRequest.all().withProjection(List.of("ts", "hostname"))
                .withTimeRange(new TimeRange(3, 5)).withTagEquals("hostname", "b");
        assertThat(scan(engine, request)).containsExactly(List.of(3L, "b"), List.of(4L, "b"), List.of(5L, "b"));
        assertThat(scan(engine, ScanRequest.all().withLimit(4))).hasSize(4);
        assertThatThrownBy(() -> engine.scan(REGION, ScanRequest.all().withTagEquals("usage_user", 1.0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid scan of region 1024_0000000001: column usage_user is not a tag column");
    }

    @Test
    void sstOutsideTheTimeRangeIsNotOpened() throws Exception {
        RegolithEngine engine = open();
        engine.createRegion(metadata(REGION));
        engine.write(REGION, puts("a", 0, 10, 1.0));
        engine.flush(REGION);
        engine.write(REGION, puts("a", 1_000, 10, 1.0));
        engine.flush(REGION);
        // Damage the older file: only a scan that opens it can notice.
        FileMeta old = engine.manifest(REGION).files().values().stream()
                .filter(file -> file.timeRange().start() == 0).findFirst().orElseThrow();
        Path oldFile = dir.resolve(REGION.toString()).resolve(old.fileId() + ".parquet");
        Files.write(oldFile, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});

        assertThat(scan(engine, ScanRequest.all().withTimeRange(new TimeRange(1_000, 2_000)))).hasSize(10);
        assertThatThrownBy(() -> scan(engine, ScanRequest.all()))
                .isInstanceOf(CorruptedFileException.class)
                .hasMessageContaining(oldFile.toString());
    }

    @Test
    void invalidBatchWritesNothing() {
        RegolithEngine engine = open();
        engine.createRegion(metadata(REGION));
        WriteBatch bad = WriteBatch.builder("hostname", "usage_user", "ts").put("a", 1.0, 1L).put("a", "high", 2L).build();

        assertThatThrownBy(() -> engine.write(REGION, bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid write to region 1024_0000000001: row 1, column usage_user: expected FLOAT64, got String \"high\"");

        assertThat(scan(engine, ScanRequest.all())).isEmpty();
        engine.close();
        RegolithEngine reopened = open();
        reopened.openRegion(REGION);
        assertThat(scan(reopened, ScanRequest.all())).isEmpty();
    }

    @Test
    void reopenReplaysWhatWasNotFlushed() {
        RegolithEngine engine = open();
        engine.createRegion(metadata(REGION));
        engine.write(REGION, puts("a", 0, 5, 1.0));
        engine.flush(REGION);
        engine.write(REGION, puts("a", 5, 5, 2.0));
        engine.write(REGION, WriteBatch.builder("hostname", "ts").delete("a", 0L).build());
        List<List<Object>> before = scan(engine, ScanRequest.all());
        long lastSequence = engine.write(REGION, puts("z", 0, 1, 9.0));
        before = scan(engine, ScanRequest.all());
        engine.close();

        RegolithEngine reopened = open();
        assertThat(reopened.listRegions()).containsExactly(REGION);
        assertThat(reopened.openRegions()).isEmpty();
        reopened.openRegion(REGION);

        assertThat(scan(reopened, ScanRequest.all())).isEqualTo(before).hasSize(10);
        // Sequences continue after the replayed ones: a new write wins over replayed rows.
        assertThat(reopened.write(REGION, puts("z", 0, 1, 10.0))).isEqualTo(lastSequence + 1);
        assertThat(scan(reopened, ScanRequest.all().withTagEquals("hostname", "z"))).containsExactly(List.of("z", 10.0, 0L));
    }

    @Test
    void flushTellsHooksAboutTheFileThenTheCommit() {
        RecordingHook hook = new RecordingHook("recorder");
        RegolithEngine engine = open(hook);
        engine.createRegion(metadata(REGION));
        engine.write(REGION, puts("a", 0, 100, 1.0));

        engine.flush(REGION);

        assertThat(engine.drainHooks(java.time.Duration.ofSeconds(30))).isTrue();
        SstFilesWrittenEvent written = hook.sstEvents().get(0);
        assertThat(written.reason()).isEqualTo(SstFilesWrittenEvent.Reason.FLUSH);
        assertThat(written.files()).singleElement().satisfies(file -> {
            assertThat(file.meta().numRows()).isEqualTo(100);
            assertThat(file.meta().timeRange()).isEqualTo(new TimeRange(0, 99));
            assertThat(file.path()).isRegularFile();
        });
        assertThat(hook.versions()).containsExactly(1L, 2L);
        // The file's callback comes before the update that adds it (the creation's update is queued, so it may come either side).
        assertThat(hook.order()).containsExactlyInAnyOrder("manifest@1", "sst", "manifest@2");
        assertThat(hook.order().indexOf("sst")).isLessThan(hook.order().indexOf("manifest@2"));
        assertThat(engine.manifest(REGION).files().values()).singleElement()
                .isEqualTo(written.files().get(0).meta());
        assertThat(engine.manifest(REGION).flushedSequence()).isEqualTo(100);
    }

    @Test
    void fullMemtableIsFlushedInTheBackground() throws Exception {
        CountDownLatch flushed = new CountDownLatch(1);
        RecordingHook hook = new RecordingHook("recorder").onUpdate(event -> {
            if (event.manifestVersion() == 2) {
                flushed.countDown();
            }
        });
        RegolithEngine engine = open(EngineOptions.of(dir).with("region.memtable.bytes", "4096"), hook);
        engine.createRegion(metadata(REGION));

        engine.write(REGION, puts("a", 0, 100, 1.0));

        assertThat(flushed.await(30, TimeUnit.SECONDS)).as("a background flush committed version 2").isTrue();
        assertThat(engine.manifest(REGION).files()).isNotEmpty();
        assertThat(scan(engine, ScanRequest.all())).hasSize(100);
    }

    @Test
    void concurrentWritersAreAllVisibleWithDistinctSequences() throws Exception {
        RegolithEngine engine = open();
        engine.createRegion(metadata(REGION));
        int threads = 4;
        int batches = 50;
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        List<Future<List<Long>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String host = "host" + t;
            results.add(executor.submit(() -> {
                List<Long> sequences = new ArrayList<>();
                for (int b = 0; b < batches; b++) {
                    sequences.add(engine.write(REGION, puts(host, b * 10L, 10, 1.0)));
                }
                return sequences;
            }));
        }
        List<Long> sequences = new ArrayList<>();
        for (Future<List<Long>> result : results) {
            sequences.addAll(result.get());
        }
        executor.shutdown();

        assertThat(sequences).doesNotHaveDuplicates().hasSize(threads * batches);
        assertThat(sequences).allMatch(sequence -> sequence % 10 == 0, "each batch's 10 rows get consecutive sequences");
        assertThat(scan(engine, ScanRequest.all())).hasSize(threads * batches * 10);
    }

    @Test
    void scanSeesTheSnapshotItStartedWith() {
        RegolithEngine engine = open();
        engine.createRegion(metadata(REGION));
        engine.write(REGION, puts("a", 0, 3, 1.0));

        try (RegionScanner scanner = engine.scan(REGION, ScanRequest.all())) {
            engine.write(REGION, puts("a", 0, 3, 2.0));
            engine.write(REGION, puts("b", 0, 3, 2.0));
            List<List<Object>> rows = new ArrayList<>();
            scanner.forEachRemaining(rows::add);
            assertThat(rows).extracting(row -> row.get(1)).containsOnly(1.0).hasSize(3);
        }
    }

    @Test
    void unknownRegionIsNamed() {
        RegolithEngine engine = open();

        assertThatThrownBy(() -> engine.write(REGION, puts("a", 0, 1, 1.0)))
                .isInstanceOf(RegionNotFoundException.class)
                .hasMessage("Region 1024_0000000001 not found: it is not open in " + dir.toAbsolutePath());
        assertThatThrownBy(() -> engine.openRegion(REGION)).isInstanceOf(RegionNotFoundException.class);
    }

    @Test
    void unknownSettingIsNamed() {
        assertThatThrownBy(() -> open(EngineOptions.of(dir).with("wal.synk", "never")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Unknown setting wal.synk; the settings are [");
    }

    @Test
    void badSettingIsNamed() {
        assertThatThrownBy(() -> open(EngineOptions.of(dir).with("wal.sync", "sometimes")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid setting wal.sync=sometimes: expected one of every_batch, periodic, never");
    }
}
