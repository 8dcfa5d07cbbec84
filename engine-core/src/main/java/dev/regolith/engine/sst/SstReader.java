package dev.regolith.engine.sst;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.io.ReadableFile;
import dev.regolith.engine.manifest.RegionMetadataCodec;
import dev.regolith.engine.row.InternalRow;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.KeyValue;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;

/**
 * Reads an SST written by {@link SstWriter}: its region metadata, per-row-group statistics, and its
 * rows in file order.
 *
 * <p>{@link #open} reads and checks the footer: both magic numbers, the footer length, the
 * footer's schema against the region metadata it carries, and every column chunk's place in the
 * file. Anything wrong is a {@link CorruptedFileException} naming the file, the offset and the
 * problem; so is a page that fails its checksum or does not decompress or decode while rows are
 * read. I/O errors are {@link RegionStorageException}s.
 *
 * <p>The reader may be shared by threads; each iterator returned by {@link #read} belongs to one
 * thread. Iterators fail once the reader is closed.
 */
public final class SstReader implements Closeable {

    private static final GroupConverter IGNORING_CONVERTER = new GroupConverter() {
        private final PrimitiveConverter column = new PrimitiveConverter() {
        };

        @Override
        public Converter getConverter(int fieldIndex) {
            return column;
        }

        @Override
        public void start() {
        }

        @Override
        public void end() {
        }
    };

    private final String file;
    private final ReadableFile input;
    private final FileMetaData footer;
    private final long footerStart;
    private final SstSchema schema;
    private final List<RowGroupStats> rowGroupStats;

    private SstReader(Path path, ReadableFile input) throws IOException {
        this.file = path.toString();
        this.input = input;
        long size = input.size();
        if (size < SstFormat.MIN_FILE_SIZE) {
            throw new CorruptedFileException(file, 0, "file of " + size + " bytes is too short for an SST (at least "
                    + SstFormat.MIN_FILE_SIZE + ")");
        }
        byte[] head = readFully(0, SstFormat.MAGIC.length);
        if (!Arrays.equals(head, SstFormat.MAGIC)) {
            throw new CorruptedFileException(file, 0, "bad magic at the start: expected PAR1 (50415231), found "
                    + HexFormat.of().formatHex(head));
        }
        byte[] tail = readFully(size - 8, 8);
        if (!Arrays.equals(tail, 4, 8, SstFormat.MAGIC, 0, 4)) {
            throw new CorruptedFileException(file, size - 4, "bad magic at the end: expected PAR1 (50415231), found "
                    + HexFormat.of().formatHex(tail, 4, 8));
        }
        int footerLength = ByteBuffer.wrap(tail, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        long available = size - SstFormat.MIN_FILE_SIZE;
        if (footerLength <= 0 || footerLength > available) {
            throw new CorruptedFileException(file, size - 8, "footer length " + footerLength + " is beyond the file: "
                    + available + " bytes lie between the magic numbers");
        }
        this.footerStart = size - 8 - footerLength;
        this.footer = decodeFooter(readFully(footerStart, footerLength));

        RegionMetadata metadata = regionMetadata(footer);
        this.schema = new SstSchema(metadata);
        Optional<String> mismatch = schema.mismatch(footer.getSchema());
        if (mismatch.isPresent()) {
            throw corruptFooter(mismatch.get());
        }
        this.rowGroupStats = checkRowGroups();
    }

    /**
     * Opens {@code file} and checks its footer.
     *
     * @throws CorruptedFileException if the file is not an intact SST
     * @throws RegionStorageException if it cannot be read
     */
    public static SstReader open(FileIO io, Path file) {
        requireNonNull(io, "io is null");
        requireNonNull(file, "file is null");
        ReadableFile input;
        try {
            input = io.open(file);
        }
        catch (IOException e) {
            throw new RegionStorageException("Failed to open SST file " + file + ": " + e, e);
        }
        try {
            return new SstReader(file, input);
        }
        catch (IOException | RuntimeException e) {
            try {
                input.close();
            }
            catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof IOException ioException) {
                throw new RegionStorageException("Failed to read SST file " + file + ": " + ioException, ioException);
            }
            throw (RuntimeException) e;
        }
    }

    /** The region metadata the file was written with. */
    public RegionMetadata metadata() {
        return schema.metadata();
    }

    public long numRows() {
        return footer.getNum_rows();
    }

    public int rowGroupCount() {
        return rowGroupStats.size();
    }

