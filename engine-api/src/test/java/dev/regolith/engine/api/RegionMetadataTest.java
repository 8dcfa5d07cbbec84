package dev.regolith.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegionMetadataTest {

    private static final RegionId REGION = RegionId.of(1024, 1);

    private static final ColumnSchema DC = ColumnSchema.tag("dc", 5, DataType.STRING);
    private static final ColumnSchema CPU = ColumnSchema.field("cpu", 2, DataType.FLOAT64);
    private static final ColumnSchema HOST = ColumnSchema.tag("host", 1, DataType.STRING);
    private static final ColumnSchema TS = ColumnSchema.timeIndex("ts", 0, DataType.TIMESTAMP_MILLIS);

    @Test
    void primaryKeyIsTheTagsInColumnOrderNotIdOrder() {
        RegionMetadata metadata = new RegionMetadata(REGION, List.of(DC, CPU, TS, HOST));

        assertThat(metadata.primaryKey()).containsExactly(DC, HOST);
    }

    @Test
    void primaryKeyIsEmptyWithoutTags() {
        assertThat(new RegionMetadata(REGION, List.of(CPU, TS)).primaryKey()).isEmpty();
    }

    @Test
    void timeIndexIsTheTimestampColumnWhereverItStands() {
        assertThat(new RegionMetadata(REGION, List.of(HOST, CPU, TS)).timeIndex()).isEqualTo(TS);
        assertThat(new RegionMetadata(REGION, List.of(TS, HOST)).timeIndex()).isEqualTo(TS);
    }

    @Test
    void twoArgumentConstructorStartsAtSchemaVersionZeroWithoutOptions() {
        RegionMetadata metadata = new RegionMetadata(REGION, List.of(HOST, TS));

        assertThat(metadata.schemaVersion()).isZero();
        assertThat(metadata.options()).isEmpty();
    }

    @Test
    void duplicateColumnNameIsRejected() {
        ColumnSchema otherHost = ColumnSchema.field("host", 9, DataType.INT64);

        assertThatThrownBy(() -> new RegionMetadata(REGION, List.of(HOST, TS, otherHost)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid schema for region 1024_0000000001: duplicate column host");
    }

    @Test
    void duplicateColumnIdIsRejected() {
        ColumnSchema reusesHostId = ColumnSchema.field("mem", 1, DataType.INT64);

        assertThatThrownBy(() -> new RegionMetadata(REGION, List.of(HOST, TS, reusesHostId)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid schema for region 1024_0000000001: column mem reuses column id 1");
    }

    @Test
    void schemaWithoutTimeIndexIsRejected() {
        assertThatThrownBy(() -> new RegionMetadata(REGION, List.of(HOST, CPU)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid schema for region 1024_0000000001: expected exactly one time index column, found 0");
    }

    @Test
    void schemaWithTwoTimeIndexesIsRejected() {
        ColumnSchema secondTs = ColumnSchema.timeIndex("ts2", 7, DataType.TIMESTAMP_NANOS);

        assertThatThrownBy(() -> new RegionMetadata(REGION, List.of(TS, HOST, secondTs)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid schema for region 1024_0000000001: expected exactly one time index column, found 2");
    }

    @Test
    void negativeSchemaVersionIsRejected() {
        assertThatThrownBy(() -> new RegionMetadata(REGION, List.of(TS), -1, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid schema version for region 1024_0000000001: -1");
    }

    @Test
    void optionsAreSortedByKey() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("ttl", "7d");
        options.put("compaction.window", "1h");
        options.put("append_mode", "true");

        RegionMetadata metadata = new RegionMetadata(REGION, List.of(TS), 3, options);

        assertThat(metadata.options().keySet()).containsExactly("append_mode", "compaction.window", "ttl");
    }

    @Test
    void optionsAreAnImmutableCopy() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("ttl", "7d");
        RegionMetadata metadata = new RegionMetadata(REGION, List.of(TS), 0, options);

        options.put("ttl", "1d");
        options.put("extra", "x");

        assertThat(metadata.options()).containsExactly(Map.entry("ttl", "7d"));
        assertThatThrownBy(() -> metadata.options().put("ttl", "30d")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void columnsAreAnImmutableCopy() {
        List<ColumnSchema> columns = new ArrayList<>(List.of(HOST, TS));
        RegionMetadata metadata = new RegionMetadata(REGION, columns);

        columns.add(CPU);

        assertThat(metadata.columns()).containsExactly(HOST, TS);
        assertThatThrownBy(() -> metadata.columns().add(CPU)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void metadataWithSameOptionsInAnotherOrderIsEqual() {
        Map<String, String> forward = new LinkedHashMap<>();
        forward.put("a", "1");
        forward.put("b", "2");
        Map<String, String> backward = new LinkedHashMap<>();
        backward.put("b", "2");
        backward.put("a", "1");

        assertThat(new RegionMetadata(REGION, List.of(TS), 0, forward))
                .isEqualTo(new RegionMetadata(REGION, List.of(TS), 0, backward));
    }

    @Test
    void columnFindsByName() {
        RegionMetadata metadata = new RegionMetadata(REGION, List.of(HOST, CPU, TS));

        assertThat(metadata.column("cpu")).isEqualTo(CPU);
    }

    @Test
    void columnRejectsUnknownName() {
        RegionMetadata metadata = new RegionMetadata(REGION, List.of(HOST, TS));

        assertThatThrownBy(() -> metadata.column("mem"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown column mem in region 1024_0000000001");
    }
}
