package dev.regolith.engine.sst;

import static dev.regolith.engine.sst.SstTesting.allTypes;
import static dev.regolith.engine.sst.SstTesting.expectedStatistics;
import static dev.regolith.engine.sst.SstTesting.footerStart;
import static dev.regolith.engine.sst.SstTesting.overwrite;
import static dev.regolith.engine.sst.SstTesting.project;
import static dev.regolith.engine.sst.SstTesting.randomRows;
import static dev.regolith.engine.sst.SstTesting.readAll;
import static dev.regolith.engine.sst.SstTesting.rewriteFooter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.hooks.spi.ColumnStatistics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.Set;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FileMetaData;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SstReaderTest {

    private final LocalFileIO io = new LocalFileIO();

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(SstWriteOptions.Codec.class)
    void everyTypeRoundTripsWithNullsAndDeletes(SstWriteOptions.Codec codec) {
        RegionMetadata metadata = allTypes();
        List<InternalRow> rows = randomRows(new Random(42), metadata, 1000);
        assertThat(rows).anyMatch(row -> row.op() == OpType.DELETE);
        Path file = write(metadata, rows, SstWriteOptions.DEFAULT.withCodec(codec).withRowGroupRows(300));

        try (SstReader reader = SstReader.open(io, file)) {
            assertThat(reader.metadata()).isEqualTo(metadata);
            assertThat(reader.numRows()).isEqualTo(1000);
            assertThat(reader.rowGroupCount()).isEqualTo(4);
            assertThat(readAll(reader.read(null, null))).containsExactlyElementsOf(rows);
        }
    }

    @Test
    void rowGroupStatisticsMatchTheirRows() {
        RegionMetadata metadata = allTypes();
        List<InternalRow> rows = randomRows(new Random(7), metadata, 250);
        Path file = write(metadata, rows, SstWriteOptions.DEFAULT.withRowGroupRows(100));

        try (SstReader reader = SstReader.open(io, file)) {
            assertThat(reader.rowGroupCount()).isEqualTo(3);
            for (int group = 0; group < 3; group++) {
                List<InternalRow> groupRows = rows.subList(group * 100, Math.min(rows.size(), (group + 1) * 100));
                RowGroupStats stats = reader.rowGroup(group);
                assertThat(stats.rowCount()).isEqualTo(groupRows.size());
                assertThat(stats.columns().keySet()).containsExactly("host", "dc", "ts", "f_bool", "f_i32", "f_i64", "f_f32", "f_f64",
                        "f_str", "f_bin", "f_ts_us", "f_ts_ns", "f_required", "__sequence", "__op_type");
                for (int column = 0; column < metadata.columns().size(); column++) {
                    ColumnStatistics expected = expectedStatistics(metadata, groupRows, column);
                    RowGroupStats.ColumnStats actual = stats.column(expected.column());
                    assertThat(actual.nullCount()).as(expected.column()).isEqualTo(expected.nullCount());
                    assertThat(actual.min().map(SstReaderTest::comparable)).as(expected.column()).isEqualTo(expected.min());
                    assertThat(actual.max().map(SstReaderTest::comparable)).as(expected.column()).isEqualTo(expected.max());
                }
                assertThat(stats.column("__sequence").max())
                        .contains(groupRows.stream().mapToLong(InternalRow::sequence).max().orElseThrow());
            }
            assertThatThrownBy(() -> reader.rowGroup(3)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> reader.rowGroup(0).column("nope"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Unknown column nope in SST row group");
        }
    }

    @Test
    void projectionReadsKeysAndProjectedColumnsOnly() {
        RegionMetadata metadata = allTypes();
        List<InternalRow> rows = randomRows(new Random(3), metadata, 400);
        Path file = write(metadata, rows, SstWriteOptions.DEFAULT.withRowGroupRows(150));

        try (SstReader reader = SstReader.open(io, file)) {
            // host, dc and ts are the key; f_str and f_bin were asked for.
            boolean[] keep = {true, true, true, false, false, false, false, false, true, true, false, false, false};
            List<InternalRow> expected = rows.stream().map(row -> project(row, keep)).toList();
            assertThat(readAll(reader.read(Set.of("f_str", "f_bin"), null))).containsExactlyElementsOf(expected);

            boolean[] keyOnly = {true, true, true, false, false, false, false, false, false, false, false, false, false};
            assertThat(readAll(reader.read(Set.of(), null))).containsExactlyElementsOf(rows.stream().map(row -> project(row, keyOnly)).toList());

            assertThatThrownBy(() -> reader.read(Set.of("f_str", "missing"), null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Unknown column missing in projection for SST file " + file + "; its columns are [host, dc, ts");
            assertThatThrownBy(() -> reader.read(Set.of("__sequence"), null)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void rowGroupFilterSkipsRowGroups() {
        RegionMetadata metadata = allTypes();
        List<InternalRow> rows = randomRows(new Random(5), metadata, 100);
        Path file = write(metadata, rows, SstWriteOptions.DEFAULT.withRowGroupRows(30));

        try (SstReader reader = SstReader.open(io, file)) {
            assertThat(reader.rowGroupCount()).isEqualTo(4);
            List<InternalRow> expected = new ArrayList<>(rows.subList(30, 60));
            expected.addAll(rows.subList(90, 100));
            assertThat(readAll(reader.read(null, group -> group % 2 == 1))).containsExactlyElementsOf(expected);
            assertThat(reader.read(null, group -> false).hasNext()).isFalse();
        }
    }

    @Test
    void iteratorEndsWithNoSuchElement() {
        Path file = write(allTypes(), randomRows(new Random(1), allTypes(), 3), SstWriteOptions.DEFAULT);
        try (SstReader reader = SstReader.open(io, file)) {
            Iterator<InternalRow> rows = reader.read(null, null);
            rows.next();
            rows.next();
            rows.next();
            assertThat(rows.hasNext()).isFalse();
            assertThatThrownBy(rows::next).isInstanceOf(NoSuchElementException.class);
        }
    }

    @Test
    void dictionaryFallbackRoundTrips() throws IOException {
        // A dictionary page limit this small makes the host tag fall back to plain pages mid-chunk.
        RegionMetadata metadata = allTypes();
        List<InternalRow> rows = randomRows(new Random(11), metadata, 2000);
        Path file = write(metadata, rows, SstWriteOptions.DEFAULT.withDictionaryPageSizeBytes(64).withPageSizeBytes(256));
        ColumnMetaData host = SstTesting.readFooter(file).getRow_groups().get(0).getColumns().get(0).getMeta_data();
        assertThat(host.getEncoding_stats()).extracting(stats -> stats.getEncoding())
                .contains(Encoding.PLAIN_DICTIONARY, Encoding.PLAIN);
        try (SstReader reader = SstReader.open(io, file)) {
            assertThat(readAll(reader.read(null, null))).containsExactlyElementsOf(rows);
        }
    }

    @Test
    void dottedColumnNamesKeepTheirEncoding() throws IOException {
        // ParquetProperties' per-column settings split paths at dots; a tag named "dc.name" must
        // still be dictionary-encoded, and "usage.user" not.
        RegionMetadata metadata = new RegionMetadata(SstTesting.REGION, List.of(
                ColumnSchema.tag("dc.name", 0, DataType.STRING),
                ColumnSchema.field("usage.user", 1, DataType.STRING),
                ColumnSchema.timeIndex("ts", 2, DataType.TIMESTAMP_MICROS)));
        List<InternalRow> rows = randomRows(new Random(2), metadata, 300);
        Path file = write(metadata, rows, SstWriteOptions.DEFAULT);

        FileMetaData footer = SstTesting.readFooter(file);
        assertThat(footer.getRow_groups().get(0).getColumns().get(0).getMeta_data().isSetDictionary_page_offset()).isTrue();
        assertThat(footer.getRow_groups().get(0).getColumns().get(1).getMeta_data().isSetDictionary_page_offset()).isFalse();
        try (SstReader reader = SstReader.open(io, file)) {
            assertThat(readAll(reader.read(Set.of("usage.user"), null))).containsExactlyElementsOf(rows);
        }
    }

    @RepeatedTest(5)
    void randomizedRoundTrip() {
        long seed = Long.getLong("regolith.test.seed", new Random().nextLong());
        System.out.println("SstReaderTest.randomizedRoundTrip seed=" + seed);
        Random random = new Random(seed);
        RegionMetadata metadata = allTypes();
        List<InternalRow> rows = randomRows(random, metadata, 1 + random.nextInt(3000));
        SstWriteOptions.Codec codec = SstWriteOptions.Codec.values()[random.nextInt(SstWriteOptions.Codec.values().length)];
        SstWriteOptions options = new SstWriteOptions(codec, 1 + random.nextInt(700), 64 + random.nextInt(8192), 64 + random.nextInt(4096));
        Path file = write(metadata, rows, options);

        try (SstReader reader = SstReader.open(io, file)) {
            assertThat(reader.numRows()).as("seed %d", seed).isEqualTo(rows.size());
            assertThat(reader.rowGroupCount()).as("seed %d", seed).isEqualTo((rows.size() + options.rowGroupRows() - 1) / options.rowGroupRows());
            assertThat(readAll(reader.read(null, null))).as("seed %d, %s", seed, options).containsExactlyElementsOf(rows);
        }
    }

    @Test
    void badMagicAtTheStartIsCorruption() throws IOException {
        Path file = write(allTypes(), randomRows(new Random(1), allTypes(), 10), SstWriteOptions.DEFAULT);
        overwrite(file, 0, new byte[] {'X'});

        assertCorrupted(file, 0, "bad magic at the start: expected PAR1 (50415231), found 58415231");
    }

    @Test
    void badMagicAtTheEndIsCorruption() throws IOException {
        Path file = write(allTypes(), randomRows(new Random(1), allTypes(), 10), SstWriteOptions.DEFAULT);
        overwrite(file, -1, new byte[] {'2'});

        assertCorrupted(file, Files.size(file) - 4, "bad magic at the end: expected PAR1 (50415231), found 50415232");
    }

    @Test
    void cutFooterIsCorruption() throws IOException {
        Path file = write(allTypes(), randomRows(new Random(1), allTypes(), 10), SstWriteOptions.DEFAULT);
        long size = Files.size(file);
        new LocalFileIO().truncate(file, size - 20);

        assertCorrupted(file, size - 24, "bad magic at the end");
    }

    @Test
    void footerLengthBeyondTheFileIsCorruption() throws IOException {
        Path file = write(allTypes(), randomRows(new Random(1), allTypes(), 10), SstWriteOptions.DEFAULT);
        long size = Files.size(file);
        overwrite(file, -8, new byte[] {0, 0, 0, 0x10});

        assertCorrupted(file, size - 8, "footer length 268435456 is beyond the file: " + (size - 12) + " bytes lie between the magic numbers");
    }

    @Test
    void garbageFooterIsCorruption() throws IOException {
        Path file = write(allTypes(), randomRows(new Random(1), allTypes(), 10), SstWriteOptions.DEFAULT);
        long footerStart = footerStart(file);
        byte[] garbage = new byte[(int) (Files.size(file) - 8 - footerStart)];
        new Random(9).nextBytes(garbage);
        overwrite(file, footerStart, garbage);

        assertCorrupted(file, footerStart, "undecodable footer");
    }

    @Test
    void footerWithoutRegionMetadataIsCorruption() throws IOException {
        Path file = write(allTypes(), randomRows(new Random(1), allTypes(), 10), SstWriteOptions.DEFAULT);
        rewriteFooter(file, footer -> footer.getKey_value_metadata().removeIf(kv -> kv.getKey().equals(SstFormat.REGION_METADATA_KEY)));

        assertCorrupted(file, footerStart(file), "missing regolith.region_metadata in the footer's key-value metadata");
    }

    @Test
    void footerOfAnotherSchemaIsCorruption() throws IOException {
        Path file = write(allTypes(), randomRows(new Random(1), allTypes(), 10), SstWriteOptions.DEFAULT);
        rewriteFooter(file, footer -> footer.getSchema().get(3).setName("renamed"));

        assertCorrupted(file, footerStart(file), "footer schema element 3 is SchemaElement(");
    }

    @Test
    void chunkOutsideTheDataIsCorruption() throws IOException {
        Path file = write(allTypes(), randomRows(new Random(1), allTypes(), 10), SstWriteOptions.DEFAULT);
        rewriteFooter(file, footer -> footer.getRow_groups().get(0).getColumns().get(4).getMeta_data().setData_page_offset(1 << 30));

        assertCorrupted(file, footerStart(file), "row group 0 column f_i32: chunk of ");
    }

    @Test
    void damagedPageIsCorruptionAtItsOffset() throws IOException {
        RegionMetadata metadata = allTypes();
        Path file = write(metadata, randomRows(new Random(1), metadata, 500), SstWriteOptions.DEFAULT);
        FileMetaData footer = SstTesting.readFooter(file);
        ColumnMetaData fF64 = footer.getRow_groups().get(0).getColumns().get(7).getMeta_data();
        long pageOffset = fF64.getData_page_offset();
        overwrite(file, pageOffset + fF64.getTotal_compressed_size() - 3, new byte[] {1, 2, 3});

        try (SstReader reader = SstReader.open(io, file)) {
            // Not reading the damaged column does not touch it.
            assertThat(readAll(reader.read(Set.of("f_str"), null))).hasSize(500);
            assertThatThrownBy(() -> readAll(reader.read(null, null)))
                    .isInstanceOfSatisfying(CorruptedFileException.class, e -> assertThat(e.offset()).isEqualTo(pageOffset))
                    .hasMessageStartingWith("Corrupted file " + file + " at offset " + pageOffset + ": column f_f64: page checksum mismatch");
        }
    }

    private void assertCorrupted(Path file, long offset, String problem) {
        assertThatThrownBy(() -> SstReader.open(io, file))
                .isInstanceOfSatisfying(CorruptedFileException.class, e -> {
                    assertThat(e.file()).isEqualTo(file.toString());
                    assertThat(e.offset()).isEqualTo(offset);
                })
                .hasMessageStartingWith("Corrupted file " + file + " at offset " + offset + ": " + problem);
    }

    private Path write(RegionMetadata metadata, List<InternalRow> rows, SstWriteOptions options) {
        Path file = dir.resolve(FileId.random() + ".parquet");
        try (SstWriter writer = new SstWriter(io, file, metadata, options)) {
            rows.forEach(writer::write);
            writer.finish(FileId.random(), 0);
        }
        return file;
    }

    /** Row group bounds are byte[] for BINARY; hook statistics, which the expectations mimic, use buffers. */
    private static Object comparable(Object value) {
        return value instanceof byte[] bytes ? ByteBuffer.wrap(bytes).asReadOnlyBuffer() : value;
    }
}
