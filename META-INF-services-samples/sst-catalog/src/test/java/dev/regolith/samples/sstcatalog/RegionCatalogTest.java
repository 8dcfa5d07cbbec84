package dev.regolith.samples.sstcatalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileIndex;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestAction.Change;
import dev.regolith.engine.api.ManifestAction.Edit;
import dev.regolith.engine.api.ManifestAction.PartitionExprChange;
import dev.regolith.engine.api.ManifestAction.Remove;
import dev.regolith.engine.api.ManifestAction.TruncateAll;
import dev.regolith.engine.api.ManifestAction.TruncatePartial;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.TimeRange;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class RegionCatalogTest {

    private static final RegionId REGION = RegionId.of(7, 3);
    private static final Function<FileId, Path> PATHS = fileId -> Path.of("/data", REGION.toString(), fileId + ".parquet");
    private static final RegionMetadata SCHEMA = new RegionMetadata(REGION, List.of(ColumnSchema.tag("host", 1, DataType.STRING),
            ColumnSchema.timeIndex("ts", 2, DataType.TIMESTAMP_MICROS)));
    private static final RegionMetadata ALTERED = new RegionMetadata(REGION, List.of(ColumnSchema.tag("host", 1, DataType.STRING),
            ColumnSchema.timeIndex("ts", 2, DataType.TIMESTAMP_MICROS), ColumnSchema.field("extra", 3, DataType.FLOAT64)), 1, Map.of());

    private static FileMeta file(int n) {
        return new FileMeta(REGION, new FileId(new UUID(0, n)), new TimeRange(-1_500, n * 1_000_000L + 999), n % 2, 100L * n, 10L * n, n,
                n, Optional.empty());
    }

    private static Edit add(FileMeta... files) {
        return Edit.ofFiles(List.of(files), List.of());
    }

    private static Edit replace(List<FileMeta> added, List<FileMeta> removed) {
        return Edit.ofFiles(added, removed);
    }

    /** The actions of versions 1 to 7 of a region's life: create, flushes, compaction, alter, truncates, staging apply. */
    private static final List<List<ManifestAction>> HISTORY = List.of(
            List.of(new Change(SCHEMA), new Edit(List.of(), List.of(), OptionalLong.of(0), OptionalLong.empty(), Optional.empty())),
            List.of(add(file(1))),
            List.of(add(file(2), file(3))),
            List.of(replace(List.of(file(4)), List.of(file(1), file(2)))),
            List.of(new Change(ALTERED)),
            List.of(new TruncatePartial(List.of(file(3)))),
            List.of(new PartitionExprChange(Optional.of("host < 'm'")), add(file(5)), add(file(4).withIndex(new FileIndex(List.of("host"), 10, 1)))));

    private static RegionCatalog replay(int fromVersion, RegionCatalog base, int toVersion) {
        RegionCatalog.Builder builder = base == null ? new RegionCatalog.Builder(REGION, PATHS) : new RegionCatalog.Builder(base, PATHS);
        for (int version = fromVersion; version <= toVersion; version++) {
            HISTORY.get(version - 1).forEach(builder::apply);
        }
        return builder.build(toVersion).orElseThrow();
    }

    @Test
    void actionsGiveTheFilesTheManifestHas() {
        RegionCatalog catalog = replay(1, null, 7);

        assertThat(catalog.manifestVersion()).isEqualTo(7);
        assertThat(catalog.schemaVersion()).isEqualTo(1);
        assertThat(catalog.columns()).isEqualTo(ALTERED.columns());
        assertThat(catalog.partitionExpr()).contains("host < 'm'");
        assertThat(catalog.files().keySet()).containsExactly(file(4).fileId(), file(5).fileId());
        assertThat(catalog.rowKey()).extracting(ColumnSchema::name).containsExactly("host", "ts");
    }

    @Test
    void catalogBuiltFromTheManifestEqualsTheOneBuiltActionByAction() {
        RegionManifest manifest = new RegionManifest(ALTERED, Map.of(file(4).fileId(), file(4).withIndex(new FileIndex(List.of("host"), 10, 1)),
                file(5).fileId(), file(5)), 0, 0, OptionalLong.empty(), Optional.empty(), Optional.of("host < 'm'"), 7);

        assertThat(RegionCatalog.of(manifest, PATHS)).isEqualTo(replay(1, null, 7));
    }

    @Test
    void applyingVersionsTheCatalogHasAgainChangesNothing() {
        RegionCatalog atFive = replay(1, null, 5);
        RegionCatalog atSeven = replay(1, null, 7);

        for (int from = 1; from <= 5; from++) {
            assertThat(replay(from, atFive, 7)).as("versions %d to 7 on the catalog at 5", from).isEqualTo(atSeven);
        }
    }

    @Test
    void filesRecordTheirPathAndTimeRangeInMillisecondsRoundedDown() {
        RegionCatalog.CatalogFile file = replay(1, null, 2).files().get(file(1).fileId());

        assertThat(file.path()).isEqualTo(Path.of("/data/7_0000000003/00000000-0000-0000-0000-000000000001.parquet"));
        assertThat(List.of(file.level(), file.rows(), file.bytes(), file.rowGroups(), file.minTimeMillis(), file.maxTimeMillis()))
                .containsExactly(1, 10L, 100L, 1L, -2L, 1_000L);
    }

    @Test
    void timestampsOfEveryUnitBecomeMilliseconds() {
        assertThat(RegionCatalog.toMillis(1_234, DataType.TIMESTAMP_MILLIS)).isEqualTo(1_234);
        assertThat(RegionCatalog.toMillis(1_234_999, DataType.TIMESTAMP_MICROS)).isEqualTo(1_234);
        assertThat(RegionCatalog.toMillis(1_234_999_999, DataType.TIMESTAMP_NANOS)).isEqualTo(1_234);
        assertThat(RegionCatalog.toMillis(-1, DataType.TIMESTAMP_NANOS)).isEqualTo(-1);
        assertThatThrownBy(() -> RegionCatalog.toMillis(1, DataType.INT64))
                .hasMessage("Invalid time index type INT64: not a timestamp type");
    }

    @Test
    void truncateAllDropsEveryFileAndRemoveEndsTheCatalog() {
        RegionCatalog.Builder builder = new RegionCatalog.Builder(replay(1, null, 3), PATHS);
        builder.apply(new TruncateAll(10, 20));
        assertThat(builder.build(4).orElseThrow().files()).isEmpty();

        builder.apply(new Remove(REGION));
        assertThat(builder.build(5)).isEmpty();
    }

    @Test
    void filesBeforeTheSchemaAreRejected() {
        RegionCatalog.Builder builder = new RegionCatalog.Builder(REGION, PATHS);

        assertThatThrownBy(() -> builder.apply(add(file(1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid manifest update for region 7_0000000003: file 00000000-0000-0000-0000-000000000001 is added "
                        + "before the region's schema is known (no CHANGE action before it)");
        assertThatThrownBy(() -> builder.build(1))
                .hasMessage("Invalid manifest update for region 7_0000000003 at version 1: its schema is unknown (no CHANGE action "
                        + "before it)");
    }
}
