package dev.regolith.engine.region;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.compaction.SchemaMapping;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.ScanRequest;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.row.RowOrder;
import dev.regolith.engine.sst.RowGroupStats;
import dev.regolith.engine.sst.SstReader;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Reads an SST file for a scan: skips row groups whose statistics rule out the request's time
 * range and tag values, and lays each row out in the region's current schema (matching columns by
 * id, so a file written under an older schema reads correctly; columns it lacks are null).
 */
final class SstScanSupport {

    private SstScanSupport() {
    }

    /**
     * @param indexed row groups a tag index allows, or null for all
     */
    static Iterator<InternalRow> read(SstReader reader, RegionMetadata current, ScanRequest request, IntPredicate indexed) {
        RegionMetadata written = reader.metadata();
        Set<String> projection = null;
        if (!request.projection().isEmpty()) {
            projection = new HashSet<>();
            for (String name : request.projection()) {
                int columnId = current.column(name).columnId();
                for (ColumnSchema column : written.columns()) {
                    if (column.columnId() == columnId) {
                        projection.add(column.name());
                    }
                }
            }
        }
        Iterator<InternalRow> rows = reader.read(projection,
                index -> (indexed == null || indexed.test(index)) && mayMatch(reader.rowGroup(index), written, request));
        return SchemaMapping.toCurrent(rows, written, current);
    }

    static boolean mayMatch(RowGroupStats stats, RegionMetadata written, ScanRequest request) {
        Optional<TimeRange> range = request.timeRange();
        if (range.isPresent()) {
            RowGroupStats.ColumnStats time = stats.columns().get(written.timeIndex().name());
            if (time != null && time.min().isPresent() && time.max().isPresent()) {
                TimeRange groupRange = new TimeRange((Long) time.min().get(), (Long) time.max().get());
                if (!groupRange.overlaps(range.get())) {
                    return false;
                }
            }
        }
        for (Map.Entry<String, Object> tag : request.tagEquals().entrySet()) {
            RowGroupStats.ColumnStats column = stats.columns().get(tag.getKey());
            if (column == null) {
                continue; // the file does not have the column: its statistics say nothing
            }
            Object value = tag.getValue();
            if (value == null) {
                if (column.nullCount() == 0) {
                    return false;
                }
                continue;
            }
            if (column.min().isEmpty()) {
                return false; // every value is null
            }
            if (RowOrder.compareValues(value, column.min().get()) < 0 || RowOrder.compareValues(value, column.max().get()) > 0) {
                return false;
            }
        }
        return true;
    }
}
