package dev.regolith.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ColumnSchemaTest {

    @Test
    void factoriesSetSemanticTypeAndNullability() {
        assertThat(ColumnSchema.tag("host", 1, DataType.STRING))
                .isEqualTo(new ColumnSchema("host", 1, DataType.STRING, SemanticType.TAG, true));
        assertThat(ColumnSchema.field("cpu", 2, DataType.FLOAT64))
                .isEqualTo(new ColumnSchema("cpu", 2, DataType.FLOAT64, SemanticType.FIELD, true));
        assertThat(ColumnSchema.timeIndex("ts", 3, DataType.TIMESTAMP_MILLIS))
                .isEqualTo(new ColumnSchema("ts", 3, DataType.TIMESTAMP_MILLIS, SemanticType.TIMESTAMP, false));
    }

    @Test
    void nameStartingWithDoubleUnderscoreIsRejected() {
        assertThatThrownBy(() -> ColumnSchema.field("__sequence", 1, DataType.INT64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid column name __sequence: names starting with __ are reserved");
    }

    @Test
    void nameWithSingleLeadingUnderscoreIsAllowed() {
        assertThat(ColumnSchema.field("_private", 1, DataType.INT64).name()).isEqualTo("_private");
    }

    @Test
    void blankNameIsRejected() {
        assertThatThrownBy(() -> ColumnSchema.field("  ", 1, DataType.INT64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid column name: blank");
    }

    @Test
    void nullNameIsRejected() {
        assertThatThrownBy(() -> ColumnSchema.field(null, 1, DataType.INT64))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("name is null");
    }

    @Test
    void negativeColumnIdIsRejected() {
        assertThatThrownBy(() -> ColumnSchema.tag("host", -1, DataType.STRING))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid column id for column host: -1");
    }

    @Test
    void timeIndexOfNonTimestampTypeIsRejected() {
        assertThatThrownBy(() -> ColumnSchema.timeIndex("ts", 0, DataType.INT64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid time index column ts: type INT64 is not a timestamp type");
    }

    @Test
    void nullableTimeIndexIsRejected() {
        assertThatThrownBy(() -> new ColumnSchema("ts", 0, DataType.TIMESTAMP_MILLIS, SemanticType.TIMESTAMP, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid time index column ts: it cannot be nullable");
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "TIMESTAMP_NANOS"})
    void everyTimestampTypeCanBeTheTimeIndex(DataType type) {
        assertThat(ColumnSchema.timeIndex("ts", 0, type).dataType()).isEqualTo(type);
    }

    @Test
    void onlyTheThreeTimestampTypesAreTimestamps() {
        assertThat(Arrays.stream(DataType.values()).filter(DataType::isTimestamp))
                .containsExactly(DataType.TIMESTAMP_MILLIS, DataType.TIMESTAMP_MICROS, DataType.TIMESTAMP_NANOS);
    }

    @Test
    void timestampTypedFieldMayBeNullable() {
        ColumnSchema column = ColumnSchema.field("created", 4, DataType.TIMESTAMP_NANOS);

        assertThat(column.nullable()).isTrue();
        assertThat(column.semanticType()).isEqualTo(SemanticType.FIELD);
    }
}