    /**
     * The footer's statistics of row group {@code index}.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= index < rowGroupCount()}
     */
    public RowGroupStats rowGroup(int index) {
        return rowGroupStats.get(Objects.checkIndex(index, rowGroupStats.size()));
    }

    /**
     * The rows of the row groups that {@code rowGroupFilter} accepts, in file order.
     *
     * <p>Each row has the values of the file's region metadata, in its column order. Columns
     * outside {@code projection} are null, except the primary-key tags and the time index, which
     * are always read (as are sequence and op type).
     *
     * @param projection names of region columns to read; {@code null} for all
     * @param rowGroupFilter which row groups to read, by index; {@code null} for all
     * @throws IllegalArgumentException if {@code projection} names a column the file lacks
     */
    public Iterator<InternalRow> read(Set<String> projection, IntPredicate rowGroupFilter) {
        boolean[] selected = new boolean[schema.columnCount()];
        for (int column = 0; column < schema.columnCount(); column++) {
            selected[column] = projection == null || schema.alwaysRead(column);
        }
        if (projection != null) {
            for (String name : projection) {
                int column = schema.indexOf(requireNonNull(name, "projection holds null"));
                if (column < 0 || column >= schema.regionColumnCount()) {
                    throw new IllegalArgumentException("Unknown column " + name + " in projection for SST file " + file
                            + "; its columns are " + metadata().columns().stream().map(c -> c.name()).toList());
                }
                selected[column] = true;
            }
        }
        int[] columns = new int[schema.columnCount()];
        int count = 0;
        for (int column = 0; column < selected.length; column++) {
            if (selected[column]) {
                columns[count++] = column;
            }
        }
        return new Rows(Arrays.copyOf(columns, count), rowGroupFilter == null ? index -> true : rowGroupFilter);
    }

    @Override
    public void close() {
        try {
            input.close();
        }
        catch (IOException e) {
            throw new RegionStorageException("Failed to close SST file " + file + ": " + e, e);
        }
    }

    private byte[] readFully(long offset, int length) throws IOException {
        try {
            return input.readFully(offset, length);
        }
        catch (EOFException e) {
            throw new CorruptedFileException(file, offset, "file ends within the " + length + " bytes expected here", e);
        }
    }

    private FileMetaData decodeFooter(byte[] bytes) {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        FileMetaData decoded;
        try {
            // Bounding the message by the footer's length keeps a damaged length field from
            // allocating more than the footer holds.
            decoded = Util.readFileMetaData(in, bytes.length);
        }
        catch (IOException | RuntimeException e) {
            throw corruptFooter("undecodable footer: " + e.getMessage(), e);
        }
        if (in.available() != 0) {
            throw corruptFooter("footer of " + bytes.length + " bytes ends after " + (bytes.length - in.available()) + " bytes");
        }
        return decoded;
    }

    private RegionMetadata regionMetadata(FileMetaData footer) {
        Map<String, String> keyValues = new LinkedHashMap<>();
        if (footer.getKey_value_metadata() != null) {
            for (KeyValue keyValue : footer.getKey_value_metadata()) {
                keyValues.put(keyValue.getKey(), keyValue.getValue());
            }
        }
        String version = keyValues.get(SstFormat.FORMAT_VERSION_KEY);
        String encoded = keyValues.get(SstFormat.REGION_METADATA_KEY);
        if (encoded == null) {
            throw corruptFooter("missing " + SstFormat.REGION_METADATA_KEY + " in the footer's key-value metadata: not an SST written by"
                    + " Regolith");
        }
        if (!SstFormat.FORMAT_VERSION.equals(version)) {
            throw corruptFooter("unsupported " + SstFormat.FORMAT_VERSION_KEY + " " + version + " (this reader knows "
                    + SstFormat.FORMAT_VERSION + ")");
        }
        try {
            return RegionMetadataCodec.fromBytes(Base64.getDecoder().decode(encoded));
        }
        catch (RuntimeException e) {
            throw corruptFooter("undecodable " + SstFormat.REGION_METADATA_KEY + ": " + e.getMessage(), e);
        }
    }

