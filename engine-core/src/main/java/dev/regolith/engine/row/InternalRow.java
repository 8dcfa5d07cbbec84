package dev.regolith.engine.row;

import dev.regolith.engine.api.OpType;
import java.util.Arrays;

/**
 * One row as the engine stores it: its values in the region schema's column order, plus the
 * sequence number it was written at and whether it is a put or a delete.
 *
 * <p>Value types by {@link dev.regolith.engine.api.DataType}: BOOLEAN {@code Boolean}, INT32
 * {@code Integer}, INT64 and TIMESTAMP_* {@code Long}, FLOAT32 {@code Float}, FLOAT64
 * {@code Double}, STRING {@code String}, BINARY {@code byte[]}; {@code null} for a null value (and
 * for every non-key column of a delete). The array is owned by the row and never changed.
 */
public final class InternalRow {

    private final Object[] values;
    private final long sequence;
    private final OpType op;

    public InternalRow(Object[] values, long sequence, OpType op) {
        this.values = values;
        this.sequence = sequence;
        this.op = op;
    }

    /** The value of the column at {@code index} in schema order. */
    public Object value(int index) {
        return values[index];
    }

    /** How many values: the number of columns of the schema the row was written with. */
    public int size() {
        return values.length;
    }

    /** A copy of the values. */
    public Object[] values() {
        return values.clone();
    }

    public long sequence() {
        return sequence;
    }

    public OpType op() {
        return op;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof InternalRow row && row.sequence == sequence && row.op == op
                && Arrays.deepEquals(row.values, values);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(values) * 31 + Long.hashCode(sequence);
    }

    @Override
    public String toString() {
        return op + "@" + sequence + Arrays.deepToString(values);
    }
}
