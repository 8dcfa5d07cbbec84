package dev.regolith.samples.sstcatalog;

import static dev.regolith.testkit.HookTestKit.START_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.RegionScanner;
import dev.regolith.engine.api.ScanRequest;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.hooks.spi.HookContext;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.ReconcileEvent;
import dev.regolith.hooks.spi.RegionDroppedEvent;
import dev.regolith.hooks.spi.RegionOpenedEvent;
import dev.regolith.hooks.spi.SstFiles;
import dev.regolith.samples.sstcatalog.RegionCatalog.CatalogFile;
import dev.regolith.testkit.HookTestKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SstCatalogHookTest {

    private static final RegionId REGION = HookTestKit.REGION;
    private static final String VIEW = "region_" + REGION;

    @TempDir
    Path dir;

    private Path catalogDir() {
        return dir.resolve("catalog");
    }

    /** A kit whose hook writes to {@link #catalogDir()}; {@code compact()} merges as few as two files. */
    private HookTestKit.Builder<SstCatalogHook> kit() {
        return HookTestKit.builder(SstCatalogHook::new, dir)
                .hookOption("dir", catalogDir().toString())
                .engineOption("compaction.trigger.files", "2");
    }

    private Path json() {
        return catalogDir().resolve(REGION + ".json");
    }

    private Path sql() {
        return catalogDir().resolve(REGION + ".sql");
    }

    private RegionCatalog catalog() throws IOException {
        return CatalogJson.read(Files.readString(json()), json());
    }

    /** The catalog on disk is the manifest's: same version, schema and files, each file where it is. */
    private void assertCatalogMatchesManifest(HookTestKit<?> kit) throws IOException {
        RegionManifest manifest = kit.manifest();
        RegionCatalog catalog = catalog();
        assertThat(catalog.manifestVersion()).isEqualTo(manifest.manifestVersion());
        assertThat(catalog.schemaVersion()).isEqualTo(manifest.metadata().schemaVersion());
        assertThat(catalog.columns()).isEqualTo(manifest.metadata().columns());
        assertThat(catalog.partitionExpr()).isEqualTo(manifest.partitionExpr());
        assertThat(catalog.files().keySet()).containsExactlyElementsOf(manifest.files().keySet());
        for (FileMeta meta : manifest.files().values()) {
            CatalogFile file = catalog.files().get(meta.fileId());
            assertThat(file.path()).isAbsolute().isRegularFile().hasFileName(meta.fileId() + ".parquet");
            assertThat(file.path().getParent()).hasFileName(REGION.toString());
            assertThat(List.of(file.level(), file.rows(), file.bytes(), file.rowGroups(), file.minTimeMillis(), file.maxTimeMillis()))
                    .isEqualTo(List.of(meta.level(), meta.numRows(), meta.fileSize(), meta.numRowGroups(), meta.timeRange().start(),
                            meta.timeRange().end()));
        }
        assertThat(Files.readString(sql())).isEqualTo(DuckDbView.script(catalog));
    }

    /** DuckDB, running the catalog's script, returns exactly the rows a scan of the region returns. */
    private static void assertViewMatchesScan(HookTestKit<?> kit, Path script) {
        List<List<Object>> scanned = scan(kit);
        assertThat(DuckDb.count(script, VIEW)).isEqualTo(scanned.size());
        assertThat(DuckDb.query(script, "SELECT host, usage, epoch_ms(ts) FROM " + VIEW + " ORDER BY host, ts"))
                .isEqualTo(scanned);
    }

    private static List<List<Object>> scan(HookTestKit<?> kit) {
        List<List<Object>> rows = new ArrayList<>();
        try (RegionScanner scanner = kit.engine().scan(kit.region(), ScanRequest.all().withProjection(List.of("host", "usage", "ts")))) {
            scanner.forEachRemaining(rows::add);
        }
        return rows;
    }

    private static List<Long> versions(long first, long last) {
        List<Long> versions = new ArrayList<>();
        for (long v = first; v <= last; v++) {
            versions.add(v);
        }
        return versions;
    }

    @Test
    void hookIsRegisteredUnderItsName() {
        HookTestKit.assertRegistered(SstCatalogHook.class);
        assertThat(new SstCatalogHook().name()).isEqualTo("sst-catalog");
    }

    @Test
    void newRegionHasAViewWithItsColumnsAndNoRows() throws IOException {
        try (HookTestKit<SstCatalogHook> kit = kit().start()) {
            kit.drain();

            assertCatalogMatchesManifest(kit);
            assertThat(catalog().files()).isEmpty();
            assertThat(DuckDb.count(sql(), VIEW)).isZero();
            assertThat(DuckDb.describe(sql(), VIEW))
                    .containsExactly("host VARCHAR", "usage DOUBLE", "ts TIMESTAMP WITH TIME ZONE");
        }
    }

    @Test
    void flushesAddTheirFilesAndTheViewReturnsTheScansRows() throws IOException {
        try (HookTestKit<SstCatalogHook> kit = kit().start()) {
            kit.write(100);
            kit.flush();
            kit.write(50);
            kit.flush();
            kit.drain();

            assertCatalogMatchesManifest(kit);
            assertThat(catalog().files()).hasSize(2);
            assertThat(catalog().files().values()).allSatisfy(file -> assertThat(file.level()).isZero());
            assertThat(catalog().files().values()).extracting(CatalogFile::minTimeMillis).contains(START_MILLIS);
            assertViewMatchesScan(kit, sql());
            assertThat(DuckDb.count(sql(), VIEW)).isEqualTo(150);
            assertThat(kit.hook().sqlFile(REGION)).isEqualTo(sql());
            assertThat(kit.hook().jsonFile(REGION)).isEqualTo(json());
        }
    }

    @Test
    void viewKeepsTheNewestVersionOfEachRowAndLeavesDeletedRowsOut() throws IOException {
        try (HookTestKit<SstCatalogHook> kit = kit().start()) {
            kit.write(40); // host-0..host-9, four seconds each
            kit.flush();
            // Overwrite two rows of the first file (same host and ts), and put one new row.
            kit.write(WriteBatch.builder("host", "usage", "ts")
                    .put("host-0", 99.0, START_MILLIS)
                    .put("host-1", 98.0, START_MILLIS + 1_000)
                    .put("host-new", 1.0, START_MILLIS)
                    .build());
            kit.flush();
            // Delete an overwritten row, a row of the first file only, the new row, and a row that never existed.
            kit.write(WriteBatch.builder("host", "ts")
                    .delete("host-0", START_MILLIS)
                    .delete("host-2", START_MILLIS + 2_000)
                    .delete("host-new", START_MILLIS)
                    .delete("host-none", START_MILLIS)
                    .build());
            kit.flush();
            // Put back a deleted row, and overwrite the same row twice in one file.
            kit.write(WriteBatch.builder("host", "usage", "ts")
                    .put("host-2", 7.0, START_MILLIS + 2_000)
                    .put("host-3", 5.0, START_MILLIS + 3_000)
                    .build());
            kit.write(WriteBatch.builder("host", "usage", "ts").put("host-3", 6.0, START_MILLIS + 3_000).build());
            kit.flush();
            kit.drain();

            assertThat(catalog().files()).hasSize(4);
            assertViewMatchesScan(kit, sql());
            assertThat(DuckDb.count(sql(), VIEW)).isEqualTo(40 - 1);
            assertThat(DuckDb.query(sql(), "SELECT host, epoch_ms(ts) - " + START_MILLIS + ", usage FROM " + VIEW
                    + " WHERE epoch_ms(ts) < " + (START_MILLIS + 4_000) + " ORDER BY host"))
                    .containsExactly(List.of("host-1", 1_000L, 98.0), List.of("host-2", 2_000L, 7.0), List.of("host-3", 3_000L, 6.0));
        }
    }

    @Test
    void compactionReplacesItsInputsWithItsOutput() throws IOException {
        try (HookTestKit<SstCatalogHook> kit = kit().start()) {
            kit.write(60);
            kit.flush();
            kit.write(WriteBatch.builder("host", "usage", "ts").put("host-0", 42.0, START_MILLIS).build());
            kit.write(WriteBatch.builder("host", "ts").delete("host-1", START_MILLIS + 1_000).build());
            kit.flush();
            kit.write(30);
            kit.flush();
            kit.drain();
            List<FileId> flushed = List.copyOf(catalog().files().keySet());

            kit.compact();
            kit.drain();

            assertCatalogMatchesManifest(kit);
            assertThat(catalog().files().keySet()).doesNotContainAnyElementsOf(flushed).isNotEmpty();
            assertThat(catalog().files().values()).allSatisfy(file -> assertThat(file.level()).isEqualTo(1));
            assertViewMatchesScan(kit, sql());
            assertThat(DuckDb.count(sql(), VIEW)).isEqualTo(89);
        }
    }

    @Test
    void addedColumnShowsInTheViewBeforeAndAfterAFileHasIt() throws IOException {
        try (HookTestKit<SstCatalogHook> kit = kit().start()) {
            kit.write(20);
            kit.flush();
            kit.addField("extra");
            kit.drain();

            assertCatalogMatchesManifest(kit);
            assertThat(catalog().schemaVersion()).isEqualTo(1);
            assertThat(DuckDb.describe(sql(), VIEW))
                    .containsExactly("host VARCHAR", "usage DOUBLE", "ts TIMESTAMP WITH TIME ZONE", "extra DOUBLE");
            assertThat(DuckDb.query(sql(), "SELECT count(*), count(extra) FROM " + VIEW)).containsExactly(List.of(20L, 0L));

            kit.write(WriteBatch.builder("host", "usage", "ts", "extra")
                    .put("host-x", 1.0, START_MILLIS, 2.5)
                    .put("host-0", 3.0, START_MILLIS, 4.5) // overwrites a row of the file without the column
                    .build());
            kit.flush();
            kit.drain();

            assertCatalogMatchesManifest(kit);
            assertViewMatchesScan(kit, sql());
            assertThat(DuckDb.query(sql(), "SELECT host, extra FROM " + VIEW + " WHERE extra IS NOT NULL ORDER BY host"))
                    .containsExactly(List.of("host-0", 4.5), List.of("host-x", 2.5));
        }
    }

    @Test
    void truncateLeavesAViewWithTheRegionsColumnsAndNoRows() throws IOException {
        try (HookTestKit<SstCatalogHook> kit = kit().start()) {
            kit.write(30);
            kit.flush();
            kit.addField("extra");
            kit.truncate();
            kit.drain();

            assertThat(kit.deliveredActionKinds()).last().isEqualTo(List.of(ManifestAction.Kind.TRUNCATE));
            assertCatalogMatchesManifest(kit);
            assertThat(catalog().files()).isEmpty();
            assertThat(DuckDb.count(sql(), VIEW)).isZero();
            assertThat(DuckDb.describe(sql(), VIEW)).endsWith("extra DOUBLE");

            kit.write(5);
            kit.flush();
            kit.drain();
            assertViewMatchesScan(kit, sql());
        }
    }

    @Test
    void stagingApplyRecordsThePartitionExpressionAndTheStagedFiles() throws IOException {
        try (HookTestKit<SstCatalogHook> kit = kit().start()) {
            kit.write(20);
            kit.flush();
            kit.enterStaging("host < 'host-5'");
            kit.write(10);
            kit.flush();
            kit.drain();
            long staged = catalog().manifestVersion();
            assertThat(catalog().partitionExpr()).isEmpty();

            kit.applyStaging();
            kit.drain();

            assertThat(kit.deliveredActionKinds()).last().asList().contains(ManifestAction.Kind.PARTITION_EXPR_CHANGE);
            assertThat(catalog().manifestVersion()).isGreaterThan(staged);
            assertThat(catalog().partitionExpr()).contains("host < 'host-5'");
            assertThat(Files.readString(json())).contains("\"partitionExpr\": \"host < 'host-5'\"");
            assertCatalogMatchesManifest(kit);
            assertViewMatchesScan(kit, sql());
            assertThat(DuckDb.count(sql(), VIEW)).isEqualTo(30);
        }
    }

    @Test
    void dropRegionDeletesBothFiles() throws IOException {
        try (HookTestKit<SstCatalogHook> kit = kit().start()) {
            kit.write(10);
            kit.flush();
            kit.drain();
            assertThat(json()).exists();
            assertThat(sql()).exists();

            kit.dropRegion();
            kit.drain();

            assertThat(json()).doesNotExist();
            assertThat(sql()).doesNotExist();
            try (var listing = Files.list(catalogDir())) {
                assertThat(listing).isEmpty();
            }
        }
    }

    @Test
    void redeliveringEveryEventLeavesBothFilesByteIdentical() throws IOException {
        try (HookTestKit<SstCatalogHook> kit = kit().start()) {
            kit.write(30);
            kit.flush();
            kit.write(WriteBatch.builder("host", "ts").delete("host-0", START_MILLIS).build());
            kit.flush();
            kit.compact();
            kit.addField("extra");
            kit.write(10);
            kit.flush();
            kit.truncate();
            kit.write(10);
            kit.flush();
            kit.restart();
            kit.write(5);
            kit.flush();
            kit.drain();
            byte[] jsonBefore = Files.readAllBytes(json());
            byte[] sqlBefore = Files.readAllBytes(sql());

            kit.redeliverAll();

            assertThat(Files.readAllBytes(json())).isEqualTo(jsonBefore);
            assertThat(Files.readAllBytes(sql())).isEqualTo(sqlBefore);
            assertCatalogMatchesManifest(kit);
            assertViewMatchesScan(kit, sql());
        }
    }

    @Test
    void commitsTheHookNeverSawBeforeACrashAreCaughtUpFromTheManifest() throws IOException {
        try (HookTestKit<SstCatalogHook> kit = kit().start()) {
            kit.write(20);
            kit.flush();
            kit.drain();
            long seen = catalog().manifestVersion();

            kit.crashBeforeDelivery(() -> {
                kit.write(20);
                kit.flush();
                kit.write(WriteBatch.builder("host", "usage", "ts").put("host-0", 5.0, START_MILLIS).build());
                kit.flush();
                kit.compact();
                kit.addField("extra");
            });
            kit.drain();

            assertThat(kit.deliveredVersions()).containsSubsequence(versions(seen + 1, kit.manifest().manifestVersion()));
            assertThat(kit.events(ReconcileEvent.class)).isEmpty();
            assertCatalogMatchesManifest(kit);
            assertViewMatchesScan(kit, sql());
            assertThat(DuckDb.count(sql(), VIEW)).isEqualTo(40);
        }
    }

    @Test
    void reconcileRebuildsTheCatalogWhenTheDeltasItNeedsAreGone() throws IOException {
        try (HookTestKit<SstCatalogHook> kit = kit()
                .engineOption("manifest.checkpoint.distance", "2")
                .engineOption("manifest.retained.deltas.max", "1")
                .start()) {
            kit.write(20);
            kit.flush();
            kit.drain();

            kit.crashBeforeDelivery(() -> {
                for (int i = 0; i < 4; i++) {
                    kit.write(10);
                    kit.flush();
                }
                kit.compact();
                kit.write(10);
                kit.flush();
            });
            kit.drain();

            assertThat(kit.events(ReconcileEvent.class)).singleElement()
                    .satisfies(reconcile -> assertThat(reconcile.manifestVersion()).isEqualTo(kit.manifest().manifestVersion()));
            assertCatalogMatchesManifest(kit);
            assertViewMatchesScan(kit, sql());
            assertThat(DuckDb.count(sql(), VIEW)).isEqualTo(70);
        }
    }

    @Test
    void regionsAreCatalogedEachInItsOwnFiles() throws IOException {
        RegionId other = RegionId.of(4096, 2);
        try (HookTestKit<SstCatalogHook> kit = kit().engineOption("hooks.sst-catalog.threads", "2").start()) {
            kit.engine().createRegion(new RegionMetadata(other, HookTestKit.defaultSchema().columns()));
            kit.write(30);
            kit.engine().write(other, WriteBatch.builder("host", "usage", "ts").put("a", 1.0, START_MILLIS).build());
            kit.flush();
            kit.engine().flush(other);
            kit.drain();

            assertCatalogMatchesManifest(kit);
            Path otherSql = catalogDir().resolve(other + ".sql");
            RegionCatalog otherCatalog = CatalogJson.read(Files.readString(catalogDir().resolve(other + ".json")), otherSql);
            assertThat(otherCatalog.files().keySet()).containsExactlyElementsOf(kit.engine().manifest(other).files().keySet());
            assertThat(DuckDb.count(otherSql, "region_" + other)).isEqualTo(1);
            assertThat(DuckDb.count(sql(), VIEW)).isEqualTo(30);
        }
    }

    @Test
    void aNewHookInstanceReadsTheVersionBackAndSkipsWhatTheCatalogHas() throws IOException {
        List<ManifestUpdatedEvent> updates;
        try (HookTestKit<SstCatalogHook> kit = kit().start()) {
            kit.write(10);
            kit.flush();
            kit.write(10);
            kit.flush();
            kit.drain();
            updates = kit.events(ManifestUpdatedEvent.class);
        }
        byte[] jsonBefore = Files.readAllBytes(json());
        Files.delete(sql()); // a lost view is written again from the JSON
        SstCatalogHook hook = init(Map.of("dir", catalogDir().toString()));

        // The flush before last, delivered again: a hook that did not read the version back would see a gap.
        hook.onManifestUpdated(updates.get(updates.size() - 2));

        assertThat(Files.readAllBytes(json())).isEqualTo(jsonBefore);
        assertThat(Files.readString(sql())).isEqualTo(DuckDbView.script(catalog()));
        assertThat(DuckDb.count(sql(), VIEW)).isEqualTo(20);
    }

    @Test
    void anUpdateAfterAGapDeletesTheCatalogUntilAReconcileRebuildsIt() throws IOException {
        List<ManifestUpdatedEvent> updates;
        RegionManifest manifest;
        byte[] oldJson;
        try (HookTestKit<SstCatalogHook> kit = kit().start()) {
            kit.write(10);
            kit.flush();
            kit.drain();
            oldJson = Files.readAllBytes(json());
            kit.write(10);
            kit.flush();
            kit.write(10);
            kit.flush();
            kit.drain();
            updates = kit.events(ManifestUpdatedEvent.class);
            manifest = kit.manifest();
        }
        // The catalog is put back to an older copy: the last update does not follow it.
        Files.write(json(), oldJson);
        SstCatalogHook hook = init(Map.of("dir", catalogDir().toString()));

        hook.onManifestUpdated(updates.get(updates.size() - 1));

        assertThat(json()).doesNotExist();
        assertThat(sql()).doesNotExist();

        hook.onReconcile(new ReconcileEvent(REGION, manifest, 2, manifest.manifestVersion()));

        assertThat(catalog().manifestVersion()).isEqualTo(manifest.manifestVersion());
        assertThat(catalog().files().keySet()).containsExactlyElementsOf(manifest.files().keySet());
        assertThat(DuckDb.count(sql(), VIEW)).isEqualTo(30);
    }

    @Test
    void aWholeManifestWritesBackACatalogDeletedByHand() throws IOException {
        RegionManifest manifest;
        try (HookTestKit<SstCatalogHook> kit = kit().start()) {
            kit.write(10);
            kit.flush();
            kit.drain();
            manifest = kit.manifest();
        }
        SstCatalogHook hook = init(Map.of("dir", catalogDir().toString()));
        hook.onRegionOpened(new RegionOpenedEvent(REGION, manifest));
        byte[] jsonBefore = Files.readAllBytes(json());
        Files.delete(json());
        Files.delete(sql());
        Files.delete(catalogDir());

        hook.onRegionOpened(new RegionOpenedEvent(REGION, manifest));

        assertThat(Files.readAllBytes(json())).isEqualTo(jsonBefore);
        assertThat(DuckDb.count(sql(), VIEW)).isEqualTo(10);
    }

    @Test
    void identifiersAndPathsWithQuotesAreQuoted() throws IOException {
        Path quoted = dir.resolve("it's a \"data\" dir");
        RegionMetadata schema = new RegionMetadata(REGION, List.of(
                ColumnSchema.tag("the \"host\"", 1, DataType.STRING),
                ColumnSchema.field("o'clock", 2, DataType.INT64),
                ColumnSchema.timeIndex("select", 3, DataType.TIMESTAMP_MILLIS)));
        try (HookTestKit<SstCatalogHook> kit = HookTestKit.builder(SstCatalogHook::new, quoted)
                .hookOption("dir", catalogDir().toString())
                .schema(schema)
                .start()) {
            kit.write(WriteBatch.builder("the \"host\"", "o'clock", "select")
                    .put("a'b\"c", 1L, START_MILLIS)
                    .put("a'b\"c", 2L, START_MILLIS)
                    .put("d", 3L, START_MILLIS)
                    .build());
            kit.flush();
            kit.drain();

            assertThat(catalog().files().values()).allSatisfy(file -> assertThat(file.path().toString()).contains("it's a \"data\" dir"));
            assertThat(DuckDb.describe(sql(), VIEW))
                    .containsExactly("the \"host\" VARCHAR", "o'clock BIGINT", "select TIMESTAMP WITH TIME ZONE");
            assertThat(DuckDb.query(sql(), "SELECT \"the \"\"host\"\"\", \"o'clock\" FROM " + VIEW + " ORDER BY 1"))
                    .containsExactly(List.of("a'b\"c", 2L), List.of("d", 3L));
        }
    }

    @Test
    void everyColumnTypeReadsTheSameWithAndWithoutFiles() throws IOException {
        for (DataType timeIndex : List.of(DataType.TIMESTAMP_MILLIS, DataType.TIMESTAMP_MICROS, DataType.TIMESTAMP_NANOS)) {
            Path kitDir = dir.resolve(timeIndex.name());
            RegionMetadata schema = new RegionMetadata(REGION, List.of(
                    ColumnSchema.tag("tag", 1, DataType.STRING),
                    ColumnSchema.tag("number", 2, DataType.INT32),
                    ColumnSchema.field("flag", 3, DataType.BOOLEAN),
                    ColumnSchema.field("count", 4, DataType.INT64),
                    ColumnSchema.field("ratio", 5, DataType.FLOAT32),
                    ColumnSchema.field("value", 6, DataType.FLOAT64),
                    ColumnSchema.field("payload", 7, DataType.BINARY),
                    ColumnSchema.timeIndex("ts", 8, timeIndex)));
            try (HookTestKit<SstCatalogHook> kit = HookTestKit.builder(SstCatalogHook::new, kitDir)
                    .hookOption("dir", kitDir.resolve("catalog").toString())
                    .schema(schema)
                    .start()) {
                kit.drain();
                Path script = kitDir.resolve("catalog").resolve(REGION + ".sql");
                List<String> withoutFiles = DuckDb.describe(script, VIEW);
                long written = timeIndex == DataType.TIMESTAMP_MILLIS ? 1_700_000_000_123L : 1_700_000_000_123_456L;

                kit.write(WriteBatch.builder("tag", "number", "flag", "count", "ratio", "value", "payload", "ts")
                        .put("a", 1, true, 2L, 0.5f, 1.5, new byte[] {1, 2}, written)
                        .put(null, null, null, null, null, null, null, written + 1)
                        .build());
                kit.flush();
                kit.drain();

                assertThat(DuckDb.describe(script, VIEW)).as("columns of %s", timeIndex).isEqualTo(withoutFiles);
                assertThat(DuckDb.count(script, VIEW)).isEqualTo(2);
                String epoch = switch (timeIndex) {
                    case TIMESTAMP_MILLIS -> "epoch_ms";
                    case TIMESTAMP_MICROS -> "epoch_us";
                    default -> "epoch_ns";
                };
                assertThat(DuckDb.query(script, "SELECT tag, number, flag, count, ratio, value, hex(payload), " + epoch + "(ts) FROM "
                        + VIEW + " ORDER BY ts"))
                        .as("values of %s", timeIndex)
                        .containsExactly(List.of("a", 1, true, 2L, 0.5f, 1.5, "0102", written),
                                Arrays.asList(null, null, null, null, null, null, null, written + 1));
                long millis = RegionCatalog.toMillis(written, timeIndex);
                assertThat(CatalogJson.read(Files.readString(kitDir.resolve("catalog").resolve(REGION + ".json")), script)
                        .files().values()).singleElement().satisfies(file -> assertThat(file.minTimeMillis()).isEqualTo(millis));
            }
        }
    }

    @Test
    void invalidDirectoryOptionIsRejectedWithItsName() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");

        assertThatThrownBy(() -> init(Map.of("dir", " ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid hooks.sst-catalog.dir: ' ' (expected a directory path");
        assertThatThrownBy(() -> init(Map.of("dir", file.resolve("catalog").toString())))
                .hasMessageStartingWith("sst-catalog cannot create its directory " + file.resolve("catalog")
                        + " (hooks.sst-catalog.dir): ");
    }

    @Test
    void eventsBeforeInitAreRejected() {
        assertThatThrownBy(() -> new SstCatalogHook().onRegionDropped(new RegionDroppedEvent(REGION, 3)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("sst-catalog is not initialized: init was not called");
    }

    /** A hook initialized outside the kit, on the SST layout the kit's engine uses ({@code dir/data/<region>/<file>.parquet}). */
    private SstCatalogHook init(Map<String, String> options) {
        SstCatalogHook hook = new SstCatalogHook();
        hook.init(new HookContext() {
            @Override
            public String hookName() {
                return SstCatalogHook.NAME;
            }

            @Override
            public Map<String, String> options() {
                return options;
            }

            @Override
            public SstFiles sstFiles() {
                return new SstFiles() {
                    @Override
                    public Path path(RegionId regionId, FileId fileId) {
                        return dir.resolve("data").resolve(regionId.toString()).resolve(fileId + ".parquet");
                    }

                    @Override
                    public void forEachValue(Path file, String column, Consumer<Object> action) {
                        throw new UnsupportedOperationException("the catalog reads no values");
                    }
                };
            }
        });
        return hook;
    }
}
