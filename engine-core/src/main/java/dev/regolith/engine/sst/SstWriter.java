package dev.regolith.engine.sst;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.SemanticType;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.manifest.RegionMetadataCodec;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.row.RowOrder;
import dev.regolith.hooks.spi.ColumnStatistics;
import dev.regolith.hooks.spi.WrittenSstFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.impl.ColumnWriteStoreV1;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnOrder;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.KeyValue;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.TypeDefinedOrder;
import org.apache.parquet.format.Util;
import org.apache.parquet.io.api.Binary;

/**
 * Writes one SST: a Parquet file of a region's rows, in {@link RowOrder}, readable by
 * {@link SstReader} and by any Parquet reader.
 *
 * <p>The file has one column per region column, in region order, then {@code __sequence} (INT64)
 * and {@code __op_type} (INT32, {@link OpType#code()}). Tags are dictionary-encoded; every column
 * chunk carries min/max/null-count statistics; the footer's key-value metadata holds the region
 * metadata ({@code regolith.region_metadata}, Base64) and {@code regolith.format_version=1}. Field
 * columns are OPTIONAL in the file whatever their nullability, because delete rows carry no field
 * values.
 *
 * <p>Use: construct (creates the file), {@link #write} every row, then {@link #finish} (footer,
 * fsync of file and directory) or {@link #abort} (deletes the file). {@link #close()} aborts a
 * writer that was not finished, so try-with-resources never leaves a partial file. A row group is
 * held in memory, compressed, until it is complete.
 *
 * <p>Not thread-safe. An I/O failure throws {@link RegionStorageException} and leaves the writer
 * failed: only {@link #abort} is allowed then. An invalid or out-of-order row throws
 * {@link IllegalArgumentException} and is not written; the writer stays usable.
 */
public final class SstWriter implements Closeable {

    private enum State {
        OPEN,
        FAILED,
        FINISHED,
        ABORTED
    }

    private final FileIO io;
    private final Path file;
    private final RegionMetadata metadata;
    private final SstWriteOptions options;
    private final SstSchema schema;
    private final RowOrder order;
    private final ParquetProperties properties;
    private final PageCompression compression;
    private final PositionedOutput out;
    private final Statistics<?>[] fileStatistics;
    private final List<RowGroup> rowGroups = new ArrayList<>();

    private State state = State.OPEN;
    private RowGroupPageStore pageStore;
    private ColumnWriteStore columnStore;
    private ColumnWriter[] columnWriters;
    private int rowGroupRowCount;
    private long rowCount;
    private InternalRow previous;

    /**
     * Creates {@code file} and starts writing it.
     *
     * @throws RegionStorageException if the file cannot be created (for example it exists)
     */
    public SstWriter(FileIO io, Path file, RegionMetadata metadata, SstWriteOptions options) {
        this.io = requireNonNull(io, "io is null");
        this.file = requireNonNull(file, "file is null");
        this.metadata = requireNonNull(metadata, "metadata is null");
        this.options = requireNonNull(options, "options is null");
        this.schema = new SstSchema(metadata);
        this.order = new RowOrder(metadata);
        this.properties = schema.properties(options);
        this.compression = new PageCompression(options.codec());
        this.fileStatistics = new Statistics<?>[schema.columnCount()];
        for (int column = 0; column < schema.columnCount(); column++) {
            fileStatistics[column] = Statistics.createStats(schema.descriptor(column).getPrimitiveType());
        }
        try {
            this.out = new PositionedOutput(io.create(file));
        }
        catch (IOException e) {
            throw new RegionStorageException("Failed to create SST file " + file + " of region " + metadata.regionId() + ": " + e, e);
        }
        try {
            out.write(SstFormat.MAGIC);
        }
        catch (IOException e) {
            state = State.FAILED;
            RegionStorageException failure = failure("write the header of", e);
            try {
                abort();
            }
            catch (RuntimeException suppressed) {
                failure.addSuppressed(suppressed);
            }
            throw failure;
        }
    }

    /**
     * Appends {@code row}, which must not sort before the previous row in {@link RowOrder}.
     *
     * @throws IllegalArgumentException if the row is out of order, does not fit the region's
     *     schema (count or types of values, a null in a non-nullable column or the time index, a
     *     negative sequence) or is a delete with field values; nothing is written then
     * @throws RegionStorageException if closing a full row group fails
     */
    public void write(InternalRow row) {
        requireNonNull(row, "row is null");
        checkState(State.OPEN, "write to");
        validate(row);
        if (previous != null && order.compare(previous, row) > 0) {
            throw new IllegalArgumentException("Row out of order for SST file " + file + ": " + row + " sorts before the previous row "
                    + previous + " (rows must come by primary key and timestamp ascending, then sequence descending)");
        }
        if (columnStore == null) {
            startRowGroup();
        }
        try {
            writeValues(row);
            columnStore.endRecord();
        }
        catch (RuntimeException e) {
            // The row may be half written: the file can no longer be finished.
            state = State.FAILED;
            throw e;
        }
        previous = row;
        rowCount++;
        if (++rowGroupRowCount == options.rowGroupRows()) {
            try {
                flushRowGroup();
            }
            catch (IOException e) {
                state = State.FAILED;
                throw failure("write a row group of", e);
            }
            catch (RuntimeException e) {
                state = State.FAILED;
                throw e;
            }
        }
    }

