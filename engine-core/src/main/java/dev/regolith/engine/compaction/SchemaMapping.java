package dev.regolith.engine.compaction;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.row.InternalRow;
import java.util.Iterator;
import java.util.List;

/**
 * Lays out rows written under one schema version of a region in another, matching columns by their
 * stable column id: a column renamed or moved keeps its values, a column the rows lack reads as
 * null, a column dropped since is left out. Scans and compaction read old SSTs this way.
 */
public final class SchemaMapping {

    private SchemaMapping() {
    }

    /**
     * {@code rows}, written under {@code written}, laid out in {@code current}'s column order;
     * {@code rows} itself when the two orders are the same. Sequence and op type are kept.
     *
     * @throws IllegalArgumentException if a column id has a different data type in the two schemas
     */
    public static Iterator<InternalRow> toCurrent(Iterator<InternalRow> rows, RegionMetadata written, RegionMetadata current) {
        requireNonNull(rows, "rows is null");
        int[] positions = positions(requireNonNull(written, "written is null"), requireNonNull(current, "current is null"));
        if (positions == null) {
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
                Object[] values = new Object[positions.length];
                for (int i = 0; i < positions.length; i++) {
                    values[i] = positions[i] < 0 ? null : row.value(positions[i]);
                }
                return new InternalRow(values, row.sequence(), row.op());
            }
        };
    }

    /** For each current column, its position among the written columns (-1: absent); null when the layouts are the same. */
    static int[] positions(RegionMetadata written, RegionMetadata current) {
        List<ColumnSchema> currentColumns = current.columns();
        List<ColumnSchema> writtenColumns = written.columns();
        int[] positions = new int[currentColumns.size()];
        boolean identity = currentColumns.size() == writtenColumns.size();
        for (int i = 0; i < currentColumns.size(); i++) {
            ColumnSchema column = currentColumns.get(i);
            positions[i] = -1;
            for (int j = 0; j < writtenColumns.size(); j++) {
                ColumnSchema old = writtenColumns.get(j);
                if (old.columnId() == column.columnId()) {
                    if (old.dataType() != column.dataType()) {
                        throw new IllegalArgumentException("Cannot read column " + column.name() + " (id " + column.columnId()
                                + ") of region " + current.regionId() + " as " + column.dataType() + ": schema version "
                                + written.schemaVersion() + " stored it as " + old.dataType());
                    }
                    positions[i] = j;
                }
            }
            identity &= positions[i] == i;
        }
        return identity ? null : positions;
    }
}