    private List<RowGroupStats> checkRowGroups() {
        List<RowGroup> rowGroups = footer.getRow_groups() == null ? List.of() : footer.getRow_groups();
        List<RowGroupStats> stats = new ArrayList<>(rowGroups.size());
        long rows = 0;
        for (int index = 0; index < rowGroups.size(); index++) {
            RowGroup rowGroup = rowGroups.get(index);
            if (rowGroup.getNum_rows() <= 0) {
                throw corruptFooter("row group " + index + " has " + rowGroup.getNum_rows() + " rows");
            }
            List<ColumnChunk> chunks = rowGroup.getColumns();
            if (chunks == null || chunks.size() != schema.columnCount()) {
                throw corruptFooter("row group " + index + " has " + (chunks == null ? 0 : chunks.size()) + " column chunks, but the"
                        + " schema has " + schema.columnCount() + " columns");
            }
            Map<String, RowGroupStats.ColumnStats> columns = new LinkedHashMap<>();
            for (int column = 0; column < chunks.size(); column++) {
                columns.put(schema.name(column), checkChunk(index, column, rowGroup.getNum_rows(), chunks.get(column)));
            }
            stats.add(new RowGroupStats(rowGroup.getNum_rows(), columns));
            rows += rowGroup.getNum_rows();
        }
        if (rows != footer.getNum_rows()) {
            throw corruptFooter("the footer counts " + footer.getNum_rows() + " rows, its row groups " + rows);
        }
        return List.copyOf(stats);
    }

    private RowGroupStats.ColumnStats checkChunk(int rowGroup, int column, long rows, ColumnChunk chunk) {
        String where = "row group " + rowGroup + " column " + schema.name(column) + ": ";
        ColumnMetaData metaData = chunk.getMeta_data();
        if (metaData == null || chunk.isSetFile_path()) {
            throw corruptFooter(where + "column metadata is missing or points to another file");
        }
        if (!List.of(schema.name(column)).equals(metaData.getPath_in_schema())
                || metaData.getType() != SstSchema.formatType(schema.descriptor(column).getPrimitiveType().getPrimitiveTypeName())) {
            throw corruptFooter(where + "chunk holds " + metaData.getPath_in_schema() + " of type " + metaData.getType());
        }
        if (PageCompression.ofFormat(metaData.getCodec()).isEmpty()) {
            throw corruptFooter(where + "unsupported compression codec " + metaData.getCodec());
        }
        if (metaData.getNum_values() != rows) {
            throw corruptFooter(where + "chunk holds " + metaData.getNum_values() + " values for " + rows + " rows");
        }
        long start = chunkStart(metaData);
        long length = metaData.getTotal_compressed_size();
        if (start < SstFormat.MAGIC.length || metaData.getData_page_offset() < start || length <= 0 || length > Integer.MAX_VALUE
                || start + length > footerStart) {
            throw corruptFooter(where + "chunk of " + length + " bytes at offset " + start + " (data pages at "
                    + metaData.getData_page_offset() + ") lies outside the data between offsets " + SstFormat.MAGIC.length + " and "
                    + footerStart);
        }
        org.apache.parquet.format.Statistics statistics = metaData.getStatistics();
        if (statistics == null || !statistics.isSetNull_count() || statistics.getNull_count() < 0) {
            throw corruptFooter(where + "chunk has no null count");
        }
        DataType type = schema.dataType(column);
        try {
            if (statistics.isSetMin_value() && statistics.isSetMax_value()) {
                return new RowGroupStats.ColumnStats(statistics.getNull_count(),
                        Optional.of(SstStatistics.decode(type, statistics.getMin_value())),
                        Optional.of(SstStatistics.decode(type, statistics.getMax_value())));
            }
        }
        catch (IllegalArgumentException e) {
            throw corruptFooter(where + "bad statistics: " + e.getMessage(), e);
        }
        return new RowGroupStats.ColumnStats(statistics.getNull_count(), Optional.empty(), Optional.empty());
    }

    private static long chunkStart(ColumnMetaData metaData) {
        return metaData.isSetDictionary_page_offset() ? metaData.getDictionary_page_offset() : metaData.getData_page_offset();
    }

    private CorruptedFileException corruptFooter(String problem) {
        return corruptFooter(problem, null);
    }

    private CorruptedFileException corruptFooter(String problem, Throwable cause) {
        return new CorruptedFileException(file, footerStart, problem, cause);
    }

    /** Decodes the chosen columns of the accepted row groups, one row group at a time. */
    private final class Rows implements Iterator<InternalRow> {

        private final int[] columns;
        private final IntPredicate rowGroupFilter;
        private final Map<SstWriteOptions.Codec, PageCompression> compressions = new EnumMap<>(SstWriteOptions.Codec.class);
        private final ColumnReader[] readers;
        private final ColumnChunkPages[] pages;
        private int nextRowGroup;
        private long remaining;

        Rows(int[] columns, IntPredicate rowGroupFilter) {
            this.columns = columns;
            this.rowGroupFilter = rowGroupFilter;
            this.readers = new ColumnReader[columns.length];
            this.pages = new ColumnChunkPages[columns.length];
        }