    /**
     * Completes the file: writes the last row group and the footer, and makes the file and its
     * directory entry durable.
     *
     * @param fileId the id the file is committed under
     * @param level 0 for a flush, 1 for compaction output
     * @return the file as written: its metadata (time range, rows, row groups, size, max sequence,
     *     level; no index) and, per region column in schema order, statistics over the whole file
     * @throws IllegalStateException if no row was written (abort such a writer instead)
     * @throws RegionStorageException if writing or syncing fails; the writer is failed, abort it
     */
    public WrittenSstFile finish(FileId fileId, int level) {
        requireNonNull(fileId, "fileId is null");
        checkState(State.OPEN, "finish");
        if (level < 0) {
            throw new IllegalArgumentException("Invalid level for SST file " + file + ": " + level);
        }
        if (rowCount == 0) {
            throw new IllegalStateException("Cannot finish SST file " + file + ": no rows were written; abort it instead");
        }
        long fileSize;
        try {
            if (rowGroupRowCount > 0) {
                flushRowGroup();
            }
            long footerStart = out.position();
            Util.writeFileMetaData(footer(), out);
            long footerLength = out.position() - footerStart;
            int length = Math.toIntExact(footerLength);
            out.write(new byte[] {(byte) length, (byte) (length >>> 8), (byte) (length >>> 16), (byte) (length >>> 24)});
            out.write(SstFormat.MAGIC);
            fileSize = out.position();
            out.sync();
            out.close();
            io.syncDirectory(file.toAbsolutePath().getParent());
        }
        catch (IOException e) {
            state = State.FAILED;
            throw failure("finish", e);
        }
        catch (RuntimeException e) {
            state = State.FAILED;
            throw e;
        }
        state = State.FINISHED;

        Statistics<?> time = fileStatistics[schema.timeIndexColumn()];
        Statistics<?> sequence = fileStatistics[schema.sequenceColumn()];
        FileMeta meta = new FileMeta(
                metadata.regionId(),
                fileId,
                new TimeRange((Long) time.genericGetMin(), (Long) time.genericGetMax()),
                level,
                fileSize,
                rowCount,
                rowGroups.size(),
                (Long) sequence.genericGetMax(),
                Optional.empty());
        List<ColumnStatistics> statistics = new ArrayList<>(schema.regionColumnCount());
        for (int column = 0; column < schema.regionColumnCount(); column++) {
            statistics.add(SstStatistics.toHook(schema.name(column), schema.dataType(column), fileStatistics[column]));
        }
        return new WrittenSstFile(meta, file, statistics);
    }

    /**
     * Gives the file up: closes and deletes it. Does nothing if already aborted.
     *
     * @throws IllegalStateException if the file was finished
     * @throws RegionStorageException if the file cannot be deleted
     */
    public void abort() {
        if (state == State.ABORTED) {
            return;
        }
        if (state == State.FINISHED) {
            throw new IllegalStateException("SST file " + file + " is finished; it can no longer be aborted");
        }
        state = State.ABORTED;
        columnStore = null;
        pageStore = null;
        columnWriters = null;
        IOException closeFailure = null;
        try {
            out.discard();
        }
        catch (IOException e) {
            closeFailure = e;
        }
        try {
            io.deleteIfExists(file);
        }
        catch (IOException e) {
            RegionStorageException failure = failure("delete the aborted", e);
            if (closeFailure != null) {
                failure.addSuppressed(closeFailure);
            }
            throw failure;
        }
    }

    /** Aborts the writer unless it was finished. */
    @Override
    public void close() {
        if (state != State.FINISHED) {
            abort();
        }
    }

    /** The file being written. */
    public Path file() {
        return file;
    }

    private void checkState(State expected, String action) {
        if (state != expected) {
            throw new IllegalStateException("Cannot " + action + " SST file " + file + ": the writer is " + state.name().toLowerCase());
        }
    }

    private RegionStorageException failure(String action, IOException cause) {
        return new RegionStorageException("Failed to " + action + " SST file " + file + " of region " + metadata.regionId() + ": "
                + cause, cause);
    }

