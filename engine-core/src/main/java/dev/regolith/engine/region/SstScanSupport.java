package dev.regolith.engine.region;

import dev.regolith.engine.api.ColumnSchema;
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

/**
 * Reads an SST file for a scan: skips row groups whose statistics rule out the request's time
 * range and tag values, and lays each row out in the region's current schema (matching columns by
 * id, so a file written under an older schema reads correctly; columns it lacks are null).
 */
final class SstScanSupport {

    private SstScanSupport() {
    }

    static Iterator<InternalRow> read(SstReader reader, RegionMetadata current, ScanRequest request) {
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
        Iterator<InternalRow> rows = reader.read(projection, index -> mayMatch(reader.rowGroup(index), written, request));
        int[] mapping = mapping(written, current);
        if (mapping == null) {
            return rows;
        }
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public InternalRow next() {
                InternalRow row = rows.next();
                Object[] values = new Object[mapping.length];
                for (int i = 0; i < mapping.length; i++) {
                    values[i] = mapping[i] < 0 ? null : row.value(mapping[i]);
                }
                return new InternalRow(values, row.sequence(), row.op());
            }
        };
    }

    /** For each current column, its position in the file's schema (-1: absent); null when they are the same. */
    private static int[] mapping(RegionMetadata written, RegionMetadata current) {
        List<ColumnSchema> currentColumns = current.columns();
        List<ColumnSchema> writtenColumns = written.columns();
        int[] mapping = new int[currentColumns.size()];
        boolean identity = currentColumns.size() == writtenColumns.size();
        for (int i = 0; i < currentColumns.size(); i++) {
            mapping[i] = -1;
            for (int j = 0; j < writtenColumns.size(); j++) {
                if (writtenColumns.get(j).columnId() == currentColumns.get(i).columnId()) {
                    mapping[i] = j;
                }
            }
            identity &= mapping[i] == i;
        }
        return identity ? null : mapping;
    }

    static boolean mayMatch(RowGroupStats stats, RegionMetadata written, ScanRequest request) {
        Optional<TimeRange> range = request.timeRange();
        if (range.isPresent()) {
            RowGroupStats.ColumnStats time = stats.column(written.timeIndex().name());
            if (time.min().isPresent() && time.max().isPresent()) {
                TimeRange groupRange = new TimeRange((Long) time.min().get(), (Long) time.max().get());
                if (!groupRange.overlaps(range.get())) {
                    return false;
                }
            }
        }
        for (Map.Entry<String, Object> tag : request.tagEquals().entrySet()) {
            RowGroupStats.ColumnStats column = stats.column(tag.getKey());
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
