package dev.regolith.engine.wal;

import static dev.regolith.engine.wal.WalTesting.REGION_A;
import static dev.regolith.engine.wal.WalTesting.REGION_B;
import static dev.regolith.engine.wal.WalTesting.recordOffsets;
import static dev.regolith.engine.wal.WalTesting.replay;
import static dev.regolith.engine.wal.WalTesting.replayedIds;
import static dev.regolith.engine.wal.WalTesting.rows;
import static dev.regolith.engine.wal.WalTesting.segment;
import static dev.regolith.engine.wal.WalTesting.segmentNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.engine.io.LocalFileIO;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Open cuts off what a crash left half-written at the end of the newest segment, and refuses
 * everything else that is damaged, naming the segment and offset.
 */
class WalRecoveryTest {

    @TempDir
    Path dir;

    private Path walDir;
    private Path firstSegment;

    @BeforeEach
    void writeFiveEntries() {
        walDir = dir.resolve("wal");
        firstSegment = segment(walDir, 1);
        try (Wal wal = open()) {
            for (int i = 1; i <= 5; i++) {
                wal.append(i % 2 == 0 ? REGION_B : REGION_A, 0, rows(i));
            }
        }
    }

    private Wal open() {
        return Wal.open(new LocalFileIO(), walDir, WalOptions.DEFAULT);
    }

    private CorruptedFileException openFails() {
        Throwable thrown = catchThrowable(this::open);
        assertThat(thrown).isInstanceOf(CorruptedFileException.class);
        return (CorruptedFileException) thrown;
    }

    static Stream<Arguments> cutsInsideTheLastRecord() {
        // Bytes of the last record kept (counting from its frame), zeros appended after them.
        return Stream.of(
                Arguments.of(0, 1), Arguments.of(0, 100),
                Arguments.of(1, 0), Arguments.of(3, 0), Arguments.of(3, 13),
                Arguments.of(4, 0), Arguments.of(4, 7), Arguments.of(7, 0), Arguments.of(8, 0), Arguments.of(8, 4096),
                Arguments.of(9, 0), Arguments.of(20, 3), Arguments.of(-1, 0), Arguments.of(-1, 1), Arguments.of(-1, 500));
    }

    @ParameterizedTest(name = "keep {0} bytes of the last record, then {1} zeros")
    @MethodSource("cutsInsideTheLastRecord")
    void tornTailIsCutOffAndAppendsContinueInANewSegment(int kept, int zeros) throws IOException {
        List<Long> offsets = recordOffsets(firstSegment);
        long lastRecord = offsets.get(4);
        long lastRecordEnd = offsets.get(5);
        long cut = kept >= 0 ? lastRecord + kept : lastRecordEnd + kept;
        byte[] bytes = Files.readAllBytes(firstSegment);
        Files.write(firstSegment, Arrays.copyOf(Arrays.copyOf(bytes, (int) cut), (int) cut + zeros));

        try (Wal wal = open()) {
            assertThat(wal.recoveryWarnings()).singleElement().asString()
                    .startsWith("WAL segment " + firstSegment + " has a torn tail at offset " + lastRecord + " (")
                    .endsWith("truncating it to " + lastRecord + " bytes");
            assertThat(Files.size(firstSegment)).isEqualTo(lastRecord);
            assertThat(replayedIds(wal, REGION_A, 0)).containsExactly(1L, 3L);
            assertThat(replayedIds(wal, REGION_B, 0)).containsExactly(2L, 4L);
            assertThat(wal.lastEntryId()).isEqualTo(4);

            assertThat(wal.append(REGION_A, 0, rows(5))).isEqualTo(5);
            assertThat(segmentNames(walDir)).containsExactly("00000000000000000001.wal", "00000000000000000005.wal");
            assertThat(Files.size(firstSegment)).as("the repaired segment is never appended to").isEqualTo(lastRecord);
        }
        try (Wal wal = open()) {
            assertThat(wal.recoveryWarnings()).isEmpty();
            assertThat(replayedIds(wal, REGION_A, 0)).containsExactly(1L, 3L, 5L);
        }
    }

