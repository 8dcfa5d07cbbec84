package dev.regolith.engine.compaction;

import static dev.regolith.engine.compaction.CompactionTesting.IO;
import static dev.regolith.engine.compaction.CompactionTesting.REGION;
import static dev.regolith.engine.compaction.CompactionTesting.V1;
import static dev.regolith.engine.compaction.CompactionTesting.V2;
import static dev.regolith.engine.compaction.CompactionTesting.compact;
import static dev.regolith.engine.compaction.CompactionTesting.delete;
import static dev.regolith.engine.compaction.CompactionTesting.listFiles;
import static dev.regolith.engine.compaction.CompactionTesting.put;
import static dev.regolith.engine.compaction.CompactionTesting.putV1;
import static dev.regolith.engine.compaction.CompactionTesting.readAll;
import static dev.regolith.engine.compaction.CompactionTesting.writeInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.row.RowOrder;
import dev.regolith.engine.sst.SstReader;
import dev.regolith.engine.sst.SstWriteOptions;
import dev.regolith.engine.testing.TestingFileIO;
import dev.regolith.hooks.spi.WrittenSstFile;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactionWriterTest {

    /** Outputs large enough to be split in a test: random text does not compress. */
    private static final SstWriteOptions SPLITTABLE = SstWriteOptions.DEFAULT.withCodec(SstWriteOptions.Codec.UNCOMPRESSED)
            .withRowGroupRows(64);

    @TempDir
    Path dir;

    @Test
    void mergeKeepsTheNewestVersionOfEachRow() throws IOException {
        Path first = writeInput(dir, V2, List.of(
                put("a", 100, 1.0, "old", 1),
                put("b", 100, 20.0, null, 4),
                put("c", 300, 3.0, null, 3)));
        Path second = writeInput(dir, V2, List.of(
                put("a", 100, 10.0, "new", 5),
                put("a", 200, 4.0, null, 6),
                put("b", 100, 2.0, null, 2))); // a later input may hold an older version: the sequence decides
        Path third = writeInput(dir, V2, List.of(
                delete("c", 300, 7),
                put("d", 50, 5.0, null, 8)));

        List<WrittenSstFile> outputs = compact(IO, dir, V2, List.of(first, second, third), false, SstWriteOptions.DEFAULT, Long.MAX_VALUE);

        assertThat(outputs).hasSize(1);
        WrittenSstFile output = outputs.get(0);
        assertThat(readAll(output.path())).containsExactly(
                put("a", 100, 10.0, "new", 5),
                put("a", 200, 4.0, null, 6),
                put("b", 100, 20.0, null, 4),
                delete("c", 300, 7),
                put("d", 50, 5.0, null, 8));
        FileMeta meta = output.meta();
        assertThat(output.path()).isEqualTo(dir.resolve(meta.fileId() + ".parquet"));
        assertThat(meta).isEqualTo(new FileMeta(REGION, meta.fileId(), new TimeRange(50, 300), 1, Files.size(output.path()), 5, 1, 8,
                Optional.empty()));
        try (SstReader reader = SstReader.open(IO, output.path())) {
            assertThat(reader.metadata()).isEqualTo(V2);
        }
    }

    @Test
    void deletesAreDroppedOnlyWhenAllowed() {
        Path older = writeInput(dir, V2, List.of(
                put("a", 100, 1.0, null, 1),
                delete("b", 100, 2),
                put("c", 100, 3.0, null, 3)));
        Path newer = writeInput(dir, V2, List.of(
                delete("a", 100, 4),
                put("b", 100, 5.0, null, 5),
                delete("d", 100, 6)));

        List<WrittenSstFile> kept = compact(IO, dir, V2, List.of(older, newer), false, SstWriteOptions.DEFAULT, Long.MAX_VALUE);
        assertThat(readAll(kept)).containsExactly(
                delete("a", 100, 4),
                put("b", 100, 5.0, null, 5),
                put("c", 100, 3.0, null, 3),
                delete("d", 100, 6));

        List<WrittenSstFile> dropped = compact(IO, dir, V2, List.of(older, newer), true, SstWriteOptions.DEFAULT, Long.MAX_VALUE);
        assertThat(readAll(dropped)).as("a delete newer than a put removes both; a put newer than a delete stays").containsExactly(
                put("b", 100, 5.0, null, 5),
                put("c", 100, 3.0, null, 3));
        assertThat(dropped.get(0).meta().maxSequence()).isEqualTo(5);
    }

    @Test
    void nothingIsWrittenWhenEveryRowIsDeleted() {
        Path older = writeInput(dir, V2, List.of(put("a", 100, 1.0, null, 1), put("b", 100, 2.0, null, 2)));
        Path newer = writeInput(dir, V2, List.of(delete("a", 100, 3), delete("b", 100, 4)));

        assertThat(compact(IO, dir, V2, List.of(older, newer), true, SstWriteOptions.DEFAULT, Long.MAX_VALUE)).isEmpty();
        assertThat(listFiles(dir)).containsExactlyInAnyOrder(older, newer);
        assertThat(CompactionWriter.write(IO, dir, V2, List.of(), true, SstWriteOptions.DEFAULT, 1)).isEmpty();
    }

    @Test
    void inputsOfOlderSchemasAreMappedByColumnId() {
        // V1 has usage (id 1) and temp (id 3); V2 renamed usage to cpu, dropped temp and added note (id 4).
        Path old = writeInput(dir, V1, List.of(
                putV1("a", 100, 1.0, 36.6, 1),
                putV1("b", 100, 2.0, 40.0, 2)));
        Path fresh = writeInput(dir, V2, List.of(
                put("a", 200, 3.0, "after alter", 3),
                put("b", 100, 4.0, "overwrites", 4)));

        List<WrittenSstFile> outputs = compact(IO, dir, V2, List.of(old, fresh), false, SstWriteOptions.DEFAULT, Long.MAX_VALUE);

        assertThat(readAll(outputs)).containsExactly(
                put("a", 100, 1.0, null, 1),
                put("a", 200, 3.0, "after alter", 3),
                put("b", 100, 4.0, "overwrites", 4));
    }

    @Test
    void columnWhoseTypeChangedIsRejectedBeforeAnythingIsWritten() {
        RegionMetadata retyped = new RegionMetadata(REGION, List.of(
                ColumnSchema.tag("host", 0, DataType.STRING),
                ColumnSchema.field("cpu", 1, DataType.INT64),
                ColumnSchema.timeIndex("ts", 2, DataType.TIMESTAMP_MILLIS)), 3, Map.of());
        Path input = writeInput(dir, V2, List.of(put("a", 100, 1.0, null, 1)));

        assertThatThrownBy(() -> compact(IO, dir, retyped, List.of(input), false, SstWriteOptions.DEFAULT, Long.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot read column cpu (id 1) of region " + REGION + " as INT64: schema version 2 stored it as FLOAT64");
        assertThat(listFiles(dir)).containsExactly(input);
    }

    @Test
    void outputIsSplitOnceItReachesTheSizeLimit() {
        long seed = Long.getLong("regolith.test.seed", new Random().nextLong());
        System.out.println("CompactionWriterTest.outputIsSplitOnceItReachesTheSizeLimit seed=" + seed);
        Random random = new Random(seed);
        List<InternalRow> first = new ArrayList<>();
        List<InternalRow> second = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            (i % 2 == 0 ? first : second).add(put("host-" + (i % 7), i, random.nextDouble(), randomText(random, 200), i));
        }
        Path a = writeInput(dir, V2, SPLITTABLE, first);
        Path b = writeInput(dir, V2, SPLITTABLE, second);
        long limit = 100_000;

        List<WrittenSstFile> outputs = compact(IO, dir, V2, List.of(a, b), false, SPLITTABLE, limit);

        assertThat(outputs).as("seed %d", seed).hasSizeGreaterThan(3);
        for (WrittenSstFile output : outputs.subList(0, outputs.size() - 1)) {
            // Passed by at most the writer's 64 KiB output buffer, a row group (about 16 KB here) and the footer.
            assertThat(output.meta().fileSize()).as("seed %d", seed).isBetween(limit, limit + 65_536 + 40_000);
            assertThat(output.meta().level()).isEqualTo(1);
        }
        List<InternalRow> expected = new ArrayList<>(first);
        expected.addAll(second);
        expected.sort(new RowOrder(V2));
        assertThat(readAll(outputs)).as("seed %d", seed).isEqualTo(expected);
        assertThat(outputs.stream().mapToLong(output -> output.meta().numRows()).sum()).isEqualTo(3000);
        assertThat(outputs.stream().map(output -> output.meta().fileId()).distinct()).hasSameSizeAs(outputs);
    }

    @Test
    void failedSyncOfTheSecondOutputDeletesEveryOutput() {
        Path input = writeInput(dir, V2, SPLITTABLE, manyRows(2000));
        Path other = writeInput(dir, V2, SPLITTABLE, List.of(put("host-0", 0, 1.0, null, 5000)));
        TestingFileIO io = new TestingFileIO();
        AtomicInteger creates = new AtomicInteger();
        io.failNextCreate(path -> creates.incrementAndGet() == 2);

        assertThatThrownBy(() -> compact(io, dir, V2, List.of(input, other), false, SPLITTABLE, 50_000))
                .isInstanceOf(RegionStorageException.class)
                .hasMessageContaining("injected fsync failure on");
        assertThat(creates).hasValue(2);
        assertThat(listFiles(dir)).containsExactlyInAnyOrder(input, other);
    }

    @Test
    void unreadableInputDeletesEveryOutput() throws IOException {
        Path input = writeInput(dir, V2, SPLITTABLE, manyRows(2000));
        Path other = writeInput(dir, V2, SPLITTABLE, List.of(put("host-0", 0, 1.0, null, 5000)));
        // Damage the last row group's pages, which are read after several outputs are complete.
        long footerStart = footerStart(input);
        try (RandomAccessFile file = new RandomAccessFile(input.toFile(), "rw")) {
            for (long offset = footerStart - 3000; offset < footerStart; offset += 97) {
                file.seek(offset);
                file.write(~file.read());
            }
        }
        AtomicInteger creates = new AtomicInteger();
        TestingFileIO io = new TestingFileIO();
        io.failNextCreate(path -> creates.incrementAndGet() < 0); // counts creates, never fails

        assertThatThrownBy(() -> compact(io, dir, V2, List.of(input, other), false, SPLITTABLE, 50_000))
                .isInstanceOf(CorruptedFileException.class);
        assertThat(creates.get()).as("outputs created before the damage was read").isGreaterThan(2);
        assertThat(listFiles(dir)).containsExactlyInAnyOrder(input, other);
    }

    @Test
    void invalidSizeLimitIsRejected() {
        assertThatThrownBy(() -> CompactionWriter.write(IO, dir, V2, List.of(), false, SstWriteOptions.DEFAULT, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid max output file size for compaction of region " + REGION + ": 0 bytes (must be >= 1)");
    }

    private static List<InternalRow> manyRows(int count) {
        Random random = new Random(count);
        List<InternalRow> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rows.add(put("host-" + (i % 5), i, (double) i, randomText(random, 200), i));
        }
        return rows;
    }

    private static String randomText(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }

    private static long footerStart(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(raf.length() - 8);
            int length = Integer.reverseBytes(raf.readInt());
            return raf.length() - 8 - length;
        }
    }
}
