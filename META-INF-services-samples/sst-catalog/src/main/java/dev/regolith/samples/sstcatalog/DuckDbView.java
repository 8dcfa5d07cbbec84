package dev.regolith.samples.sstcatalog;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionId;
import dev.regolith.samples.sstcatalog.RegionCatalog.CatalogFile;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The catalog's DuckDB script, {@code <region>.sql}: one {@code CREATE OR REPLACE VIEW} named
 * {@code region_<region id>} that returns the region's live rows from exactly its live SST files,
 * as a scan of the region returns them once they are flushed.
 *
 * <p>An SST file holds every version of a row that was written, deletes included, with the
 * engine's internal {@code __sequence} and {@code __op_type} columns. For each row key (the tag
 * columns and the time index) the view keeps the version with the highest sequence, and leaves
 * the key out if that version is a delete. It exposes the region's columns only, in the region's
 * order. Files written before a column was added lack it: they read it as NULL, as the engine
 * does. A region without files gets a view with the same columns and no rows, since
 * {@code read_parquet} needs at least one file.
 *
 * <p>Columns are matched by name across files ({@code union_by_name}), where the engine matches
 * them by column id. The two differ only in one case: a field is dropped and a field with the same
 * name added later, while files written before the drop are live (until compaction rewrites them);
 * the view then shows the dropped column's old values where the engine shows NULL.
 */
final class DuckDbView {

    private DuckDbView() {
    }

    /** The view's name: {@code region_<region id>}, e.g. {@code region_4096_0000000001}. */
    static String viewName(RegionId regionId) {
        return "region_" + regionId;
    }

    static String script(RegionCatalog catalog) {
        List<ColumnSchema> columns = catalog.columns();
        StringBuilder sql = new StringBuilder(1024 + 128 * catalog.files().size());
        sql.append("-- Regolith SST catalog of region ").append(catalog.regionId())
                .append(": manifest version ").append(catalog.manifestVersion())
                .append(", schema version ").append(catalog.schemaVersion())
                .append(", ").append(catalog.files().size()).append(catalog.files().size() == 1 ? " live SST file" : " live SST files")
                .append(".\n")
                .append("-- Written by the sst-catalog hook and replaced whenever the region's manifest changes.\n")
                .append("-- The view returns the region's live rows: for each primary key and time index the row with the\n")
                .append("-- highest __sequence, left out if it is a delete. Rows not yet flushed are not in SST files.\n")
                .append("CREATE OR REPLACE VIEW ").append(identifier(viewName(catalog.regionId()))).append(" AS\n");
        String regionColumns = columns.stream().map(column -> identifier(column.name())).collect(Collectors.joining(", "));
        if (catalog.files().isEmpty()) {
            // read_parquet rejects an empty list: an empty relation with the same columns instead.
            return sql.append("SELECT ").append(typedNulls(columns, false, "\n       ")).append("\nWHERE false;\n").toString();
        }
        String rowKey = catalog.rowKey().stream().map(column -> identifier(column.name())).collect(Collectors.joining(", "));
        sql.append("SELECT ").append(regionColumns).append("\n")
                .append("FROM (\n")
                .append("    SELECT *\n")
                .append("    FROM (\n")
                .append("        -- Every column of the region, typed, even one that no file has yet.\n")
                .append("        SELECT ").append(typedNulls(columns, true, "\n               ")).append("\n")
                .append("        WHERE false\n")
                .append("        UNION ALL BY NAME\n")
                .append("        SELECT * FROM read_parquet([\n");
        boolean first = true;
        for (CatalogFile file : catalog.files().values()) {
            sql.append(first ? "" : ",\n").append("            ").append(literal(file.path().toString()));
            first = false;
        }
        return sql.append("\n        ], union_by_name = true)\n")
                .append("    )\n")
                .append("    QUALIFY row_number() OVER (PARTITION BY ").append(rowKey)
                .append(" ORDER BY \"__sequence\" DESC) = 1\n")
                .append(")\n")
                .append("WHERE \"__op_type\" <> ").append(OpType.DELETE.code()).append(";\n")
                .toString();
    }

    /** {@code CAST(NULL AS <type>) AS <column>} for each column, one per line, lines after the first starting with {@code indent}. */
    private static String typedNulls(List<ColumnSchema> columns, boolean internal, String indent) {
        List<String> nulls = new ArrayList<>();
        for (ColumnSchema column : columns) {
            nulls.add("CAST(NULL AS " + type(column.dataType()) + ") AS " + identifier(column.name()));
        }
        if (internal) {
            nulls.add("CAST(NULL AS BIGINT) AS \"__sequence\"");
            nulls.add("CAST(NULL AS INTEGER) AS \"__op_type\"");
        }
        return String.join("," + indent, nulls);
    }

    /** The DuckDB type that DuckDB reads an SST column of {@code type} as. */
    static String type(DataType type) {
        return switch (type) {
            case BOOLEAN -> "BOOLEAN";
            case INT32 -> "INTEGER";
            case INT64 -> "BIGINT";
            case FLOAT32 -> "FLOAT";
            case FLOAT64 -> "DOUBLE";
            case STRING -> "VARCHAR";
            case BINARY -> "BLOB";
            // SSTs mark timestamps as adjusted to UTC: instants.
            case TIMESTAMP_MILLIS, TIMESTAMP_MICROS -> "TIMESTAMP WITH TIME ZONE";
            case TIMESTAMP_NANOS -> "TIMESTAMP_NS";
        };
    }

    /** {@code name} as a DuckDB identifier: double-quoted, inner double quotes doubled. */
    static String identifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** {@code text} as a DuckDB string literal: single-quoted, inner single quotes doubled. */
    static String literal(String text) {
        return '\'' + text.replace("'", "''") + '\'';
    }
}
