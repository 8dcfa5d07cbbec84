package dev.regolith.engine;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.AlterRequest;
import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.RegionScanner;
import dev.regolith.engine.api.ScanRequest;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.region.Region;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.sst.SstWriteOptions;
import dev.regolith.engine.sst.SstWriter;
import dev.regolith.engine.testing.RecordingHook;
import dev.regolith.hooks.spi.FilesRemovedEvent;
import dev.regolith.hooks.spi.RegionHook;
import dev.regolith.hooks.spi.SstFilesWrittenEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What compaction, TTL, alter, truncate and drop do to a region's data and files. */
class RegionLifecycleTest {

    @TempDir
    Path dir;

    private RegolithEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private RegolithEngine open(RegionHook... hooks) {
        engine = RegolithEngine.open(EngineOptions.of(dir).with("compaction.auto", "false").with("index.auto", "false"),
                RegionHooks.of(List.of(hooks)));
        engine.createRegion(metadata(REGION));
        return engine;
    }

    private List<List<Object>> scan() {
        List<List<Object>> rows = new ArrayList<>();
        try (RegionScanner scanner = engine.scan(REGION, ScanRequest.all())) {
            scanner.forEachRemaining(rows::add);
        }
        return rows;
    }

    private List<List<Object>> scanRange(long start, long end) {
        List<List<Object>> rows = new ArrayList<>();
        try (RegionScanner scanner = engine.scan(REGION, ScanRequest.all().withTimeRange(new TimeRange(start, end)))) {
            scanner.forEachRemaining(rows::add);
        }
        return rows;
    }

