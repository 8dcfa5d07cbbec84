package dev.regolith.engine.region;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.SemanticType;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.region.BatchValidator.ValidatedBatch;
import dev.regolith.engine.row.InternalRow;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchValidatorTest {

    private static final RegionMetadata METADATA = new RegionMetadata(REGION, List.of(
            new ColumnSchema("host", 0, DataType.STRING, SemanticType.TAG, false),
            ColumnSchema.tag("dc", 1, DataType.STRING),
            ColumnSchema.field("usage", 2, DataType.FLOAT64),
            new ColumnSchema("cores", 3, DataType.INT32, SemanticType.FIELD, false),
            ColumnSchema.field("bytes", 4, DataType.INT64),
            ColumnSchema.timeIndex("ts", 5, DataType.TIMESTAMP_MILLIS)), 0, Map.of());

    @Test
    void laysRowsOutInSchemaOrderAndWidensNumbers() {
        WriteBatch batch = WriteBatch.builder("ts", "usage", "host", "cores", "bytes")
                .put(1000L, 1.5f, "h1", 4, 7)
                .delete(2000, 9.9, "h2", null, null)
                .build();

        ValidatedBatch validated = BatchValidator.validate(METADATA, batch);
        List<InternalRow> rows = validated.toRows(41);

        assertThat(rows.get(0)).isEqualTo(new InternalRow(new Object[] {"h1", null, 1.5d, 4, 7L, 1000L}, 41, OpType.PUT));
        // A delete keeps only its key: the field values are dropped, and non-null fields may be null.
        assertThat(rows.get(1)).isEqualTo(new InternalRow(new Object[] {"h2", null, null, null, null, 2000L}, 42, OpType.DELETE));
    }

    @Test
    void unknownColumnIsNamed() {
        WriteBatch batch = WriteBatch.builder("host", "ts", "usage_user").put("h", 1L, 1.0).build();

        assertThatThrownBy(() -> BatchValidator.validate(METADATA, batch))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid write to region 1024_0000000001: unknown column usage_user (the region has "
                        + "[host, dc, usage, cores, bytes, ts])");
    }

    @Test
    void wrongTypeNamesRowAndColumn() {
        WriteBatch batch = WriteBatch.builder("host", "cores", "ts")
                .put("h", 1, 1L)
                .put("h", "eight", 2L)
                .build();

        assertThatThrownBy(() -> BatchValidator.validate(METADATA, batch))
                .hasMessage("Invalid write to region 1024_0000000001: row 1, column cores: expected INT32, got String \"eight\"");
    }

    @Test
    void missingTimeIndexColumnIsRejected() {
        WriteBatch batch = WriteBatch.builder("host", "cores").put("h", 1).build();

        assertThatThrownBy(() -> BatchValidator.validate(METADATA, batch))
                .hasMessage("Invalid write to region 1024_0000000001: the batch has no time index column ts");
    }

    @Test
    void nullTimeIndexIsRejected() {
        WriteBatch batch = WriteBatch.builder("host", "cores", "ts").put("h", 1, 5L).put("h", 1, null).build();

        assertThatThrownBy(() -> BatchValidator.validate(METADATA, batch))
                .hasMessage("Invalid write to region 1024_0000000001: row 1, column ts: null is not allowed in the time index");
    }

    @Test
    void nullInNonNullableTagOrFieldIsRejected() {
        WriteBatch noHost = WriteBatch.builder("host", "cores", "ts").put(null, 1, 5L).build();
        WriteBatch noCores = WriteBatch.builder("host", "ts").put("h", 5L).build();

        assertThatThrownBy(() -> BatchValidator.validate(METADATA, noHost))
                .hasMessage("Invalid write to region 1024_0000000001: row 0, column host: null is not allowed");
        assertThatThrownBy(() -> BatchValidator.validate(METADATA, noCores))
                .hasMessage("Invalid write to region 1024_0000000001: row 0, column cores: null is not allowed");
    }

    @Test
    void nullableTagMayBeNull() {
        WriteBatch batch = WriteBatch.builder("host", "dc", "cores", "ts").put("h", null, 2, 5L).build();

        assertThat(BatchValidator.validate(METADATA, batch).size()).isEqualTo(1);
    }
}
