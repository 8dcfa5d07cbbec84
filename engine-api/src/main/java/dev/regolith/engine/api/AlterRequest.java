package dev.regolith.engine.api;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * A schema or option change to a region. Applied as one new schema version.
 *
 * @param addColumns field columns to add (nullable; their ids must be new); old rows read them as null
 * @param dropColumns field columns to drop, by name
 * @param setOptions region options to set (an empty value removes the option), e.g. {@code ttl=7d}
 */
public record AlterRequest(List<ColumnSchema> addColumns, List<String> dropColumns, Map<String, String> setOptions) {

    public AlterRequest {
        addColumns = List.copyOf(requireNonNull(addColumns, "addColumns is null"));
        dropColumns = List.copyOf(requireNonNull(dropColumns, "dropColumns is null"));
        setOptions = Map.copyOf(requireNonNull(setOptions, "setOptions is null"));
        if (addColumns.isEmpty() && dropColumns.isEmpty() && setOptions.isEmpty()) {
            throw new IllegalArgumentException("An alter request must change something");
        }
    }

    public static AlterRequest addColumn(ColumnSchema column) {
        return new AlterRequest(List.of(column), List.of(), Map.of());
    }

    public static AlterRequest dropColumn(String name) {
        return new AlterRequest(List.of(), List.of(name), Map.of());
    }

    public static AlterRequest setOption(String key, String value) {
        return new AlterRequest(List.of(), List.of(), Map.of(key, value));
    }

    /**
     * The metadata after this change, at the next schema version.
     *
     * @throws IllegalArgumentException naming the column if a change does not apply
     */
    public RegionMetadata applyTo(RegionMetadata metadata) {
        java.util.ArrayList<ColumnSchema> columns = new java.util.ArrayList<>(metadata.columns());
        for (String name : dropColumns) {
            ColumnSchema column = metadata.column(name);
            if (column.semanticType() != SemanticType.FIELD) {
                throw new IllegalArgumentException("Cannot drop column " + name + " of region " + metadata.regionId()
                        + ": only field columns can be dropped, it is a " + column.semanticType());
            }
            columns.remove(column);
        }
        int maxId = metadata.columns().stream().mapToInt(ColumnSchema::columnId).max().orElse(-1);
        for (ColumnSchema column : addColumns) {
            if (column.semanticType() != SemanticType.FIELD || !column.nullable()) {
                throw new IllegalArgumentException("Cannot add column " + column.name() + " to region " + metadata.regionId()
                        + ": only nullable field columns can be added");
            }
            if (column.columnId() <= maxId) {
                throw new IllegalArgumentException("Cannot add column " + column.name() + " to region " + metadata.regionId()
                        + ": column id " + column.columnId() + " must be above every id used so far (" + maxId + ")");
            }
            columns.add(column);
        }
        java.util.TreeMap<String, String> options = new java.util.TreeMap<>(metadata.options());
        setOptions.forEach((key, value) -> {
            if (value.isEmpty()) {
                options.remove(key);
            }
            else {
                options.put(key, value);
            }
        });
        return new RegionMetadata(metadata.regionId(), columns, metadata.schemaVersion() + 1, options);
    }
}
