package dev.regolith.engine.row;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.RegionMetadata;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The storage order of a region's rows: primary key (tag values in primary-key order, nulls
 * first), then timestamp ascending, then sequence descending, so the newest version of a row comes
 * first. Memtables, SSTs and merges all use it.
 */
public final class RowOrder implements Comparator<InternalRow> {

    private final int[] keyColumns;
    private final int timeIndexColumn;

    public RowOrder(RegionMetadata metadata) {
        List<ColumnSchema> columns = metadata.columns();
        this.keyColumns = metadata.primaryKey().stream().mapToInt(columns::indexOf).toArray();
        this.timeIndexColumn = columns.indexOf(metadata.timeIndex());
    }

    @Override
    public int compare(InternalRow left, InternalRow right) {
        int byKey = compareKey(left, right);
        if (byKey != 0) {
            return byKey;
        }
        return Long.compare(right.sequence(), left.sequence());
    }

    /** Compares primary key and timestamp only: 0 means the two are versions of the same row. */
    public int compareKey(InternalRow left, InternalRow right) {
        for (int column : keyColumns) {
            int byTag = compareValues(left.value(column), right.value(column));
            if (byTag != 0) {
                return byTag;
            }
        }
        return Long.compare((Long) left.value(timeIndexColumn), (Long) right.value(timeIndexColumn));
    }

    /**
     * Total order over one column's values: nulls first; strings by Unicode code point (the order
     * of their UTF-8 bytes, which Parquet statistics use); byte arrays unsigned-lexicographic.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static int compareValues(Object left, Object right) {
        if (left == right) {
            return 0;
        }
        if (left == null) {
            return -1;
        }
        if (right == null) {
            return 1;
        }
        if (left instanceof byte[] leftBytes) {
            return Arrays.compareUnsigned(leftBytes, (byte[]) right);
        }
        if (left instanceof String leftText) {
            // Neighbouring rows mostly share their tags: settle equality with the intrinsic first.
            return leftText.equals(right) ? 0 : compareCodePoints(leftText, (String) right);
        }
        return ((Comparable) left).compareTo(right);
    }

    /**
     * Compares by code point. UTF-16 order ({@link String#compareTo}) differs only where a
     * surrogate (a code point above U+FFFF) meets a char in U+E000..U+FFFF: shift those ranges so
     * surrogates sort last, as their code points do.
     */
    static int compareCodePoints(String left, String right) {
        int length = Math.min(left.length(), right.length());
        for (int i = 0; i < length; i++) {
            char a = left.charAt(i);
            char b = right.charAt(i);
            if (a != b) {
                if (a >= 0xD800 && b >= 0xD800) {
                    a = (char) (a >= 0xE000 ? a - 0x800 : a + 0x2000);
                    b = (char) (b >= 0xE000 ? b - 0x800 : b + 0x2000);
                }
                return a - b;
            }
        }
        return left.length() - right.length();
    }

    public int timeIndexColumn() {
        return timeIndexColumn;
    }
}
