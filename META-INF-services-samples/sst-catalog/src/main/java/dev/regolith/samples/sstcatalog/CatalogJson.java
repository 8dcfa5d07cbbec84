package dev.regolith.samples.sstcatalog;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.SemanticType;
import dev.regolith.samples.sstcatalog.RegionCatalog.CatalogFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The catalog's JSON file, {@code <region>.json}: written for people and tools, and read back by
 * the hook after a restart to know which version it is at.
 *
 * <pre>{@code
 * {
 *   "format": 1,
 *   "region": "4096_0000000001",
 *   "manifestVersion": 7,
 *   "schemaVersion": 1,
 *   "partitionExpr": null,
 *   "view": "region_4096_0000000001",
 *   "columns": [
 *     {"name": "host", "id": 1, "type": "STRING", "semanticType": "TAG", "nullable": true},
 *     ...
 *   ],
 *   "files": [
 *     {"fileId": "…", "path": "/data/…/….parquet", "level": 0, "rows": 100, "bytes": 5176, "rowGroups": 2,
 *      "minTimeMillis": 1700000000000, "maxTimeMillis": 1700000099000},
 *     ...
 *   ]
 * }
 * }</pre>
 *
 * Files are listed by file id, columns in the region's order, so that one state always gives the
 * same bytes.
 */
final class CatalogJson {

    /** The format written; a file of another format is not read. */
    static final int FORMAT = 1;

    private CatalogJson() {
    }

    static String write(RegionCatalog catalog) {
        StringBuilder json = new StringBuilder(512 + 256 * catalog.files().size());
        json.append("{\n")
                .append("  \"format\": ").append(FORMAT).append(",\n")
                .append("  \"region\": ").append(quote(catalog.regionId().toString())).append(",\n")
                .append("  \"manifestVersion\": ").append(catalog.manifestVersion()).append(",\n")
                .append("  \"schemaVersion\": ").append(catalog.schemaVersion()).append(",\n")
                .append("  \"partitionExpr\": ").append(catalog.partitionExpr().map(CatalogJson::quote).orElse("null")).append(",\n")
                .append("  \"view\": ").append(quote(DuckDbView.viewName(catalog.regionId()))).append(",\n")
                .append("  \"columns\": [");
        List<ColumnSchema> columns = catalog.columns();
        for (int i = 0; i < columns.size(); i++) {
            ColumnSchema column = columns.get(i);
            json.append(i == 0 ? "\n" : ",\n")
                    .append("    {\"name\": ").append(quote(column.name()))
                    .append(", \"id\": ").append(column.columnId())
                    .append(", \"type\": ").append(quote(column.dataType().name()))
                    .append(", \"semanticType\": ").append(quote(column.semanticType().name()))
                    .append(", \"nullable\": ").append(column.nullable())
                    .append('}');
        }
        json.append(columns.isEmpty() ? "],\n" : "\n  ],\n").append("  \"files\": [");
        boolean first = true;
        for (CatalogFile file : catalog.files().values()) {
            json.append(first ? "\n" : ",\n")
                    .append("    {\"fileId\": ").append(quote(file.fileId().toString()))
                    .append(", \"path\": ").append(quote(file.path().toString()))
                    .append(", \"level\": ").append(file.level())
                    .append(", \"rows\": ").append(file.rows())
                    .append(", \"bytes\": ").append(file.bytes())
                    .append(", \"rowGroups\": ").append(file.rowGroups())
                    .append(", \"minTimeMillis\": ").append(file.minTimeMillis())
                    .append(", \"maxTimeMillis\": ").append(file.maxTimeMillis())
                    .append('}');
            first = false;
        }
        return json.append(first ? "]\n" : "\n  ]\n").append("}\n").toString();
    }

    /**
     * Reads a catalog written by {@link #write}.
     *
     * @param source where {@code json} comes from, for error messages
     * @throws IllegalArgumentException naming {@code source} and what is wrong, if {@code json} is
     *     not such a catalog
     */
    static RegionCatalog read(String json, Path source) {
        try {
            Map<String, Object> root = object(new Parser(json).document(), "the document");
            long format = number(root, "format");
            if (format != FORMAT) {
                throw new IllegalArgumentException("format " + format + " is not " + FORMAT);
            }
            RegionId regionId = RegionId.parse(text(root, "region"));
            List<ColumnSchema> columns = new ArrayList<>();
            for (Object element : list(root, "columns")) {
                Map<String, Object> column = object(element, "a column");
                columns.add(new ColumnSchema(text(column, "name"), Math.toIntExact(number(column, "id")),
                        DataType.valueOf(text(column, "type")), SemanticType.valueOf(text(column, "semanticType")),
                        bool(column, "nullable")));
            }
            TreeMap<FileId, CatalogFile> files = new TreeMap<>();
            for (Object element : list(root, "files")) {
                Map<String, Object> file = object(element, "a file");
                CatalogFile catalogFile = new CatalogFile(FileId.parse(text(file, "fileId")), Path.of(text(file, "path")),
                        Math.toIntExact(number(file, "level")), number(file, "rows"), number(file, "bytes"),
                        number(file, "rowGroups"), number(file, "minTimeMillis"), number(file, "maxTimeMillis"));
                if (files.put(catalogFile.fileId(), catalogFile) != null) {
                    throw new IllegalArgumentException("file " + catalogFile.fileId() + " is listed twice");
                }
            }
            Object partitionExpr = root.get("partitionExpr");
            if (partitionExpr != null && !(partitionExpr instanceof String)) {
                throw new IllegalArgumentException("\"partitionExpr\" is not a string or null");
            }
            return new RegionCatalog(regionId, number(root, "manifestVersion"), number(root, "schemaVersion"), columns,
                    Optional.ofNullable((String) partitionExpr), files);
        }
        catch (IllegalArgumentException | ArithmeticException e) {
            throw new IllegalArgumentException("Invalid SST catalog " + source + ": " + e.getMessage(), e);
        }
    }