    @Test
    void segmentThatLostEveryRecordIsReplacedAndItsEntryIdsAreNotReused() throws IOException {
        try (var channel = Files.newByteChannel(firstSegment, StandardOpenOption.WRITE)) {
            channel.truncate(WalSegmentFormat.HEADER_SIZE + 5);
        }

        try (Wal wal = open()) {
            assertThat(wal.recoveryWarnings()).singleElement().asString().contains("torn tail at offset 8");
            assertThat(replay(wal, REGION_A, 0)).isEmpty();
            // The empty segment's name still says ids below 1 were handed out; nothing more is known.
            assertThat(wal.append(REGION_A, 0, rows(1))).isEqualTo(2);
            assertThat(segmentNames(walDir)).containsExactly("00000000000000000002.wal");
        }
    }

    @Test
    void segmentWithATornHeaderIsDeleted() throws IOException {
        // A crash while the next segment was being started: its header is half there.
        Files.write(segment(walDir, 6), Arrays.copyOf(WalSegmentFormat.header(), 3));

        try (Wal wal = open()) {
            assertThat(wal.recoveryWarnings()).singleElement().asString()
                    .isEqualTo("WAL segment " + segment(walDir, 6) + " has a torn header at offset 0 (truncated header: 3 bytes, "
                            + "shorter than the 8-byte segment header), left by a crash while it was started; deleting it");
            assertThat(replayedIds(wal, REGION_A, 0)).containsExactly(1L, 3L, 5L);
            assertThat(wal.append(REGION_A, 0, rows(7))).isEqualTo(7);
            assertThat(segmentNames(walDir)).containsExactly("00000000000000000001.wal", "00000000000000000007.wal");
        }
    }

    @Test
    void flippedByteInARecordFollowedByAnotherIsCorruption() throws IOException {
        List<Long> offsets = recordOffsets(firstSegment);
        long secondRecord = offsets.get(1);
        flipByte(firstSegment, secondRecord + WalSegmentFormat.FRAME_HEADER_SIZE + 3);

        CorruptedFileException e = openFails();

        assertThat(e.file()).isEqualTo(firstSegment.toString());
        assertThat(e.offset()).isEqualTo(secondRecord);
        assertThat(e).hasMessageMatching("Corrupted file .*/00000000000000000001\\.wal at offset " + secondRecord
                + ": checksum mismatch: stored CRC32C 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8} \\("
                + (offsets.get(5) - offsets.get(2)) + " more bytes follow the record\\)");
    }

    @Test
    void flippedChecksumIsCorruptionToo() throws IOException {
        List<Long> offsets = recordOffsets(firstSegment);
        flipByte(firstSegment, offsets.get(3) + 5);

        assertThat(openFails().offset()).isEqualTo(offsets.get(3));
    }

    @Test
    void damageInAnOlderSegmentIsCorruptionEvenAtItsEnd() throws IOException {
        try (Wal wal = open()) {
            wal.append(REGION_A, 0, rows(6));
        }
        // The first segment is no longer the newest: a damaged last record there is not a torn tail.
        List<Long> offsets = recordOffsets(firstSegment);
        flipByte(firstSegment, offsets.get(5) - 1);

        CorruptedFileException e = openFails();

        assertThat(e.file()).isEqualTo(firstSegment.toString());
        assertThat(e.offset()).isEqualTo(offsets.get(4));
        assertThat(e).hasMessageContaining("checksum mismatch");
    }

    @Test
    void truncatedOlderSegmentIsCorruption() throws IOException {
        try (Wal wal = open()) {
            wal.append(REGION_A, 0, rows(6));
        }
        List<Long> offsets = recordOffsets(firstSegment);
        try (var channel = Files.newByteChannel(firstSegment, StandardOpenOption.WRITE)) {
            channel.truncate(offsets.get(5) - 2);
        }

        CorruptedFileException e = openFails();

        assertThat(e.offset()).isEqualTo(offsets.get(4));
        assertThat(e).hasMessageEndingWith("runs past the end of the segment at " + (offsets.get(5) - 2));
    }