        @Override
        public boolean hasNext() {
            while (remaining == 0) {
                if (nextRowGroup >= footer.getRow_groups().size()) {
                    return false;
                }
                int rowGroup = nextRowGroup++;
                if (rowGroupFilter.test(rowGroup)) {
                    openRowGroup(rowGroup);
                }
            }
            return true;
        }

        @Override
        public InternalRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Object[] values = new Object[schema.regionColumnCount()];
            long sequence = 0;
            int opCode = 0;
            int current = 0;
            try {
                for (current = 0; current < columns.length; current++) {
                    int column = columns[current];
                    ColumnReader reader = readers[current];
                    Object value = reader.getCurrentDefinitionLevel() == reader.getDescriptor().getMaxDefinitionLevel()
                            ? readValue(reader, schema.dataType(column))
                            : null;
                    reader.consume();
                    if (column == schema.sequenceColumn()) {
                        sequence = (Long) value;
                    }
                    else if (column == schema.opTypeColumn()) {
                        opCode = (Integer) value;
                    }
                    else {
                        values[column] = value;
                    }
                }
            }
            catch (CorruptedFileException e) {
                throw e;
            }
            catch (RuntimeException e) {
                throw decodeFailure(current, e);
            }
            remaining--;
            OpType op;
            try {
                op = OpType.ofCode(opCode);
            }
            catch (IllegalArgumentException e) {
                throw new CorruptedFileException(file, pages[columns.length - 1].currentPageOffset(), e.getMessage(), e);
            }
            return new InternalRow(values, sequence, op);
        }

        private void openRowGroup(int index) {
            RowGroup rowGroup = footer.getRow_groups().get(index);
            Map<ColumnDescriptor, ColumnChunkPages> chunks = new LinkedHashMap<>();
            for (int current = 0; current < columns.length; current++) {
                int column = columns[current];
                ColumnMetaData metaData = rowGroup.getColumns().get(column).getMeta_data();
                long start = chunkStart(metaData);
                byte[] bytes;
                try {
                    bytes = readFully(start, (int) metaData.getTotal_compressed_size());
                }
                catch (IOException e) {
                    throw new RegionStorageException("Failed to read SST file " + file + " at offset " + start + ": " + e, e);
                }
                SstWriteOptions.Codec codec = PageCompression.ofFormat(metaData.getCodec()).orElseThrow();
                pages[current] = new ColumnChunkPages(file, bytes, start, metaData, schema.descriptor(column),
                        compressions.computeIfAbsent(codec, PageCompression::new));
                chunks.put(schema.descriptor(column), pages[current]);
            }
            PageReadStore pageStore = new PageReadStore() {
                @Override
                public PageReader getPageReader(ColumnDescriptor descriptor) {
                    return chunks.get(descriptor);
                }

                @Override
                public long getRowCount() {
                    return rowGroup.getNum_rows();
                }
            };
            ColumnReadStoreImpl readStore = new ColumnReadStoreImpl(pageStore, IGNORING_CONVERTER, schema.messageType(),
                    footer.getCreated_by());
            for (int current = 0; current < columns.length; current++) {
                try {
                    // Reads the dictionary and the first page.
                    readers[current] = readStore.getColumnReader(schema.descriptor(columns[current]));
                }
                catch (CorruptedFileException e) {
                    throw e;
                }
                catch (RuntimeException e) {
                    throw decodeFailure(current, e);
                }
            }
            remaining = rowGroup.getNum_rows();
        }

        private CorruptedFileException decodeFailure(int current, RuntimeException cause) {
            return new CorruptedFileException(file, pages[current].currentPageOffset(), "column " + schema.name(columns[current])
                    + " does not decode: " + cause, cause);
        }
    }

    private static Object readValue(ColumnReader reader, DataType type) {
        return switch (type) {
            case BOOLEAN -> Boolean.valueOf(reader.getBoolean());
            case INT32 -> Integer.valueOf(reader.getInteger());
            case INT64, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS -> Long.valueOf(reader.getLong());
            case FLOAT32 -> Float.valueOf(reader.getFloat());
            case FLOAT64 -> Double.valueOf(reader.getDouble());
            case STRING -> reader.getBinary().toStringUsingUTF8();
            case BINARY -> copy(reader.getBinary());
        };
    }

    /** A fresh array: the binary may share its bytes with the page or the dictionary. */
    private static byte[] copy(Binary binary) {
        ByteBuffer buffer = binary.toByteBuffer();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
