package dev.regolith.engine.api;

import static java.util.Objects.requireNonNull;

/**
 * One column of a region's schema.
 *
 * <p>The column id is stable across schema changes, so files written under an older schema are
 * read correctly after a column is renamed, added or dropped. Names starting with {@code __} are
 * reserved for the engine's internal columns.
 *
 * @param name the column name
 * @param columnId the column's stable id, unique within the region
 * @param dataType the type of the column's values
 * @param semanticType tag, field or time index
 * @param nullable whether the column accepts nulls; the time index never does
 */
public record ColumnSchema(String name, int columnId, DataType dataType, SemanticType semanticType, boolean nullable) {

    public ColumnSchema {
        requireNonNull(name, "name is null");
        requireNonNull(dataType, "dataType is null");
        requireNonNull(semanticType, "semanticType is null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("Invalid column name: blank");
        }
        if (name.startsWith("__")) {
            throw new IllegalArgumentException("Invalid column name " + name + ": names starting with __ are reserved");
        }
        if (columnId < 0) {
            throw new IllegalArgumentException("Invalid column id for column " + name + ": " + columnId);
        }
        if (semanticType == SemanticType.TIMESTAMP) {
            if (!dataType.isTimestamp()) {
                throw new IllegalArgumentException(
                        "Invalid time index column " + name + ": type " + dataType + " is not a timestamp type");
            }
            if (nullable) {
                throw new IllegalArgumentException("Invalid time index column " + name + ": it cannot be nullable");
            }
        }
    }

    /** A tag column (part of the primary key). */
    public static ColumnSchema tag(String name, int columnId, DataType dataType) {
        return new ColumnSchema(name, columnId, dataType, SemanticType.TAG, true);
    }

    /** A nullable field column. */
    public static ColumnSchema field(String name, int columnId, DataType dataType) {
        return new ColumnSchema(name, columnId, dataType, SemanticType.FIELD, true);
    }

    /** The time index column. */
    public static ColumnSchema timeIndex(String name, int columnId, DataType dataType) {
        return new ColumnSchema(name, columnId, dataType, SemanticType.TIMESTAMP, false);
    }
}
