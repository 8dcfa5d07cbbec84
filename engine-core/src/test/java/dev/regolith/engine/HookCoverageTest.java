package dev.regolith.engine;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;

import dev.regolith.engine.api.AlterRequest;
import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.sst.SstWriteOptions;
import dev.regolith.engine.sst.SstWriter;
import dev.regolith.engine.testing.RecordingHook;
import dev.regolith.hooks.spi.FilesRemovedEvent;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.RegionClosedEvent;
import dev.regolith.hooks.spi.RegionDroppedEvent;
import dev.regolith.hooks.spi.RegionOpenedEvent;
import dev.regolith.hooks.spi.SstFilesWrittenEvent;
import dev.regolith.hooks.spi.WrittenSstFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hook coverage table of {@code RegionHook}'s Javadoc and docs/hooks.md, row by row: each
 * operation runs on a real region with a recording hook, and exactly the documented callbacks must
 * arrive, in order, with the documented action kinds. Every row also checks that manifest versions
 * only grow and that the files of {@code onSstFilesWritten} are the ones the next {@code Edit} adds.
 */
class HookCoverageTest {

    private static final RegionId OTHER = RegionId.of(1024, 2);

    @TempDir
    Path dir;

    /** One row of the table: what is set up first (not recorded), the operation, what it fires. */
    record Row(String operation, Consumer<Fixture> setup, Consumer<Fixture> run, List<String> fires) {
        @Override
        public String toString() {
            return operation;
        }
    }

    /** An engine with one region and a recording hook. */
    static final class Fixture {
        final Path dir;
        final RecordingHook hook = new RecordingHook("recorder");
        final EngineOptions options;
        RegolithEngine engine;

        Fixture(Path dir) {
            this.dir = dir;
            this.options = EngineOptions.of(dir)
                    .with("compaction.auto", "false")
                    .with("index.auto", "false")
                    .with("manifest.checkpoint.distance", "4");
            this.engine = RegolithEngine.open(options, RegionHooks.of(List.of(hook)));
        }

        Path externalFile;
        RegolithEngine follower;

        /** A follower of the region in a second engine on the same directory, with the same hook. */
        void followerOpened() {
            follower = RegolithEngine.open(options.with("wal.dir", "wal-follower"), RegionHooks.of(List.of(hook)));
            follower.openRegion(REGION, dev.regolith.engine.api.RegionRole.FOLLOWER);
        }

        Path externalSst() {
            Path file = dir.resolve("external.parquet");
            try (SstWriter writer = new SstWriter(new LocalFileIO(), file, metadata(REGION), SstWriteOptions.DEFAULT)) {
                writer.write(new InternalRow(new Object[] {"ext", 1.0, 5L}, 1, OpType.PUT));
                writer.finish(FileId.random(), 0);
            }
            return file;
        }

        void created() {
            engine.createRegion(metadata(REGION));
        }

        void write(long fromTs) {
            WriteBatch.Builder batch = WriteBatch.builder("hostname", "usage_user", "ts");
            for (int i = 0; i < 10; i++) {
                batch.put("h" + i, 1.0, fromTs + i);
            }
            engine.write(REGION, batch.build());
        }

        void writeAndFlush(long fromTs) {
            write(fromTs);
            engine.flush(REGION);
        }

        /** Waits until the hook has been delivered everything committed so far. */
        void drain() {
            assertThat(engine.drainHooks(java.time.Duration.ofSeconds(30))).as("hooks drained").isTrue();
            if (follower != null) {
                assertThat(follower.drainHooks(java.time.Duration.ofSeconds(30))).as("follower hooks drained").isTrue();
            }
        }

        void reopen() {
            engine.close();
            engine = RegolithEngine.open(options, RegionHooks.of(List.of(hook)));
        }
    }

