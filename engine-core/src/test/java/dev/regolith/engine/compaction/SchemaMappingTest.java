package dev.regolith.engine.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.row.InternalRow;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaMappingTest {

    private static final RegionId REGION = RegionId.of(3, 1);
    private static final RegionMetadata V1 = new RegionMetadata(REGION, List.of(
            ColumnSchema.tag("host", 0, DataType.STRING),
            ColumnSchema.field("usage", 1, DataType.FLOAT64),
            ColumnSchema.timeIndex("ts", 2, DataType.TIMESTAMP_MILLIS),
            ColumnSchema.field("temp", 3, DataType.FLOAT64)), 1, Map.of());
    private static final RegionMetadata V2 = new RegionMetadata(REGION, List.of(
            ColumnSchema.tag("host", 0, DataType.STRING),
            ColumnSchema.field("cpu", 1, DataType.FLOAT64),
            ColumnSchema.field("note", 4, DataType.STRING),
            ColumnSchema.timeIndex("ts", 2, DataType.TIMESTAMP_MILLIS)), 2, Map.of());

    @Test
    void rowsOfTheSameLayoutPassThroughUntouched() {
        Iterator<InternalRow> rows = List.of(new InternalRow(new Object[] {"a", 1.0, null, 5L}, 1, OpType.PUT)).iterator();
        assertThat(SchemaMapping.toCurrent(rows, V2, V2)).isSameAs(rows);
    }

    @Test
    void columnsAreMatchedByIdNotByNameOrPosition() {
        // V1: host, usage(1), ts(2), temp(3). V2: host, cpu(1), note(4), ts(2).
        List<InternalRow> written = List.of(
                new InternalRow(new Object[] {"a", 1.5, 100L, 36.6}, 7, OpType.PUT),
                new InternalRow(new Object[] {"b", null, 200L, null}, 8, OpType.DELETE));

        List<InternalRow> mapped = new ArrayList<>();
        SchemaMapping.toCurrent(written.iterator(), V1, V2).forEachRemaining(mapped::add);

        assertThat(mapped).containsExactly(
                new InternalRow(new Object[] {"a", 1.5, null, 100L}, 7, OpType.PUT),
                new InternalRow(new Object[] {"b", null, null, 200L}, 8, OpType.DELETE));
        assertThat(SchemaMapping.positions(V1, V2)).containsExactly(0, 1, -1, 2);
        assertThat(SchemaMapping.positions(V2, V2)).isNull();
    }
}
