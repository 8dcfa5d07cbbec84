package dev.regolith.engine.index;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.io.FileIO;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.roaringbitmap.RoaringBitmap;

/**
 * The inverted index of an SST's tag columns, read from its sidecar file: for each tag value, the
 * row groups that hold it. A scan with tag equality predicates asks it which row groups to read.
 *
 * <p>Written by {@link TagIndexWriter}, named {@code {fileId}.index} ({@link #fileName}) and kept
 * beside its SST. Column names are those of the SST's own region metadata
 * ({@code SstReader.metadata()}), which may differ from the region's current schema after a
 * rename. Values are matched with {@link dev.regolith.engine.row.RowOrder#compareValues} equality:
 * strings and byte arrays by content, floating-point values as {@link Float#compareTo} and
 * {@link Double#compareTo} do (NaN matches NaN, -0.0 does not match 0.0), null as a value of its
 * own.
 *
 * <h2>File format</h2>
 * All integers are big-endian.
 * <pre>
 * offset 0   magic "RGIX"
 * offset 4   format version (1 byte, currently 1)
 * offset 5   reserved (3 bytes, zero)
 * offset 8   body length (4 bytes, unsigned)
 * offset 12  body:
 *              row group count of the SST (4 bytes)
 *              column count (4 bytes)
 *              per column, in the SST's primary-key order:
 *                name (4-byte length, UTF-8 bytes)
 *                data type (1 byte: 1 BOOLEAN, 2 INT32, 3 INT64, 4 FLOAT32, 5 FLOAT64, 6 STRING,
 *                  7 BINARY, 8 TIMESTAMP_MILLIS, 9 TIMESTAMP_MICROS, 10 TIMESTAMP_NANOS)
 *                value count (4 bytes)
 *                per value, ascending in RowOrder.compareValues order (so null first), no duplicates:
 *                  null marker (1 byte: 0 null, then no value; 1 a value follows)
 *                  value: BOOLEAN 1 byte (0 or 1); INT32 4 bytes; INT64 and TIMESTAMP_* 8 bytes;
 *                    FLOAT32 and FLOAT64 their raw IEEE 754 bits (4 or 8 bytes);
 *                    STRING (UTF-8) and BINARY a 4-byte length then the bytes
 *                  row groups holding the value: 4-byte length, then a RoaringBitmap in the portable
 *                    serialization (https://github.com/RoaringBitmap/RoaringFormatSpec), non-empty,
 *                    every id below the row group count
 * then       CRC32C of everything before it (4 bytes)
 * </pre>
 *
 * <h2>Contract</h2>
 * {@link #read} checks the whole file before returning; every problem is a
 * {@link CorruptedFileException} naming the file and the offset where it was found. An instance is
 * immutable and may be shared by threads.
 */
public final class TagIndex {

    /** The format version this engine writes and reads; recorded as {@code FileIndex.version()}. */
    public static final int FORMAT_VERSION = TagIndexFormat.FORMAT_VERSION;

    /** The suffix of index file names. */
    public static final String SUFFIX = ".index";

    private final int rowGroupCount;
    private final Map<String, TagIndexFormat.Column> columns;

    private TagIndex(TagIndexFormat.Contents contents) {
        this.rowGroupCount = contents.rowGroupCount();
        Map<String, TagIndexFormat.Column> byName = new LinkedHashMap<>();
        for (TagIndexFormat.Column column : contents.columns()) {
            byName.put(column.name(), column);
        }
        this.columns = byName;
    }

    /**
     * Reads and checks the index file {@code indexFile}.
     *
     * @throws CorruptedFileException if it has a bad magic number or an unknown format version, is
     *     truncated, fails its checksum or does not decode
     * @throws RegionStorageException if it cannot be read (for example it does not exist)
     */
    public static TagIndex read(FileIO io, Path indexFile) {
        requireNonNull(io, "io is null");
        requireNonNull(indexFile, "indexFile is null");
        byte[] bytes;
        try {
            bytes = io.readAllBytes(indexFile);
        }
        catch (IOException e) {
            throw new RegionStorageException("Failed to read tag index file " + indexFile + ": " + e, e);
        }
        return new TagIndex(TagIndexFormat.decode(indexFile.toString(), bytes));
    }

    /** The name of the index file of SST {@code fileId}: {@code {fileId}.index}. */
    public static String fileName(FileId fileId) {
        return requireNonNull(fileId, "fileId is null") + SUFFIX;
    }