    static List<Row> table() {
        long now = System.currentTimeMillis();
        return List.of(
                new Row("create region", fixture -> { }, fixture -> fixture.engine.createRegion(metadata(REGION)),
                        List.of("onManifestUpdated[CHANGE, EDIT]", "onRegionOpened")),
                new Row("flush", Fixture::created, fixture -> fixture.writeAndFlush(now),
                        List.of("onSstFilesWritten[FLUSH, 1 file]", "onManifestUpdated[EDIT]")),
                new Row("flush of an empty memtable", Fixture::created, fixture -> fixture.engine.flush(REGION), List.of()),
                new Row("local compaction", fixture -> {
                    fixture.created();
                    for (int i = 0; i < 4; i++) {
                        fixture.writeAndFlush(now + i);
                    }
                }, fixture -> fixture.engine.compact(REGION),
                        List.of("onSstFilesWritten[COMPACTION, 1 file]", "onManifestUpdated[EDIT]", "onFilesRemoved[4 files]")),
                new Row("TTL expiry", fixture -> {
                    fixture.created();
                    fixture.engine.alter(REGION, AlterRequest.setOption("ttl", "1h"));
                    fixture.writeAndFlush(1_000);
                }, fixture -> fixture.engine.compact(REGION),
                        List.of("onManifestUpdated[EDIT]", "onFilesRemoved[1 file]")),
                new Row("alter", Fixture::created,
                        fixture -> fixture.engine.alter(REGION, AlterRequest.addColumn(ColumnSchema.field("f", 9, DataType.INT64))),
                        List.of("onManifestUpdated[CHANGE]")),
                new Row("alter with unflushed rows", fixture -> {
                    fixture.created();
                    fixture.write(now);
                }, fixture -> fixture.engine.alter(REGION, AlterRequest.dropColumn("usage_user")),
                        List.of("onSstFilesWritten[FLUSH, 1 file]", "onManifestUpdated[EDIT]", "onManifestUpdated[CHANGE]")),
                new Row("truncate", fixture -> {
                    fixture.created();
                    fixture.writeAndFlush(now);
                    fixture.write(now + 100);
                }, fixture -> fixture.engine.truncate(REGION),
                        List.of("onManifestUpdated[TRUNCATE]", "onFilesRemoved[1 file]")),
                new Row("index build", fixture -> {
                    fixture.created();
                    fixture.writeAndFlush(now);
                    fixture.writeAndFlush(now + 100);
                }, fixture -> fixture.engine.buildIndexes(REGION), List.of("onManifestUpdated[EDIT]")),
                new Row("index build with nothing to index", fixture -> {
                    fixture.created();
                    fixture.writeAndFlush(now);
                    fixture.engine.buildIndexes(REGION);
                }, fixture -> fixture.engine.buildIndexes(REGION), List.of()),
                new Row("region edit (bulk ingest)", fixture -> {
                    fixture.created();
                    fixture.externalFile = fixture.externalSst();
                }, fixture -> fixture.engine.ingest(REGION, List.of(fixture.externalFile)), List.of("onManifestUpdated[EDIT]")),
                new Row("copy region", fixture -> {
                    fixture.engine.createRegion(metadata(OTHER));
                    fixture.engine.write(OTHER, WriteBatch.builder("hostname", "usage_user", "ts").put("x", 1.0, now).build());
                    fixture.engine.flush(OTHER);
                    fixture.created();
                }, fixture -> fixture.engine.copyRegion(OTHER, REGION), List.of("onManifestUpdated[EDIT]")),
                new Row("follower open, sync and close", fixture -> {
                    fixture.created();
                    fixture.writeAndFlush(now);
                    fixture.followerOpened();
                    fixture.writeAndFlush(now + 100);
                }, fixture -> {
                    fixture.follower.syncRegion(REGION);
                    fixture.follower.closeRegion(REGION);
                }, List.of()),
                new Row("enter staging", fixture -> {
                    fixture.created();
                    fixture.writeAndFlush(now);
                }, fixture -> fixture.engine.enterStaging(REGION, java.util.Optional.of("host < 'm'")), List.of()),
                new Row("staged write and flush", fixture -> {
                    fixture.created();
                    fixture.engine.enterStaging(REGION, java.util.Optional.of("host < 'm'"));
                }, fixture -> fixture.writeAndFlush(now), List.of("onSstFilesWritten[FLUSH, 1 file]")),
                new Row("staging apply", fixture -> {
                    fixture.created();
                    fixture.engine.enterStaging(REGION, java.util.Optional.of("host < 'm'"));
                    fixture.writeAndFlush(now);
                    fixture.write(now + 100);
                }, fixture -> fixture.engine.applyStaging(REGION),
                        List.of("onSstFilesWritten[FLUSH, 1 file]", "onManifestUpdated[PARTITION_EXPR_CHANGE, EDIT, EDIT]")),
                new Row("staging discard", fixture -> {
                    fixture.created();
                    fixture.engine.enterStaging(REGION, java.util.Optional.of("host < 'm'"));
                    fixture.writeAndFlush(now);
                }, fixture -> fixture.engine.discardStaging(REGION), List.of()),
                new Row("checkpoint and manifest cleanup", fixture -> {
                    fixture.created();
                    fixture.writeAndFlush(now); // version 2; the next commits reach the checkpoint at 4
                    fixture.writeAndFlush(now + 1);
                }, fixture -> fixture.writeAndFlush(now + 2),
                        List.of("onSstFilesWritten[FLUSH, 1 file]", "onManifestUpdated[EDIT]")),
                new Row("close region", Fixture::created, fixture -> fixture.engine.closeRegion(REGION),
                        List.of("onRegionClosed")),
                new Row("open region (WAL replay)", fixture -> {
                    fixture.created();
                    fixture.write(now);
                    fixture.reopen();
                }, fixture -> fixture.engine.openRegion(REGION), List.of("onRegionOpened")),
                new Row("drop region", fixture -> {
                    fixture.created();
                    fixture.writeAndFlush(now);
                }, fixture -> fixture.engine.dropRegion(REGION),
                        List.of("onManifestUpdated[REMOVE]", "onRegionDropped")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void operationFiresExactlyWhatTheTableSays(Row row) throws Exception {
        Fixture fixture = new Fixture(dir);
        try {
            row.setup.accept(fixture);
            fixture.drain();
            List<Object> before = fixture.hook.events();
            fixture.hook.clear();

            row.run.accept(fixture);
            fixture.drain();

            List<Object> events = fixture.hook.events().stream()
                    .filter(event -> !(event instanceof ManifestUpdatedEvent update) || update.regionId().equals(REGION))
                    .toList();
            assertThat(events.stream().map(HookCoverageTest::describe).toList()).as(row.operation).isEqualTo(row.fires);
            List<Object> all = new ArrayList<>(before);
            all.addAll(events);
            assertVersionsIncrease(all);
            assertSstEventsMatchTheirEdit(all);
        }
        finally {
            fixture.engine.close();
            if (fixture.follower != null) {
                fixture.follower.close();
            }
        }
        if (row.operation.startsWith("checkpoint")) {
            try (Stream<Path> files = Files.list(dir.resolve(REGION.toString()).resolve("manifest"))) {
                assertThat(files.map(path -> path.getFileName().toString()).toList()).contains("_last_checkpoint");
            }
        }
    }

    static String describe(Object event) {
        if (event instanceof ManifestUpdatedEvent update) {
            return "onManifestUpdated" + update.actions().kinds();
        }
        if (event instanceof SstFilesWrittenEvent written) {
            return "onSstFilesWritten[" + written.reason() + ", " + written.files().size() + " file"
                    + (written.files().size() == 1 ? "]" : "s]");
        }
        if (event instanceof FilesRemovedEvent removed) {
            return "onFilesRemoved[" + removed.fileIds().size() + " file" + (removed.fileIds().size() == 1 ? "]" : "s]");
        }
        if (event instanceof RegionOpenedEvent) {
            return "onRegionOpened";
        }
        if (event instanceof RegionClosedEvent) {
            return "onRegionClosed";
        }
        if (event instanceof RegionDroppedEvent) {
            return "onRegionDropped";
        }
        throw new AssertionError("unexpected event " + event);
    }

    private static void assertVersionsIncrease(List<Object> events) {
        java.util.Map<RegionId, Long> last = new java.util.HashMap<>();
        for (Object event : events) {
            if (event instanceof ManifestUpdatedEvent update) {
                Long previous = last.put(update.regionId(), update.manifestVersion());
                if (previous != null) {
                    assertThat(update.manifestVersion()).as("manifest versions of %s", update.regionId()).isGreaterThan(previous);
                }
            }
        }
    }

    /**
     * The files of each onSstFilesWritten are added by one later manifest update of the region,
     * all together, and by no earlier one. (Not necessarily the next update: updates are delivered
     * asynchronously, so the SST callback of a later flush may overtake the update of an earlier
     * one still queued; it never overtakes the update that adds its own files.)
     */
    private static void assertSstEventsMatchTheirEdit(List<Object> events) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) instanceof SstFilesWrittenEvent written) {
                List<FileMeta> files = written.files().stream().map(WrittenSstFile::meta).toList();
                for (int j = 0; j < events.size(); j++) {
                    if (events.get(j) instanceof ManifestUpdatedEvent update && update.regionId().equals(written.regionId())) {
                        List<FileMeta> added = update.actions().actions().stream()
                                .filter(ManifestAction.Edit.class::isInstance)
                                .flatMap(action -> ((ManifestAction.Edit) action).filesToAdd().stream())
                                .toList();
                        if (added.stream().anyMatch(files::contains)) {
                            assertThat(j).as("the update adding the files of an onSstFilesWritten comes after it").isGreaterThan(i);
                            assertThat(added).containsAll(files);
                            break;
                        }
                    }
                }
            }
        }
    }
}