    private void validate(InternalRow row) {
        List<ColumnSchema> columns = metadata.columns();
        if (row.size() != columns.size()) {
            throw new IllegalArgumentException("Invalid row for SST file " + file + ": " + row.size() + " values, but region "
                    + metadata.regionId() + " has " + columns.size() + " columns: " + row);
        }
        if (row.op() == null) {
            throw new IllegalArgumentException("Invalid row for SST file " + file + ": no op type: " + row);
        }
        if (row.sequence() < 0) {
            throw new IllegalArgumentException("Invalid row for SST file " + file + ": negative sequence " + row.sequence() + ": " + row);
        }
        for (int i = 0; i < columns.size(); i++) {
            ColumnSchema column = columns.get(i);
            Object value = row.value(i);
            if (value == null) {
                boolean required = column.semanticType() == SemanticType.FIELD ? row.op() == OpType.PUT && !column.nullable() : !column.nullable();
                if (required) {
                    throw new IllegalArgumentException("Invalid row for SST file " + file + ": column " + column.name()
                            + " is not nullable but is null: " + row);
                }
            }
            else if (column.semanticType() == SemanticType.FIELD && row.op() == OpType.DELETE) {
                throw new IllegalArgumentException("Invalid row for SST file " + file + ": a delete carries no field values, but field "
                        + column.name() + " is " + value + ": " + row);
            }
            else if (!expectedClass(column.dataType()).isInstance(value)) {
                throw new IllegalArgumentException("Invalid value for column " + column.name() + " of type " + column.dataType()
                        + " in SST file " + file + ": " + value + " is a " + value.getClass().getName() + ", expected "
                        + expectedClass(column.dataType()).getName());
            }
        }
    }

    private static Class<?> expectedClass(DataType type) {
        return switch (type) {
            case BOOLEAN -> Boolean.class;
            case INT32 -> Integer.class;
            case INT64, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS -> Long.class;
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case STRING -> String.class;
            case BINARY -> byte[].class;
        };
    }

    private void startRowGroup() {
        pageStore = new RowGroupPageStore(schema, compression);
        columnStore = new ColumnWriteStoreV1(schema.messageType(), pageStore, properties);
        columnWriters = new ColumnWriter[schema.columnCount()];
        for (int column = 0; column < schema.columnCount(); column++) {
            columnWriters[column] = columnStore.getColumnWriter(schema.descriptor(column));
        }
        rowGroupRowCount = 0;
    }

    private void writeValues(InternalRow row) {
        for (int column = 0; column < schema.regionColumnCount(); column++) {
            writeValue(column, row.value(column));
        }
        columnWriters[schema.sequenceColumn()].write(row.sequence(), 0, 0);
        columnWriters[schema.opTypeColumn()].write(row.op().code(), 0, 0);
    }

    private void writeValue(int column, Object value) {
        ColumnWriter writer = columnWriters[column];
        int definitionLevel = schema.descriptor(column).getMaxDefinitionLevel();
        if (value == null) {
            writer.writeNull(0, definitionLevel - 1);
            return;
        }
        switch (schema.dataType(column)) {
            case BOOLEAN -> writer.write(((Boolean) value).booleanValue(), 0, definitionLevel);
            case INT32 -> writer.write(((Integer) value).intValue(), 0, definitionLevel);
            case INT64, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS -> writer.write(((Long) value).longValue(), 0, definitionLevel);
            case FLOAT32 -> writer.write(((Float) value).floatValue(), 0, definitionLevel);
            case FLOAT64 -> writer.write(((Double) value).doubleValue(), 0, definitionLevel);
            case STRING -> writer.write(Binary.fromString((String) value), 0, definitionLevel);
            // InternalRow's arrays never change, so the dictionary may keep a reference.
            case BINARY -> writer.write(Binary.fromConstantByteArray((byte[]) value), 0, definitionLevel);
        }
    }

    private void flushRowGroup() throws IOException {
        // Closing the store writes each column's last page and then its dictionary page.
        columnStore.close();
        long start = out.position();
        List<ColumnChunk> chunks = pageStore.writeTo(out);
        long uncompressed = 0;
        long compressed = 0;
        for (int column = 0; column < schema.columnCount(); column++) {
            ColumnChunkBuffer chunk = pageStore.chunk(column);
            uncompressed += chunk.uncompressedBytes();
            compressed += chunk.compressedBytes();
            fileStatistics[column].mergeStatistics(chunk.statistics());
        }
        RowGroup rowGroup = new RowGroup(chunks, uncompressed, rowGroupRowCount);
        rowGroup.setFile_offset(start);
        rowGroup.setTotal_compressed_size(compressed);
        if (rowGroups.size() <= Short.MAX_VALUE) {
            rowGroup.setOrdinal((short) rowGroups.size());
        }
        rowGroups.add(rowGroup);
        pageStore = null;
        columnStore = null;
        columnWriters = null;
        rowGroupRowCount = 0;
    }

    private FileMetaData footer() {
        FileMetaData footer = new FileMetaData(SstFormat.PARQUET_VERSION, schema.toSchemaElements(), rowCount, rowGroups);
        footer.setCreated_by(SstFormat.CREATED_BY);
        KeyValue regionMetadata = new KeyValue(SstFormat.REGION_METADATA_KEY);
        regionMetadata.setValue(Base64.getEncoder().encodeToString(RegionMetadataCodec.toBytes(metadata)));
        KeyValue formatVersion = new KeyValue(SstFormat.FORMAT_VERSION_KEY);
        formatVersion.setValue(SstFormat.FORMAT_VERSION);
        footer.setKey_value_metadata(List.of(regionMetadata, formatVersion));
        // Without column orders, readers ignore min/max of every column.
        footer.setColumn_orders(Collections.nCopies(schema.columnCount(), ColumnOrder.TYPE_ORDER(new TypeDefinedOrder())));
        return footer;
    }
}
