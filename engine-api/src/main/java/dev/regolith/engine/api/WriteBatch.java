package dev.regolith.engine.api;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

/**
 * Rows to write to one region in one call: puts, and deletes by primary key and timestamp. Every
 * row gives values for the same {@link #columns()}, in that order. Immutable.
 *
 * <pre>{@code
 * WriteBatch batch = WriteBatch.builder("hostname", "usage_user", "ts")
 *         .put("host_1", 12.5, 1_700_000_000_000L)
 *         .delete("host_2", null, 1_700_000_000_000L)
 *         .build();
 * }</pre>
 *
 * <p>Value types: BOOLEAN {@code Boolean}, INT32 {@code Integer}, INT64 and timestamps {@code Long},
 * FLOAT32 {@code Float}, FLOAT64 {@code Double}, STRING {@code String}, BINARY {@code byte[]}; the
 * engine also widens {@code Integer} to INT64 and {@code Float} to FLOAT64. The engine validates
 * the batch against the region's schema before anything is written, and rejects the whole batch
 * with an {@link IllegalArgumentException} naming the column and row when a value does not fit.
 * Columns of the schema the batch does not mention are null. A delete needs the primary key and
 * the timestamp; its other values are ignored.
 */
public final class WriteBatch {

    private final List<String> columns;
    private final List<OpType> ops;
    private final List<Object[]> rows;

    private WriteBatch(List<String> columns, List<OpType> ops, List<Object[]> rows) {
        this.columns = columns;
        this.ops = ops;
        this.rows = rows;
    }

    /** Starts a batch whose rows give values for {@code columns}, in that order. */
    public static Builder builder(String... columns) {
        return builder(List.of(columns));
    }

    /** Starts a batch whose rows give values for {@code columns}, in that order. */
    public static Builder builder(List<String> columns) {
        return new Builder(columns);
    }

    public List<String> columns() {
        return columns;
    }

    /** The number of rows. */
    public int size() {
        return rows.size();
    }

    public OpType op(int row) {
        return ops.get(row);
    }

    /** The value of {@code column} (an index into {@link #columns()}) in {@code row}. */
    public Object value(int row, int column) {
        return rows.get(row)[column];
    }

    /** Builds a {@link WriteBatch}. Not thread-safe. */
    public static final class Builder {
        private final List<String> columns;
        private final List<OpType> ops = new ArrayList<>();
        private final List<Object[]> rows = new ArrayList<>();

        private Builder(List<String> columns) {
            this.columns = List.copyOf(requireNonNull(columns, "columns is null"));
            if (this.columns.isEmpty()) {
                throw new IllegalArgumentException("A write batch needs at least one column");
            }
            if (new HashSet<>(this.columns).size() != this.columns.size()) {
                throw new IllegalArgumentException("A write batch names a column twice: " + this.columns);
            }
        }

        /** Adds a row that inserts or replaces. */
        public Builder put(Object... values) {
            return add(OpType.PUT, values);
        }

        /** Adds a row that deletes the row with the same primary key and timestamp. */
        public Builder delete(Object... values) {
            return add(OpType.DELETE, values);
        }

        private Builder add(OpType op, Object[] values) {
            if (values.length != columns.size()) {
                throw new IllegalArgumentException("Row " + rows.size() + " has " + values.length + " values for "
                        + columns.size() + " columns " + columns);
            }
            ops.add(op);
            rows.add(Arrays.copyOf(values, values.length, Object[].class));
            return this;
        }

        public WriteBatch build() {
            return new WriteBatch(columns, List.copyOf(ops), List.copyOf(rows));
        }
    }
}
