package dev.regolith.engine.api;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A region's schema and options at one schema version.
 *
 * <p>The primary key is the region's tag columns in column order; the time index is its one
 * {@link SemanticType#TIMESTAMP} column. Both are derived from {@link #columns()}, so they cannot
 * disagree with it.
 *
 * @param regionId the region this metadata describes
 * @param columns the columns, in order; names and ids unique
 * @param schemaVersion incremented by every schema change
 * @param options region options (for example {@code ttl}), sorted by key
 */
public record RegionMetadata(RegionId regionId, List<ColumnSchema> columns, long schemaVersion, Map<String, String> options) {

    public RegionMetadata {
        requireNonNull(regionId, "regionId is null");
        columns = List.copyOf(requireNonNull(columns, "columns is null"));
        options = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(options, "options is null")));
        if (schemaVersion < 0) {
            throw new IllegalArgumentException("Invalid schema version for region " + regionId + ": " + schemaVersion);
        }
        Set<String> names = new HashSet<>();
        Set<Integer> ids = new HashSet<>();
        int timeIndexColumns = 0;
        for (ColumnSchema column : columns) {
            if (!names.add(column.name())) {
                throw new IllegalArgumentException("Invalid schema for region " + regionId + ": duplicate column " + column.name());
            }
            if (!ids.add(column.columnId())) {
                throw new IllegalArgumentException("Invalid schema for region " + regionId + ": column " + column.name()
                        + " reuses column id " + column.columnId());
            }
            if (column.semanticType() == SemanticType.TIMESTAMP) {
                timeIndexColumns++;
            }
        }
        if (timeIndexColumns != 1) {
            throw new IllegalArgumentException("Invalid schema for region " + regionId
                    + ": expected exactly one time index column, found " + timeIndexColumns);
        }
    }

    /** Metadata at schema version 0 with no options. */
    public RegionMetadata(RegionId regionId, List<ColumnSchema> columns) {
        this(regionId, columns, 0, Map.of());
    }

    /** The primary key: the tag columns, in column order. */
    public List<ColumnSchema> primaryKey() {
        return columns.stream().filter(column -> column.semanticType() == SemanticType.TAG).toList();
    }

    /** The time index column. */
    public ColumnSchema timeIndex() {
        for (ColumnSchema column : columns) {
            if (column.semanticType() == SemanticType.TIMESTAMP) {
                return column;
            }
        }
        throw new AssertionError("validated in the constructor");
    }

    /**
     * The column named {@code name}.
     *
     * @throws IllegalArgumentException if the region has no such column
     */
    public ColumnSchema column(String name) {
        for (ColumnSchema column : columns) {
            if (column.name().equals(name)) {
                return column;
            }
        }
        throw new IllegalArgumentException("Unknown column " + name + " in region " + regionId);
    }
}