    private List<String> parquetFiles() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve(REGION.toString()))) {
            return files.map(path -> path.getFileName().toString()).filter(name -> name.endsWith(".parquet")).sorted().toList();
        }
    }

    @Test
    void compactionKeepsTheNewestVersionsAndRemovesItsInputs() throws Exception {
        long seed = Long.getLong("regolith.test.seed", new Random().nextLong());
        System.out.println("RegionLifecycleTest seed=" + seed);
        Random random = new Random(seed);
        open();
        long base = System.currentTimeMillis() / 3_600_000 * 3_600_000; // all in one hour window
        TreeMap<String, List<Object>> model = new TreeMap<>();
        for (int file = 0; file < 5; file++) {
            WriteBatch.Builder batch = WriteBatch.builder("hostname", "usage_user", "ts");
            for (int i = 0; i < 40; i++) {
                String host = "h" + random.nextInt(4);
                long ts = base + random.nextInt(20);
                String key = host + "/" + ts;
                if (random.nextInt(5) == 0) {
                    batch.delete(host, null, ts);
                    model.remove(key);
                }
                else {
                    double value = random.nextInt(1000);
                    batch.put(host, value, ts);
                    model.put(key, List.of(host, value, ts));
                }
            }
            engine.write(REGION, batch.build());
            engine.flush(REGION);
        }
        List<String> inputs = parquetFiles();

        engine.compact(REGION);

        assertThat(scan()).as("seed %d", seed).containsExactlyElementsOf(model.values());
        assertThat(engine.manifest(REGION).files().values()).singleElement()
                .satisfies(file -> assertThat(file.level()).isEqualTo(1));
        assertThat(parquetFiles()).hasSize(1).doesNotContainAnyElementsOf(inputs);
        assertThat(engine.manifest(REGION).compactionTimeWindow()).isPresent();
    }

    @Test
    void filesStayOnDiskWhileAScanReadsThem() throws Exception {
        RecordingHook hook = new RecordingHook("recorder");
        open(hook);
        long base = System.currentTimeMillis();
        for (int i = 0; i < 4; i++) {
            engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("h", (double) i, base + i).build());
            engine.flush(REGION);
        }
        List<String> inputs = parquetFiles();

        try (RegionScanner scanner = engine.scan(REGION, ScanRequest.all())) {
            engine.compact(REGION);
            assertThat(parquetFiles()).containsAll(inputs);
            assertThat(engine.drainHooks(java.time.Duration.ofSeconds(30))).isTrue();
            assertThat(hook.events()).noneMatch(FilesRemovedEvent.class::isInstance);
            List<List<Object>> rows = new ArrayList<>();
            scanner.forEachRemaining(rows::add);
            assertThat(rows).hasSize(4);
        }

        assertThat(parquetFiles()).doesNotContainAnyElementsOf(inputs);
        assertThat(engine.drainHooks(java.time.Duration.ofSeconds(30))).isTrue();
        assertThat(hook.events().stream().filter(FilesRemovedEvent.class::isInstance)
                .mapToInt(event -> ((FilesRemovedEvent) event).fileIds().size()).sum()).isEqualTo(4);
    }

    @Test
    void ttlRemovesOnlyFilesOlderThanItAllows() throws Exception {
        open();
        engine.alter(REGION, AlterRequest.setOption("ttl", "7d"));
        long now = System.currentTimeMillis();
        engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("old", 1.0, now - 8 * 86_400_000L).build());
        engine.flush(REGION);
        engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("new", 2.0, now - 86_400_000L).build());
        engine.flush(REGION);

        engine.compact(REGION);

        assertThat(scan()).extracting(row -> row.get(0)).containsExactly("new");
        assertThat(engine.manifest(REGION).files()).hasSize(1);
        assertThat(parquetFiles()).hasSize(1);
    }

    @Test
    void rowsOlderThanTheTtlStayHiddenWhenTheFileWithTheirDeleteExpiresFirst() throws Exception {
        open();
        long now = System.currentTimeMillis();
        long old = now - 8 * 86_400_000L;
        // The old put shares its file with a recent row, so that file outlives the TTL...
        engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("deleted", 1.0, old)
                .put("recent", 2.0, now - 3_600_000L).build());
        engine.flush(REGION);
        // ...while the delete that hides it is alone in a file that expires.
        engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").delete("deleted", 0.0, old).build());
        engine.flush(REGION);
        engine.alter(REGION, AlterRequest.setOption("ttl", "7d"));
        assertThat(scan()).extracting(row -> row.get(0)).containsExactly("recent");

        engine.compact(REGION);

        assertThat(engine.manifest(REGION).files()).as("the delete's file expired, the put's did not").hasSize(1);
        assertThat(scan()).extracting(row -> row.get(0)).as("the put is older than the TTL: it does not come back")
                .containsExactly("recent");
        assertThat(scanRange(old, old)).isEmpty();
    }

    @Test
    void badTtlFailsTheAlterAndCommitsNothing() {
        open();
        long version = engine.manifest(REGION).manifestVersion();

        assertThatThrownBy(() -> engine.alter(REGION, AlterRequest.setOption("ttl", "soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid option ttl=soon of region 1024_0000000001: expected a positive duration like 30s, 15m, "
                        + "12h, 7d, 2w or PT36H");
        assertThat(engine.manifest(REGION).manifestVersion()).isEqualTo(version);
        engine.compact(REGION);
    }

    @Test
    void alterAddsAndDropsColumnsAcrossOlderFiles() {
        open();
        engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("a", 1.0, 1L).build());
        engine.flush(REGION);

        engine.alter(REGION, AlterRequest.addColumn(ColumnSchema.field("cores", 7, DataType.INT32)));
        engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "cores", "ts").put("b", 2.0, 8, 2L).build());
        assertThat(scan()).containsExactly(Arrays.asList("a", 1.0, 1L, null), Arrays.asList("b", 2.0, 2L, 8));
        engine.flush(REGION);

        engine.alter(REGION, AlterRequest.dropColumn("usage_user"));

        assertThat(engine.manifest(REGION).metadata().schemaVersion()).isEqualTo(2);
        assertThat(scan()).containsExactly(Arrays.asList("a", 1L, null), Arrays.asList("b", 2L, 8));
        assertThatThrownBy(() -> engine.alter(REGION, AlterRequest.dropColumn("hostname")))
                .hasMessage("Cannot drop column hostname of region 1024_0000000001: only field columns can be dropped, it is a TAG");
        // Survives a reopen: the schema comes from the manifest, old files are mapped by column id.
        engine.close();
        engine = RegolithEngine.open(EngineOptions.of(dir), RegionHooks.none());
        engine.openRegion(REGION);
        assertThat(scan()).containsExactly(Arrays.asList("a", 1L, null), Arrays.asList("b", 2L, 8));
    }

    @Test
    void truncateWinsOverAConcurrentFlush() throws Exception {
        // While the flush's file is written but not committed, another thread truncates the region.
        CompletableFuture<Void> truncated = new CompletableFuture<>();
        RegionHook truncateDuringFlush = new RegionHook() {
            @Override
            public String name() {
                return "truncate-during-flush";
            }

            @Override
            public void onSstFilesWritten(SstFilesWrittenEvent event) {
                if (!truncated.isDone()) {
                    CompletableFuture.runAsync(() -> engine.truncate(REGION)).join();
                    truncated.complete(null);
                }
            }
        };
        open(truncateDuringFlush);
        engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("a", 1.0, 1L).build());

        engine.flush(REGION);

        truncated.get(10, TimeUnit.SECONDS);
        assertThat(scan()).isEmpty();
        assertThat(engine.manifest(REGION).files()).isEmpty();
        assertThat(parquetFiles()).isEmpty();
        // And after a reopen nothing comes back from the WAL either.
        engine.close();
        engine = RegolithEngine.open(EngineOptions.of(dir), RegionHooks.none());
        engine.openRegion(REGION);
        assertThat(scan()).isEmpty();
        engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("b", 2.0, 2L).build());
        assertThat(scan()).hasSize(1);
    }

    @Test
    void compactionWhoseInputsChangedIsDiscarded() throws Exception {
        RegionHook truncateDuringCompaction = new RegionHook() {
            @Override
            public String name() {
                return "truncate-during-compaction";
            }

            @Override
            public void onSstFilesWritten(SstFilesWrittenEvent event) {
                if (event.reason() == SstFilesWrittenEvent.Reason.COMPACTION) {
                    CompletableFuture.runAsync(() -> engine.truncate(REGION)).join();
                }
            }
        };
        open(truncateDuringCompaction);
        long base = System.currentTimeMillis();
        for (int i = 0; i < 4; i++) {
            engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("h", (double) i, base + i).build());
            engine.flush(REGION);
        }

        engine.compact(REGION);

        assertThat(engine.manifest(REGION).files()).isEmpty();
        assertThat(parquetFiles()).isEmpty();
    }

    @Test
    void indexPruningReturnsTheSameRowsAsAFullScan() throws Exception {
        open();
        for (int file = 0; file < 3; file++) {
            WriteBatch.Builder batch = WriteBatch.builder("hostname", "usage_user", "ts");
            for (int i = 0; i < 30; i++) {
                batch.put("host" + (file * 2 + i % 2), (double) i, (long) file * 100 + i);
            }
            engine.write(REGION, batch.build());
            engine.flush(REGION);
        }
        List<List<Object>> expected = scan().stream().filter(row -> row.get(0).equals("host3")).toList();

        engine.buildIndexes(REGION);

        assertThat(engine.manifest(REGION).files().values()).allSatisfy(file -> assertThat(file.index()).isPresent());
        // Damage the files the index rules out: a scan that opened them would fail.
        for (var file : engine.manifest(REGION).files().values()) {
            if (file.timeRange().start() != 100) {
                Files.write(dir.resolve(REGION.toString()).resolve(file.fileId() + ".parquet"), new byte[] {0, 1, 2, 3});
            }
        }
        List<List<Object>> pruned = new ArrayList<>();
        try (RegionScanner scanner = engine.scan(REGION, ScanRequest.all().withTagEquals("hostname", "host3"))) {
            scanner.forEachRemaining(pruned::add);
        }
        assertThat(pruned).isEqualTo(expected).hasSize(15);
        assertThatThrownBy(() -> engine.scan(REGION, ScanRequest.all().withTagEquals("hostname", 3)))
                .hasMessage("Invalid scan of region 1024_0000000001: tag hostname is STRING, but the value 3 is a Integer");
    }

    /** An SST written outside any region, as another tool would. */
    private Path externalSst(RegionMetadata metadata, String name, Object[]... rows) {
        Path file = dir.resolve(name);
        try (SstWriter writer = new SstWriter(new LocalFileIO(), file, metadata, SstWriteOptions.DEFAULT)) {
            long sequence = 1;
            for (Object[] row : rows) {
                writer.write(new InternalRow(row, sequence++, OpType.PUT));
            }
            writer.finish(FileId.random(), 0);
        }
        return file;
    }

    @Test
    void ingestedFilesWinOverOlderRowsAndLoseToNewerOnes() {
        open();
        engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("a", 1.0, 1L).put("b", 1.0, 1L).build());
        Path first = externalSst(metadata(REGION), "first.parquet", new Object[] {"a", 2.0, 1L}, new Object[] {"c", 2.0, 1L});
        Path second = externalSst(metadata(REGION), "second.parquet", new Object[] {"c", 3.0, 1L});

        List<?> added = engine.ingest(REGION, List.of(first, second));
        engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("b", 4.0, 1L).build());

        assertThat(added).hasSize(2);
        assertThat(scan()).containsExactly(List.of("a", 2.0, 1L), List.of("b", 4.0, 1L), List.of("c", 3.0, 1L));
        assertThat(first).exists(); // the caller's file is copied, not taken
    }

    @Test
    void writesAfterARestartStillWinOverIngestedRows() {
        open();
        engine.ingest(REGION, List.of(externalSst(metadata(REGION), "in.parquet", new Object[] {"a", 1.0, 1L})));
        engine.close();
        engine = RegolithEngine.open(EngineOptions.of(dir), RegionHooks.none());
        engine.openRegion(REGION);

        engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("a", 2.0, 1L).build());

        assertThat(scan()).containsExactly(List.of("a", 2.0, 1L));
        engine.flush(REGION);
        engine.compact(REGION);
        assertThat(scan()).containsExactly(List.of("a", 2.0, 1L));
    }

    @Test
    void ingestOfAFileWithAnotherSchemaIsRejectedAndCommitsNothing() throws Exception {
        open();
        RegionMetadata other = new RegionMetadata(REGION, List.of(
                ColumnSchema.tag("hostname", 0, DataType.STRING),
                ColumnSchema.field("usage_user", 1, DataType.INT64),
                ColumnSchema.timeIndex("ts", 2, DataType.TIMESTAMP_MILLIS)));
        Path good = externalSst(metadata(REGION), "good.parquet", new Object[] {"a", 2.0, 1L});
        Path bad = externalSst(other, "bad.parquet", new Object[] {"a", 2L, 1L});
        long version = engine.manifest(REGION).manifestVersion();

        assertThatThrownBy(() -> engine.ingest(REGION, List.of(good, bad)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot ingest " + bad + " into region 1024_0000000001: the schema does not match: column 1 is "
                        + "usage_user INT64 FIELD (id 1), the region's is usage_user FLOAT64 FIELD (id 1)");

        assertThat(engine.manifest(REGION).manifestVersion()).isEqualTo(version);
        assertThat(parquetFiles()).isEmpty();
        assertThat(scan()).isEmpty();
    }

    @Test
    void copyRegionBringsTheNewestRowsOfAnotherRegion() {
        open();
        RegionId target = RegionId.of(1024, 2);
        engine.createRegion(metadata(target));
        engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("a", 1.0, 1L).put("b", 1.0, 1L).build());
        engine.flush(REGION);
        engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("a", 2.0, 1L).delete("b", null, 1L).build());
        engine.flush(REGION);

        engine.copyRegion(REGION, target);

        List<List<Object>> copied = new ArrayList<>();
        try (RegionScanner scanner = engine.scan(target, ScanRequest.all())) {
            scanner.forEachRemaining(copied::add);
        }
        assertThat(copied).containsExactly(List.of("a", 2.0, 1L));
        assertThat(engine.manifest(target).files()).hasSize(1);
    }

    @Test
    void aCompactionOfTheSourceDeletesNoFileACopyIsReading() throws Exception {
        open();
        RegionId target = RegionId.of(1024, 2);
        engine.createRegion(metadata(target));
        for (int i = 0; i < 4; i++) {
            engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("h" + i, 1.0, 1L).build());
            engine.flush(REGION);
        }

        List<FileMeta> copied = engine.region(REGION).withLiveFiles(manifest -> {
            engine.compact(REGION); // replaces the four files the copy is about to read
            assertThat(engine.manifest(REGION).files().keySet()).doesNotContainAnyElementsOf(manifest.files().keySet());
            assertThat(manifest.files().keySet()).as("replaced, but held").allSatisfy(
                    fileId -> assertThat(Region.sstPath(dir, REGION, fileId)).exists());
            return engine.region(target).copyFrom(manifest, Region.sstPath(dir, REGION, FileId.random()).getParent());
        });

        assertThat(copied).hasSize(1);
        List<List<Object>> rows = new ArrayList<>();
        try (RegionScanner scanner = engine.scan(target, ScanRequest.all())) {
            scanner.forEachRemaining(rows::add);
        }
        assertThat(rows).extracting(row -> row.get(0)).containsExactly("h0", "h1", "h2", "h3");
        assertThat(engine.manifest(REGION).files()).hasSize(1);
        assertThat(engine.manifest(REGION).files().keySet()).allSatisfy(
                fileId -> assertThat(Region.sstPath(dir, REGION, fileId)).exists());
        try (Stream<Path> files = Files.list(Region.sstPath(dir, REGION, FileId.random()).getParent())) {
            assertThat(files.filter(path -> path.toString().endsWith(".parquet")).count())
                    .as("the replaced files are deleted once the copy let go of them").isEqualTo(1);
        }
    }

    @Test
    void aDropThatACrashInterruptedIsFinishedAtTheNextOpen() {
        open();
        engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("a", 1.0, 1L).build());
        engine.flush(REGION);
        // The removal commits, then the process dies before the directory is deleted.
        engine.region(REGION).commitRemoval();
        engine.close();
        engine = RegolithEngine.open(EngineOptions.of(dir), RegionHooks.none());

        assertThatThrownBy(() -> engine.openRegion(REGION))
                .isInstanceOf(dev.regolith.engine.api.exceptions.RegionNotFoundException.class)
                .hasMessageContaining("it was dropped");
        assertThat(dir.resolve(REGION.toString())).doesNotExist();
        engine.createRegion(metadata(REGION));
        assertThat(scan()).isEmpty();
    }

    @Test
    void aDroppedRegionsWalEntriesStopPinningSegmentsAfterARestart() throws Exception {
        RegionId other = RegionId.of(1024, 2);
        EngineOptions options = EngineOptions.of(dir).with("wal.segment.bytes", "4096").with("compaction.auto", "false");
        engine = RegolithEngine.open(options, RegionHooks.none());
        engine.createRegion(metadata(REGION));
        engine.createRegion(metadata(other));
        for (int i = 0; i < 200; i++) { // both regions' entries in every segment
            engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("host-with-a-long-name", 1.0, (long) i).build());
            engine.write(other, WriteBatch.builder("hostname", "usage_user", "ts").put("host-with-a-long-name", 1.0, (long) i).build());
        }
        engine.dropRegion(REGION);
        engine.close();
        assertThat(walSegments()).isGreaterThan(2);

        engine = RegolithEngine.open(options, RegionHooks.none());
        engine.openRegion(other);
        engine.flush(other);

        assertThat(walSegments()).isLessThanOrEqualTo(1);
    }

    private long walSegments() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("wal"))) {
            return files.filter(path -> path.toString().endsWith(".wal")).count();
        }
    }

    @Test
    void dropRemovesTheDirectory() {
        open();
        engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("a", 1.0, 1L).build());
        engine.flush(REGION);
        engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("unflushed", 1.0, 2L).build());

        engine.dropRegion(REGION);

        assertThat(dir.resolve(REGION.toString())).doesNotExist();
        assertThat(engine.listRegions()).isEmpty();
        assertThat(engine.openRegions()).isEmpty();
        // Its unflushed WAL entries do not come back in a region created again with the same id.
        engine.createRegion(metadata(REGION));
        assertThat(scan()).isEmpty();
        engine.close();
        engine = RegolithEngine.open(EngineOptions.of(dir), RegionHooks.none());
        engine.openRegion(REGION);
        assertThat(scan()).isEmpty();
    }
}
