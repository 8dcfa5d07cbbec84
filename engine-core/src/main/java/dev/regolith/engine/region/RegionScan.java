package dev.regolith.engine.region;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.RegionScanner;
import dev.regolith.engine.api.ScanRequest;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.engine.memtable.Memtable;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.row.NewestVersions;
import dev.regolith.engine.row.RowOrder;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A scan over one snapshot of a region: a k-way merge of its memtables and SST files in
 * {@link RowOrder}. For each primary key and timestamp the version with the highest sequence wins;
 * if that is a delete, the row is left out. Rows written after the snapshot (sequence above it)
 * are skipped. Closing releases the SST files.
 */
final class RegionScan implements RegionScanner {

    private final RegionMetadata metadata;
    private final List<String> columns;
    private final int[] projection;
    private final ScanFilter filter;
    private final NewestVersions rows;
    private final List<AutoCloseable> resources;
    private final long limit;
    private long returned;
    private List<Object> next;
    private boolean closed;

    RegionScan(RegionMetadata metadata, ScanRequest request, List<Iterator<InternalRow>> sources, List<AutoCloseable> resources) {
        this.metadata = metadata;
        this.filter = ScanFilter.of(metadata, request);
        this.limit = request.limit();
        this.resources = resources;
        List<ColumnSchema> schema = metadata.columns();
        if (request.projection().isEmpty()) {
            this.columns = schema.stream().map(ColumnSchema::name).toList();
            this.projection = java.util.stream.IntStream.range(0, schema.size()).toArray();
        }
        else {
            this.columns = request.projection();
            this.projection = request.projection().stream().mapToInt(name -> schema.indexOf(metadata.column(name))).toArray();
        }
        this.rows = new NewestVersions(new RowOrder(metadata), sources);
    }

    /** Rows of a memtable visible at {@code sequence}. */
    static Iterator<InternalRow> visible(Memtable memtable, long sequence) {
        Iterator<InternalRow> rows = memtable.iterator();
        return new Iterator<>() {
            private InternalRow next = advance();

            private InternalRow advance() {
                while (rows.hasNext()) {
                    InternalRow row = rows.next();
                    if (row.sequence() <= sequence) {
                        return row;
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public InternalRow next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                InternalRow row = next;
                next = advance();
                return row;
            }
        };
    }

    @Override
    public List<String> columns() {
        return columns;
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (closed || returned >= limit) {
            return false;
        }
        while (rows.hasNext()) {
            InternalRow row = rows.next();
            if (row.op() == OpType.DELETE || !filter.matches(row)) {
                continue;
            }
            Object[] values = new Object[projection.length];
            for (int i = 0; i < projection.length; i++) {
                values[i] = row.value(projection[i]);
            }
            next = Collections.unmodifiableList(Arrays.asList(values));
            returned++;
            return true;
        }
        return false;
    }

    @Override
    public List<Object> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        List<Object> row = next;
        next = null;
        return row;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            }
            catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("Failed to close a scan of region " + metadata.regionId(), e);
                }
                else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The row predicates of a scan request, resolved to column positions. */
    record ScanFilter(int timeIndex, TimeRange timeRange, int[] tagColumns, Object[] tagValues) {

        static ScanFilter of(RegionMetadata metadata, ScanRequest request) {
            List<ColumnSchema> schema = metadata.columns();
            int[] columns = new int[request.tagEquals().size()];
            Object[] values = new Object[columns.length];
            int i = 0;
            for (Map.Entry<String, Object> entry : request.tagEquals().entrySet()) {
                ColumnSchema column = metadata.column(entry.getKey());
                if (column.semanticType() != dev.regolith.engine.api.SemanticType.TAG) {
                    throw new IllegalArgumentException("Invalid scan of region " + metadata.regionId() + ": column "
                            + column.name() + " is not a tag column");
                }
                columns[i] = schema.indexOf(column);
                values[i] = entry.getValue();
                if (values[i] != null && !javaType(column).isInstance(values[i])) {
                    throw new IllegalArgumentException("Invalid scan of region " + metadata.regionId() + ": tag " + column.name()
                            + " is " + column.dataType() + ", but the value " + values[i] + " is a "
                            + values[i].getClass().getSimpleName());
                }
                i++;
            }
            return new ScanFilter(schema.indexOf(metadata.timeIndex()), request.timeRange().orElse(null), columns, values);
        }

        private static Class<?> javaType(ColumnSchema column) {
            return switch (column.dataType()) {
                case BOOLEAN -> Boolean.class;
                case INT32 -> Integer.class;
                case INT64, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS -> Long.class;
                case FLOAT32 -> Float.class;
                case FLOAT64 -> Double.class;
                case STRING -> String.class;
                case BINARY -> byte[].class;
            };
        }

        boolean matches(InternalRow row) {
            if (timeRange != null) {
                long timestamp = (Long) row.value(timeIndex);
                if (timestamp < timeRange.start() || timestamp > timeRange.end()) {
                    return false;
                }
            }
            for (int i = 0; i < tagColumns.length; i++) {
                if (RowOrder.compareValues(row.value(tagColumns[i]), tagValues[i]) != 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
