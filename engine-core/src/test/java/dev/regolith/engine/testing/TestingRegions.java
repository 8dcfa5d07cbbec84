package dev.regolith.engine.testing;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.TimeRange;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Small, valid values for tests. */
public final class TestingRegions {

    public static final RegionId REGION = RegionId.of(1024, 1);

    private TestingRegions() {
    }

    /** A cpu-like schema: hostname tag, usage_user field, ts time index. */
    public static RegionMetadata metadata(RegionId regionId) {
        return new RegionMetadata(regionId, List.of(
                ColumnSchema.tag("hostname", 0, DataType.STRING),
                ColumnSchema.field("usage_user", 1, DataType.FLOAT64),
                ColumnSchema.timeIndex("ts", 2, DataType.TIMESTAMP_MILLIS)), 0, Map.of());
    }

    public static FileMeta file(RegionId regionId, long start, long rows) {
        return new FileMeta(regionId, FileId.random(), new TimeRange(start, start + 9_999), 0, 4096 + rows * 16, rows, 1, rows,
                Optional.empty());
    }

    /** An edit that adds one new file. */
    public static ManifestActionList addFile(RegionId regionId) {
        return ManifestActionList.of(ManifestAction.Edit.ofFiles(List.of(file(regionId, 0, 100)), List.of()));
    }
}
