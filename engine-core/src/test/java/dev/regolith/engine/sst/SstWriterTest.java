package dev.regolith.engine.sst;

import static dev.regolith.engine.sst.SstTesting.REGION;
import static dev.regolith.engine.sst.SstTesting.allTypes;
import static dev.regolith.engine.sst.SstTesting.expectedStatistics;
import static dev.regolith.engine.sst.SstTesting.randomRows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.io.ForwardingFileIO;
import dev.regolith.engine.io.InMemoryFileIO;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.io.SyncableOutput;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.row.RowOrder;
import dev.regolith.hooks.spi.ColumnStatistics;
import dev.regolith.hooks.spi.WrittenSstFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.parquet.VersionParser;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.KeyValue;
import org.apache.parquet.format.RowGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SstWriterTest {

    private static final RegionMetadata CPU = new RegionMetadata(REGION, List.of(
            ColumnSchema.tag("host", 0, DataType.STRING),
            ColumnSchema.field("usage", 1, DataType.FLOAT64),
            ColumnSchema.timeIndex("ts", 2, DataType.TIMESTAMP_MILLIS)), 0, Map.of());

    private final LocalFileIO io = new LocalFileIO();

    @TempDir
    Path dir;

    @Test
    void finishDescribesWhatWasWritten() throws IOException {
        List<InternalRow> rows = List.of(
                put("a", 1.5, 100, 7),
                put("a", null, 200, 9),
                delete("a", 200, 8),
                put("b", -3.0, 50, 3),
                put(null, 2.0, 400, 1));
        List<InternalRow> sorted = new ArrayList<>(rows);
        sorted.sort(new RowOrder(CPU));
        FileId fileId = FileId.random();
        Path file = dir.resolve(fileId + ".parquet");

        WrittenSstFile written;
        try (SstWriter writer = new SstWriter(io, file, CPU, SstWriteOptions.DEFAULT.withRowGroupRows(2))) {
            sorted.forEach(writer::write);
            written = writer.finish(fileId, 1);
        }

        assertThat(written.path()).isEqualTo(file);
        assertThat(written.meta()).isEqualTo(new FileMeta(REGION, fileId, new TimeRange(50, 400), 1, Files.size(file), 5, 3, 9,
                Optional.empty()));
        assertThat(written.columnStatistics()).containsExactly(
                new ColumnStatistics("host", 1, Optional.of("a"), Optional.of("b")),
                new ColumnStatistics("usage", 2, Optional.of(-3.0), Optional.of(2.0)),
                new ColumnStatistics("ts", 0, Optional.of(50L), Optional.of(400L)));
    }

    @Test
    void statisticsOfEveryTypeMatchTheData() {
        long seed = new Random().nextLong();
        System.out.println("SstWriterTest.statisticsOfEveryTypeMatchTheData seed=" + seed);
        RegionMetadata metadata = allTypes();
        List<InternalRow> rows = randomRows(new Random(seed), metadata, 700);
        Path file = dir.resolve("all.parquet");

        WrittenSstFile written;
        try (SstWriter writer = new SstWriter(io, file, metadata, SstWriteOptions.DEFAULT.withRowGroupRows(128).withPageSizeBytes(1024))) {
            rows.forEach(writer::write);
            written = writer.finish(FileId.random(), 0);
        }

        List<ColumnStatistics> expected = new ArrayList<>();
        for (int column = 0; column < metadata.columns().size(); column++) {
            expected.add(expectedStatistics(metadata, rows, column));
        }
        assertThat(written.columnStatistics()).as("seed %d", seed).containsExactlyElementsOf(expected);
        assertThat(written.meta().numRowGroups()).isEqualTo(6);
        assertThat(written.meta().numRows()).isEqualTo(700);
        assertThat(written.meta().maxSequence()).isEqualTo(rows.stream().mapToLong(InternalRow::sequence).max().orElseThrow());
    }

    @Test
    void footerHasWhatStrictReadersNeed() throws Exception {
        RegionMetadata metadata = allTypes();
        List<InternalRow> rows = randomRows(new Random(13), metadata, 300);
        Path file = dir.resolve("footer.parquet");
        try (SstWriter writer = new SstWriter(io, file, metadata, SstWriteOptions.DEFAULT.withRowGroupRows(100))) {
            rows.forEach(writer::write);
            writer.finish(FileId.random(), 0);
        }

        FileMetaData footer = SstTesting.readFooter(file);
        assertThat(footer.getVersion()).isEqualTo(1);
        assertThat(footer.getNum_rows()).isEqualTo(300);
        // Unparsable created_by makes readers drop binary statistics (PARQUET-251).
        VersionParser.ParsedVersion createdBy = VersionParser.parse(footer.getCreated_by());
        assertThat(createdBy.application).isEqualTo("regolith");
        assertThat(createdBy.version).isEqualTo("0.1.0");
        assertThat(createdBy.appBuildHash).isEqualTo("sst-format-1");
        // Without column orders, strict readers ignore min/max.
        assertThat(footer.getColumn_orders()).hasSize(15).allSatisfy(order -> assertThat(order.isSetTYPE_ORDER()).isTrue());
        assertThat(footer.getKey_value_metadata()).extracting(KeyValue::getKey)
                .containsExactly("regolith.region_metadata", "regolith.format_version");
        assertThat(footer.getSchema()).hasSize(16);

        long previousEnd = 4;
        for (RowGroup rowGroup : footer.getRow_groups()) {
            assertThat(rowGroup.getNum_rows()).isEqualTo(100);
            assertThat(rowGroup.getColumns()).hasSize(15);
            assertThat(rowGroup.getFile_offset()).isEqualTo(previousEnd);
            for (int column = 0; column < 15; column++) {
                ColumnChunk chunk = rowGroup.getColumns().get(column);
                ColumnMetaData meta = chunk.getMeta_data();
                assertThat(chunk.getFile_offset()).isZero();
                assertThat(meta).isNotNull();
                long start = meta.isSetDictionary_page_offset() ? meta.getDictionary_page_offset() : meta.getData_page_offset();
                // Chunks are contiguous, in schema order, dictionary first.
                assertThat(start).isEqualTo(previousEnd);
                assertThat(meta.isSetDictionary_page_offset()).isEqualTo(column < 2);
                previousEnd = start + meta.getTotal_compressed_size();
                assertThat(meta.getStatistics().isSetNull_count()).isTrue();
                if (meta.getStatistics().isSetMin_value()) {
                    assertThat(meta.getStatistics().isIs_min_value_exact()).isTrue();
                }
            }
        }
        assertThat(previousEnd).isEqualTo(SstTesting.footerStart(file));
    }

    @Test
    void binaryStatisticsAreReadOnlyBuffers() {
        RegionMetadata metadata = new RegionMetadata(REGION, List.of(
                ColumnSchema.field("payload", 0, DataType.BINARY),
                ColumnSchema.timeIndex("ts", 1, DataType.TIMESTAMP_NANOS)));
        Path file = dir.resolve("binary.parquet");
        WrittenSstFile written;
        try (SstWriter writer = new SstWriter(io, file, metadata, SstWriteOptions.DEFAULT)) {
            writer.write(new InternalRow(new Object[] {new byte[] {(byte) 0x80}, 1L}, 1, OpType.PUT));
            writer.write(new InternalRow(new Object[] {new byte[] {0x7f, 1}, 2L}, 2, OpType.PUT));
            written = writer.finish(FileId.random(), 0);
        }

        ColumnStatistics payload = written.columnStatistics().get(0);
        // Unsigned order: 0x7f sorts before 0x80.
        assertThat(payload.min()).contains(ByteBuffer.wrap(new byte[] {0x7f, 1}));
        assertThat(payload.max()).contains(ByteBuffer.wrap(new byte[] {(byte) 0x80}));
        assertThat(((ByteBuffer) payload.min().orElseThrow()).isReadOnly()).isTrue();
    }

    @Test
    void outOfOrderRowIsRejectedNamingBothRows() {
        Path file = dir.resolve("order.parquet");
        try (SstWriter writer = new SstWriter(io, file, CPU, SstWriteOptions.DEFAULT)) {
            InternalRow first = put("b", 1.0, 100, 5);
            writer.write(first);
            InternalRow earlierKey = put("a", 1.0, 100, 6);
            InternalRow earlierTime = put("b", 1.0, 99, 6);
            InternalRow olderSequenceFirst = put("b", 1.0, 100, 4);
            InternalRow newerSequenceSecond = put("b", 1.0, 100, 7);

            assertThatThrownBy(() -> writer.write(earlierKey))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Row out of order for SST file " + file)
                    .hasMessageContaining(earlierKey.toString())
                    .hasMessageContaining(first.toString());
            assertThatThrownBy(() -> writer.write(earlierTime)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> writer.write(newerSequenceSecond)).isInstanceOf(IllegalArgumentException.class);

            // A rejected row is not written and the writer goes on.
            writer.write(olderSequenceFirst);
            WrittenSstFile written = writer.finish(FileId.random(), 0);
            assertThat(written.meta().numRows()).isEqualTo(2);
        }
    }

    @Test
    void rowsThatDoNotFitTheSchemaAreRejected() {
        RegionMetadata metadata = allTypes();
        Path file = dir.resolve("invalid.parquet");
        try (SstWriter writer = new SstWriter(io, file, metadata, SstWriteOptions.DEFAULT)) {
            Object[] valid = {"h", 1, 1000L, true, 1, 1L, 1f, 1.0, "s", new byte[0], 1L, 1L, 2.0};

            assertThatThrownBy(() -> writer.write(new InternalRow(new Object[] {"h", 1, 1000L}, 1, OpType.PUT)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("3 values, but region " + REGION + " has 13 columns");
            assertThatThrownBy(() -> writer.write(new InternalRow(with(valid, 4, 1L), 1, OpType.PUT)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Invalid value for column f_i32 of type INT32 in SST file " + file
                            + ": 1 is a java.lang.Long, expected java.lang.Integer");
            assertThatThrownBy(() -> writer.write(new InternalRow(with(valid, 2, null), 1, OpType.PUT)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("column ts is not nullable but is null");
            assertThatThrownBy(() -> writer.write(new InternalRow(with(valid, 1, null), 1, OpType.PUT)))
                    .hasMessageContaining("column dc is not nullable but is null");
            assertThatThrownBy(() -> writer.write(new InternalRow(with(valid, 12, null), 1, OpType.PUT)))
                    .hasMessageContaining("column f_required is not nullable but is null");
            assertThatThrownBy(() -> writer.write(new InternalRow(valid, 1, OpType.DELETE)))
                    .hasMessageContaining("a delete carries no field values, but field f_bool is true");
            assertThatThrownBy(() -> writer.write(new InternalRow(valid, -1, OpType.PUT)))
                    .hasMessageContaining("negative sequence -1");

            // A delete leaves every field null, the non-nullable one included.
            writer.write(new InternalRow(new Object[] {"h", 1, 1000L, null, null, null, null, null, null, null, null, null, null}, 2,
                    OpType.DELETE));
            writer.write(new InternalRow(valid, 1, OpType.PUT));
            assertThat(writer.finish(FileId.random(), 0).meta().numRows()).isEqualTo(2);
        }
    }

    @Test
    void abortDeletesThePartialFile() {
        Path file = dir.resolve("aborted.parquet");
        SstWriter writer = new SstWriter(io, file, CPU, SstWriteOptions.DEFAULT.withRowGroupRows(1));
        writer.write(put("a", 1.0, 1, 1));
        writer.write(put("a", 1.0, 2, 1));
        assertThat(file).exists();

        writer.abort();

        assertThat(file).doesNotExist();
        writer.abort();
        assertThatThrownBy(() -> writer.write(put("a", 1.0, 3, 1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Cannot write to SST file " + file + ": the writer is aborted");
    }

    @Test
    void closeWithoutFinishDeletesTheFile() {
        Path file = dir.resolve("closed.parquet");
        try (SstWriter writer = new SstWriter(io, file, CPU, SstWriteOptions.DEFAULT)) {
            writer.write(put("a", 1.0, 1, 1));
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void finishedFileIsKeptAndCannotBeAborted() {
        Path file = dir.resolve("kept.parquet");
        SstWriter writer = new SstWriter(io, file, CPU, SstWriteOptions.DEFAULT);
        writer.write(put("a", 1.0, 1, 1));
        writer.finish(FileId.random(), 0);
        writer.close();

        assertThat(file).exists();
        assertThatThrownBy(writer::abort)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("SST file " + file + " is finished; it can no longer be aborted");
        assertThatThrownBy(() -> writer.finish(FileId.random(), 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void emptyFileCannotBeFinished() {
        Path file = dir.resolve("empty.parquet");
        try (SstWriter writer = new SstWriter(io, file, CPU, SstWriteOptions.DEFAULT)) {
            assertThatThrownBy(() -> writer.finish(FileId.random(), 0))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Cannot finish SST file " + file + ": no rows were written; abort it instead");
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void existingFileIsNotOverwritten() throws IOException {
        Path file = dir.resolve("exists.parquet");
        Files.writeString(file, "keep me");

        assertThatThrownBy(() -> new SstWriter(io, file, CPU, SstWriteOptions.DEFAULT))
                .isInstanceOf(RegionStorageException.class)
                .hasMessageStartingWith("Failed to create SST file " + file + " of region " + REGION);
        assertThat(Files.readString(file)).isEqualTo("keep me");
    }

    @Test
    void failedWriteLeavesAFailedWriterThatAbortCleansUp() {
        Path file = dir.resolve("failing.parquet");
        FailingOutputIO failing = new FailingOutputIO(100, false);
        SstWriter writer = new SstWriter(failing, file, CPU,
                SstWriteOptions.DEFAULT.withRowGroupRows(1).withCodec(SstWriteOptions.Codec.UNCOMPRESSED));

        // Larger than the writer's buffer, so the row group goes to the file at once.
        String host = "h".repeat(100_000);
        assertThatThrownBy(() -> writer.write(put(host, 1.0, 1, 1)))
                .isInstanceOf(RegionStorageException.class)
                .hasMessageStartingWith("Failed to write a row group of SST file " + file + " of region " + REGION)
                .hasRootCauseMessage("injected write failure");
        assertThatThrownBy(() -> writer.write(put(host, 1.0, 2, 1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Cannot write to SST file " + file + ": the writer is failed");
        assertThatThrownBy(() -> writer.finish(FileId.random(), 0)).isInstanceOf(IllegalStateException.class);
        assertThat(file).exists();

        writer.abort();
        assertThat(file).doesNotExist();
    }

    @Test
    void failedSyncFailsFinish() {
        Path file = dir.resolve("unsynced.parquet");
        try (SstWriter writer = new SstWriter(new FailingOutputIO(Long.MAX_VALUE, true), file, CPU, SstWriteOptions.DEFAULT)) {
            writer.write(put("a", 1.0, 1, 1));
            assertThatThrownBy(() -> writer.finish(FileId.random(), 0))
                    .isInstanceOf(RegionStorageException.class)
                    .hasMessageStartingWith("Failed to finish SST file " + file)
                    .hasRootCauseMessage("injected sync failure");
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void inMemoryFilesRoundTrip() throws IOException {
        InMemoryFileIO memory = new InMemoryFileIO();
        Path file = Path.of("/regions/7/sst/in-memory.parquet");
        memory.createDirectories(file.getParent());
        List<InternalRow> rows = randomRows(new Random(8), allTypes(), 100);
        try (SstWriter writer = new SstWriter(memory, file, allTypes(), SstWriteOptions.DEFAULT.withRowGroupRows(40))) {
            rows.forEach(writer::write);
            assertThat(writer.finish(FileId.random(), 0).meta().fileSize()).isEqualTo(memory.size(file));
        }
        try (SstReader reader = SstReader.open(memory, file)) {
            assertThat(SstTesting.readAll(reader.read(null, null))).containsExactlyElementsOf(rows);
        }
    }

    @Test
    void optionsAreValidated() {
        assertThat(SstWriteOptions.DEFAULT).isEqualTo(new SstWriteOptions(SstWriteOptions.Codec.ZSTD, 102_400, 1 << 20, 1 << 20));
        assertThatThrownBy(() -> SstWriteOptions.DEFAULT.withRowGroupRows(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid SST row group size: 0 rows (must be >= 1)");
        assertThatThrownBy(() -> SstWriteOptions.DEFAULT.withPageSizeBytes(63))
                .hasMessage("Invalid SST page size: 63 bytes (must be between 64 and 268435456)");
        assertThatThrownBy(() -> SstWriteOptions.DEFAULT.withDictionaryPageSizeBytes(Integer.MAX_VALUE))
                .hasMessage("Invalid SST dictionary page size: 2147483647 bytes (must be between 64 and 268435456)");
        assertThatThrownBy(() -> SstWriteOptions.DEFAULT.withCodec(null)).isInstanceOf(NullPointerException.class);
    }

    private static Object[] with(Object[] values, int index, Object value) {
        Object[] copy = values.clone();
        copy[index] = value;
        return copy;
    }

    static InternalRow put(String host, Double usage, long ts, long sequence) {
        return new InternalRow(new Object[] {host, usage, ts}, sequence, OpType.PUT);
    }

    static InternalRow delete(String host, long ts, long sequence) {
        return new InternalRow(new Object[] {host, null, ts}, sequence, OpType.DELETE);
    }

    /** Local files whose SST output fails once {@code budget} bytes were written, or on sync. */
    private static final class FailingOutputIO extends ForwardingFileIO {

        private final long budget;
        private final boolean failSync;

        FailingOutputIO(long budget, boolean failSync) {
            super(new LocalFileIO());
            this.budget = budget;
            this.failSync = failSync;
        }

        @Override
        public SyncableOutput create(Path file) throws IOException {
            SyncableOutput out = delegate().create(file);
            return new SyncableOutput() {
                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    if (out.position() + length > budget) {
                        throw new IOException("injected write failure");
                    }
                    out.write(bytes, offset, length);
                }

                @Override
                public long position() {
                    return out.position();
                }

                @Override
                public void sync() throws IOException {
                    if (failSync) {
                        throw new IOException("injected sync failure");
                    }
                    out.sync();
                }

                @Override
                public void close() throws IOException {
                    out.close();
                }
            };
        }











    }
}