    /**
     * The path of the index file of {@code sstFile}, in the same directory.
     *
     * @throws IllegalArgumentException unless the SST's name is {@code {fileId}.{extension}}
     */
    public static Path pathBeside(Path sstFile) {
        requireNonNull(sstFile, "sstFile is null");
        Path name = sstFile.getFileName();
        String text = name == null ? "" : name.toString();
        int dot = text.indexOf('.');
        FileId fileId;
        try {
            fileId = FileId.parse(dot < 0 ? text : text.substring(0, dot));
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid SST file name " + sstFile + ": expected {fileId}.{extension}", e);
        }
        return sstFile.resolveSibling(fileName(fileId));
    }

    /** The indexed columns, in the SST's primary-key order. */
    public List<String> columns() {
        return List.copyOf(columns.keySet());
    }

    /** The number of row groups of the SST the index was built from. */
    public int rowGroupCount() {
        return rowGroupCount;
    }

    /**
     * The row groups in which {@code column} holds {@code value} ({@code null} for null): a fresh
     * bitmap the caller may change; empty if the value does not occur.
     *
     * @throws IllegalArgumentException if {@code column} is not indexed, or {@code value} is not of
     *     the Java type of the column's data type (see {@link dev.regolith.engine.row.InternalRow})
     */
    public RoaringBitmap rowGroups(String column, Object value) {
        RoaringBitmap rowGroups = lookup(indexed(column), value);
        return rowGroups == null ? new RoaringBitmap() : rowGroups.clone();
    }

    /**
     * Which row groups may hold rows matching every predicate {@code column = value} of
     * {@code tagEquals}, as a row group filter for {@code SstReader.read}. A row group passes when,
     * for every indexed column of {@code tagEquals}, it holds that column's value; columns that are
     * not indexed do not restrict. The filter is computed here, once; testing it is a bitmap probe.
     *
     * @throws IllegalArgumentException if a value is not of the Java type of its indexed column
     */
    public IntPredicate rowGroupFilter(Map<String, Object> tagEquals) {
        requireNonNull(tagEquals, "tagEquals is null");
        List<RoaringBitmap> restrictions = new ArrayList<>();
        for (Map.Entry<String, Object> predicate : tagEquals.entrySet()) {
            TagIndexFormat.Column column = columns.get(requireNonNull(predicate.getKey(), "tagEquals holds a null column"));
            if (column == null) {
                continue;
            }
            RoaringBitmap rowGroups = lookup(column, predicate.getValue());
            if (rowGroups == null) {
                return index -> false;
            }
            restrictions.add(rowGroups);
        }
        if (restrictions.isEmpty()) {
            return index -> true;
        }
        RoaringBitmap passing = restrictions.get(0).clone();
        for (int i = 1; i < restrictions.size(); i++) {
            passing.and(restrictions.get(i));
        }
        return passing::contains;
    }

    private TagIndexFormat.Column indexed(String column) {
        requireNonNull(column, "column is null");
        TagIndexFormat.Column indexed = columns.get(column);
        if (indexed == null) {
            throw new IllegalArgumentException("Column " + column + " is not in the tag index; indexed columns are " + columns.keySet());
        }
        return indexed;
    }

    /** The row groups holding {@code value}, shared with the index (never to be changed); null if none. */
    private static RoaringBitmap lookup(TagIndexFormat.Column column, Object value) {
        if (value != null && !isValueOf(column.type(), value)) {
            throw new IllegalArgumentException("Invalid value " + value + " of type " + value.getClass().getName() + " for tag column "
                    + column.name() + " of type " + column.type() + ": expected " + javaType(column.type()));
        }
        return column.rowGroups().get(value);
    }

    private static boolean isValueOf(DataType type, Object value) {
        return switch (type) {
            case BOOLEAN -> value instanceof Boolean;
            case INT32 -> value instanceof Integer;
            case INT64, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS -> value instanceof Long;
            case FLOAT32 -> value instanceof Float;
            case FLOAT64 -> value instanceof Double;
            case STRING -> value instanceof String;
            case BINARY -> value instanceof byte[];
        };
    }

    private static String javaType(DataType type) {
        return switch (type) {
            case BOOLEAN -> "Boolean";
            case INT32 -> "Integer";
            case INT64, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS -> "Long";
            case FLOAT32 -> "Float";
            case FLOAT64 -> "Double";
            case STRING -> "String";
            case BINARY -> "byte[]";
        };
    }

    @Override
    public String toString() {
        return "TagIndex" + columns.keySet() + " over " + rowGroupCount + " row groups";
    }
}