    @Test
    void zeroLengthFollowedByDataIsCorruption() throws IOException {
        List<Long> offsets = recordOffsets(firstSegment);
        writeAt(firstSegment, offsets.get(2), new byte[4]);

        CorruptedFileException e = openFails();

        assertThat(e.offset()).isEqualTo(offsets.get(2));
        assertThat(e).hasMessageEndingWith("record length 0, followed by non-zero data");
    }

    @Test
    void strayFileNamedLikeASegmentIsNotASegment() throws IOException {
        Path stray = segment(walDir, 99);
        Files.writeString(stray, "not a WAL segment at all");

        CorruptedFileException e = openFails();

        assertThat(e.file()).isEqualTo(stray.toString());
        assertThat(e).hasMessage("Corrupted file " + stray + " at offset 0: bad magic 0x6e6f7420, expected 0x5247574c (\"RGWL\"): "
                + "not a WAL segment");
    }

    @Test
    void shortStrayFileIsNotATornHeader() throws IOException {
        Path stray = segment(walDir, 99);
        Files.writeString(stray, "hi");

        assertThat(openFails()).hasMessage("Corrupted file " + stray + " at offset 0: truncated header: 2 bytes, shorter than "
                + "the 8-byte segment header");
    }

    @Test
    void fileWithTheSuffixButNotASegmentNameIsReported() throws IOException {
        Path stray = walDir.resolve("notes.wal");
        Files.writeString(stray, "");

        assertThat(openFails()).hasMessage("Corrupted file " + stray + " at offset 0: not a WAL segment name: expected "
                + "{first_entry_id:020}.wal with a first entry id of at least 1");
    }

    @Test
    void segmentOfAnotherFormatVersionIsRefused() throws IOException {
        writeAt(firstSegment, 4, new byte[] {2});

        assertThat(openFails()).hasMessage("Corrupted file " + firstSegment + " at offset 4: unsupported WAL format version 2 "
                + "(this engine reads version 1)");
    }

    @Test
    void intactRecordThatDoesNotDecodeIsCorruptionEvenAtTheEnd() throws IOException {
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff};
        long end = Files.size(firstSegment);
        ByteBuffer frame = ByteBuffer.allocate(WalSegmentFormat.FRAME_HEADER_SIZE + garbage.length)
                .putInt(garbage.length).putInt(WalSegmentFormat.crc32c(garbage, 0, garbage.length)).put(garbage);
        Files.write(firstSegment, frame.array(), StandardOpenOption.APPEND);

        CorruptedFileException e = openFails();

        assertThat(e.offset()).isEqualTo(end);
        assertThat(e).hasMessageContaining("at offset " + end + ": undecodable WAL entry: ");
    }

    @Test
    void segmentUnderTheWrongNameIsDetected() throws IOException {
        Files.copy(firstSegment, segment(walDir, 10));

        CorruptedFileException e = openFails();

        assertThat(e.file()).isEqualTo(segment(walDir, 10).toString());
        assertThat(e).hasMessageEndingWith("at offset 8: entry id 1 is below 10, the first entry id in the segment's name");
    }

    @Test
    void segmentNamedBeforeEntriesOfAnOlderOneIsDetected() throws IOException {
        try (Wal wal = open()) {
            wal.append(REGION_A, 0, rows(6));
        }
        Files.move(segment(walDir, 6), segment(walDir, 3));

        assertThat(openFails()).hasMessage("Corrupted file " + segment(walDir, 3) + " at offset 0: the segment's name says it "
                + "starts at entry id 3, but an older segment holds entry id 5");
    }

    private static void flipByte(Path file, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) offset] ^= 0x40;
        Files.write(file, bytes);
    }

    private static void writeAt(Path file, long offset, byte[] content) throws IOException {
        try (var channel = Files.newByteChannel(file, StandardOpenOption.WRITE)) {
            channel.position(offset);
            channel.write(ByteBuffer.wrap(content));
        }
    }
}
