package dev.regolith.hooks.spi;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Statistics of one column over one SST file.
 *
 * <p>Minimum and maximum are absent when every value is null. Their Java type follows the
 * column's {@link dev.regolith.engine.api.DataType}: {@code Boolean}, {@code Integer},
 * {@code Long} (INT64 and the timestamp types), {@code Float}, {@code Double}, {@code String}, and
 * for BINARY a read-only {@link java.nio.ByteBuffer}.
 *
 * @param column the column name
 * @param nullCount how many values are null
 * @param min the smallest non-null value
 * @param max the largest non-null value
 */
public record ColumnStatistics(String column, long nullCount, Optional<Object> min, Optional<Object> max) {

    public ColumnStatistics {
        requireNonNull(column, "column is null");
        requireNonNull(min, "min is null");
        requireNonNull(max, "max is null");
        if (nullCount < 0) {
            throw new IllegalArgumentException("Invalid null count for column " + column + ": " + nullCount);
        }
        if (min.isPresent() != max.isPresent()) {
            throw new IllegalArgumentException("Invalid statistics for column " + column + ": min and max must both be present or both absent");
        }
    }
}