    static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    }
                    else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value, String what) {
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException(what + " is not an object");
        }
        return (Map<String, Object>) value;
    }

    private static Object field(Map<String, Object> object, String key) {
        Object value = object.get(key);
        if (value == null) {
            throw new IllegalArgumentException("\"" + key + "\" is missing");
        }
        return value;
    }

    private static String text(Map<String, Object> object, String key) {
        if (field(object, key) instanceof String text) {
            return text;
        }
        throw new IllegalArgumentException("\"" + key + "\" is not a string");
    }

    private static long number(Map<String, Object> object, String key) {
        if (field(object, key) instanceof Long number) {
            return number;
        }
        throw new IllegalArgumentException("\"" + key + "\" is not a whole number");
    }

    private static boolean bool(Map<String, Object> object, String key) {
        if (field(object, key) instanceof Boolean bool) {
            return bool;
        }
        throw new IllegalArgumentException("\"" + key + "\" is not true or false");
    }

    private static List<?> list(Map<String, Object> object, String key) {
        if (field(object, key) instanceof List<?> list) {
            return list;
        }
        throw new IllegalArgumentException("\"" + key + "\" is not an array");
    }

    /**
     * A JSON parser for what {@link #write} produces and what a person may have reformatted:
     * objects, arrays, strings, whole numbers, booleans and null.
     */
    private static final class Parser {
        private final String text;
        private int position;

        Parser(String text) {
            this.text = text;
        }

        Object document() {
            Object value = value();
            skipWhitespace();
            if (position != text.length()) {
                throw error("unexpected text after the document");
            }
            return value;
        }

        private Object value() {
            skipWhitespace();
            if (position == text.length()) {
                throw error("unexpected end of the document");
            }
            char c = text.charAt(position);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw error("unexpected character '" + c + "'");
                }
            };
        }

        private Map<String, Object> object() {
            Map<String, Object> object = new LinkedHashMap<>();
            position++;
            skipWhitespace();
            if (peek() == '}') {
                position++;
                return object;
            }
            while (true) {
                skipWhitespace();
                if (peek() != '"') {
                    throw error("expected a quoted key");
                }
                int keyOffset = position;
                String key = string();
                if (object.containsKey(key)) {
                    position = keyOffset;
                    throw error("key \"" + key + "\" appears twice");
                }
                skipWhitespace();
                expect(':');
                object.put(key, value());
                skipWhitespace();
                if (peek() == ',') {
                    position++;
                }
                else {
                    expect('}');
                    return object;
                }
            }
        }

        private List<Object> array() {
            List<Object> array = new ArrayList<>();
            position++;
            skipWhitespace();
            if (peek() == ']') {
                position++;
                return array;
            }
            while (true) {
                array.add(value());
                skipWhitespace();
                if (peek() == ',') {
                    position++;
                }
                else {
                    expect(']');
                    return array;
                }
            }
        }

        private String string() {
            StringBuilder value = new StringBuilder();
            position++;
            while (true) {
                if (position >= text.length()) {
                    throw error("unterminated string");
                }
                char c = text.charAt(position++);
                if (c == '"') {
                    return value.toString();
                }
                if (c != '\\') {
                    value.append(c);
                    continue;
                }
                if (position >= text.length()) {
                    throw error("unterminated string");
                }
                char escaped = text.charAt(position++);
                switch (escaped) {
                    case '"', '\\', '/' -> value.append(escaped);
                    case 'b' -> value.append('\b');
                    case 'f' -> value.append('\f');
                    case 'n' -> value.append('\n');
                    case 'r' -> value.append('\r');
                    case 't' -> value.append('\t');
                    case 'u' -> {
                        if (position + 4 > text.length()) {
                            throw error("incomplete \\u escape");
                        }
                        try {
                            value.append((char) Integer.parseInt(text.substring(position, position + 4), 16));
                        }
                        catch (NumberFormatException e) {
                            throw error("invalid \\u escape");
                        }
                        position += 4;
                    }
                    default -> throw error("invalid escape \\" + escaped);
                }
            }
        }

        private Long number() {
            int start = position;
            if (peek() == '-') {
                position++;
            }
            while (position < text.length() && Character.isDigit(text.charAt(position)) && text.charAt(position) < 128) {
                position++;
            }
            if (position < text.length() && ".eE".indexOf(text.charAt(position)) >= 0) {
                throw error("only whole numbers are expected");
            }
            try {
                return Long.parseLong(text.substring(start, position));
            }
            catch (NumberFormatException e) {
                throw error("invalid number " + text.substring(start, position));
            }
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, position)) {
                throw error("unexpected text");
            }
            position += word.length();
            return value;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            position++;
        }

        private char peek() {
            return position < text.length() ? text.charAt(position) : '\0';
        }

        private void skipWhitespace() {
            while (position < text.length() && " \t\r\n".indexOf(text.charAt(position)) >= 0) {
                position++;
            }
        }

        private IllegalArgumentException error(String message) {
            return new IllegalArgumentException(message + " at offset " + position);
        }
    }
}
