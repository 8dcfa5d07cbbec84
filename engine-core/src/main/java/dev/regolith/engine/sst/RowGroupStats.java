package dev.regolith.engine.sst;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What an SST's footer records of one row group, for deciding whether to read it.
 *
 * @param rowCount the number of rows in the row group
 * @param columns per file column name, in file order (the region's columns, then
 *     {@code __sequence} and {@code __op_type}), its statistics
 */
public record RowGroupStats(long rowCount, Map<String, ColumnStats> columns) {

    /**
     * Statistics of one column over one row group.
     *
     * <p>Min and max are absent when every value is null or NaN, or when the writer left them out
     * because they were too large. Their types are the engine's value types (see
     * {@link dev.regolith.engine.row.InternalRow}); BINARY bounds are fresh {@code byte[]} copies.
     * As in Parquet, NaN is never a bound, and zero bounds are -0.0 (min) and +0.0 (max).
     *
     * @param nullCount how many values are null
     * @param min a value no greater than any non-null value
     * @param max a value no smaller than any non-null value
     */
    public record ColumnStats(long nullCount, Optional<Object> min, Optional<Object> max) {

        public ColumnStats {
            requireNonNull(min, "min is null");
            requireNonNull(max, "max is null");
            if (nullCount < 0) {
                throw new IllegalArgumentException("Invalid null count: " + nullCount);
            }
        }
    }

    public RowGroupStats {
        requireNonNull(columns, "columns is null");
        if (rowCount < 0) {
            throw new IllegalArgumentException("Invalid row count: " + rowCount);
        }
        columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    }

    /**
     * The statistics of column {@code name}.
     *
     * @throws IllegalArgumentException if the file has no such column
     */
    public ColumnStats column(String name) {
        ColumnStats stats = columns.get(name);
        if (stats == null) {
            throw new IllegalArgumentException("Unknown column " + name + " in SST row group; columns are " + columns.keySet());
        }
        return stats;
    }
}
