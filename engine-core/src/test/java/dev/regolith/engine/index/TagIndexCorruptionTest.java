package dev.regolith.engine.index;

import static dev.regolith.engine.index.TagIndexTesting.randomRows;
import static dev.regolith.engine.index.TagIndexTesting.reseal;
import static dev.regolith.engine.index.TagIndexTesting.tag;
import static dev.regolith.engine.index.TagIndexTesting.writeSst;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.index.TagIndexTesting.WrittenSst;
import dev.regolith.engine.io.LocalFileIO;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

/**
 * Every way an index file can be damaged is a {@link CorruptedFileException} naming the file and
 * the offset of the damage. Frame damage is tested on an index built from an SST; damage behind a
 * valid checksum (which only a faulty writer produces) on a small hand-made index whose layout the
 * test knows byte by byte.
 */
class TagIndexCorruptionTest {

    private static final RegionMetadata METADATA = new RegionMetadata(RegionId.of(9, 2), List.of(
            tag("host", 1, DataType.STRING),
            tag("dc", 2, DataType.INT64),
            ColumnSchema.timeIndex("ts", 3, DataType.TIMESTAMP_MILLIS),
            ColumnSchema.field("usage", 4, DataType.FLOAT64)));

    // Layout of the hand-made index: one STRING column "host" over 3 row groups holding
    // null -> {0}, "a" -> {0, 1}, "b" -> {2}.
    private static final int ROW_GROUP_COUNT_AT = 12;
    private static final int COLUMN_COUNT_AT = 16;
    private static final int TYPE_AT = 28;
    private static final int ENTRY_0_AT = 33;
    private static final int BITMAP_0_AT = ENTRY_0_AT + 1 + 4;
    private static final int ENTRY_1_AT = BITMAP_0_AT + serializedSize(RoaringBitmap.bitmapOf(0));
    private static final int STRING_1_AT = ENTRY_1_AT + 1 + 4;
    private static final int BITMAP_1_AT = STRING_1_AT + 1 + 4;
    private static final int ENTRY_2_AT = BITMAP_1_AT + serializedSize(RoaringBitmap.bitmapOf(0, 1));
    private static final int BITMAP_2_AT = ENTRY_2_AT + 1 + 4 + 1 + 4;

    private final LocalFileIO io = new LocalFileIO();

    @TempDir
    Path dir;

    private Path file;
    private byte[] built;

    @BeforeEach
    void buildIndex() throws IOException {
        Map<String, List<Object>> pools = Map.of("host", Arrays.asList("a", "b", null), "dc", Arrays.asList(1L, 2L, null));
        WrittenSst sst = writeSst(io, dir, METADATA, randomRows(new Random(3), METADATA, pools, 60), 7);
        file = sst.indexPath();
        TagIndexWriter.build(io, sst.path(), file);
        built = Files.readAllBytes(file);
    }

    @Test
    void handMadeLayoutIsWhatTheTestsAssume() throws IOException {
        byte[] bytes = handMade();
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        assertThat(buffer.getInt(ROW_GROUP_COUNT_AT)).isEqualTo(3);
        assertThat(buffer.getInt(COLUMN_COUNT_AT)).isEqualTo(1);
        assertThat(buffer.get(TYPE_AT)).isEqualTo(TagIndexFormat.typeCode(DataType.STRING));
        assertThat(buffer.get(ENTRY_0_AT)).isZero();
        assertThat(buffer.get(ENTRY_1_AT)).isEqualTo((byte) 1);
        assertThat(buffer.get(STRING_1_AT)).isEqualTo((byte) 'a');
        assertThat(buffer.get(ENTRY_2_AT + 1 + 4)).isEqualTo((byte) 'b');
        assertThat(BITMAP_2_AT + serializedSize(RoaringBitmap.bitmapOf(2))).isEqualTo(bytes.length - 4);

        Files.write(file, bytes);
        TagIndex index = TagIndex.read(io, file);
        assertThat(index.rowGroups("host", null).toArray()).containsExactly(0);
        assertThat(index.rowGroups("host", "a").toArray()).containsExactly(0, 1);
        assertThat(index.rowGroups("host", "b").toArray()).containsExactly(2);
    }

    @Test
    void badMagic() throws IOException {
        byte[] bytes = built.clone();
        System.arraycopy("PAR1".getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, 4);
        assertCorrupted(bytes, 0, "bad magic 0x50415231, expected 0x52474958 (\"RGIX\")");
    }

    @Test
    void unknownFormatVersion() throws IOException {
        byte[] bytes = built.clone();
        bytes[4] = 2;
        assertCorrupted(bytes, 4, "unsupported tag index format version 2 (this engine reads version 1)");
    }

    @Test
    void truncatedFile() throws IOException {
        assertCorrupted(Arrays.copyOf(built, built.length - 10), 8, "body length " + (built.length - 16) + " says the file has "
                + built.length + " bytes, but it has " + (built.length - 10) + " (truncated)");
        assertCorrupted(Arrays.copyOf(built, 10), 10, "truncated: 10 bytes, shorter than the 16-byte frame of a tag index");
        assertCorrupted(new byte[0], 0, "truncated: 0 bytes, shorter than the 16-byte frame of a tag index");
    }

    @Test
    void bytesAfterTheTrailer() throws IOException {
        assertCorrupted(Arrays.copyOf(built, built.length + 3), 8, "body length " + (built.length - 16) + " says the file has "
                + built.length + " bytes, but it has " + (built.length + 3));
    }

    @Test
    void checksumMismatch() throws IOException {
        byte[] bytes = built.clone();
        bytes[bytes.length / 2] ^= 0x10;
        CorruptedFileException e = read(bytes);
        assertThat(e.offset()).isEqualTo(bytes.length - 4);
        assertThat(e).hasMessageMatching("Corrupted file .* at offset " + (bytes.length - 4)
                + ": checksum mismatch: stored CRC32C 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}");
    }

    @Test
    void everyDamagedByteAndEveryTruncationIsDetected() throws IOException {
        for (int at = 0; at < built.length; at++) {
            byte[] bytes = built.clone();
            bytes[at] ^= (byte) 0xA5;
            assertThat(read(bytes).file()).as("byte %d damaged", at).isEqualTo(file.toString());
        }
        for (int length = 0; length < built.length; length++) {
            assertThat(read(Arrays.copyOf(built, length)).file()).as("cut to %d bytes", length).isEqualTo(file.toString());
        }
    }

    @Test
    void rowGroupBeyondTheFile() throws IOException {
        byte[] bytes = handMade();
        ByteBuffer.wrap(bytes).putInt(ROW_GROUP_COUNT_AT, 2);
        assertCorrupted(reseal(bytes), BITMAP_2_AT, "row groups of value 2 of column host include row group 2, but the file has 2");
    }

    @Test
    void negativeColumnCount() throws IOException {
        byte[] bytes = handMade();
        ByteBuffer.wrap(bytes).putInt(COLUMN_COUNT_AT, -1);
        assertCorrupted(reseal(bytes), COLUMN_COUNT_AT, "column count is negative: -1");
    }

    @Test
    void moreColumnsThanTheBodyHolds() throws IOException {
        byte[] bytes = handMade();
        ByteBuffer.wrap(bytes).putInt(COLUMN_COUNT_AT, 2);
        int end = bytes.length - 4;
        assertCorrupted(reseal(bytes), end, "length of name of column 1 (4 bytes) runs past the end of the index data at offset " + end);
    }

    @Test
    void unknownDataType() throws IOException {
        byte[] bytes = handMade();
        bytes[TYPE_AT] = 99;
        assertCorrupted(reseal(bytes), TYPE_AT, "unknown data type code 99 for column host");
    }

    @Test
    void badNullMarker() throws IOException {
        byte[] bytes = handMade();
        bytes[ENTRY_0_AT] = 7;
        assertCorrupted(reseal(bytes), ENTRY_0_AT, "null marker of value 0 of column host is 7, expected 0 or 1");
    }

    @Test
    void valuesOutOfOrder() throws IOException {
        byte[] bytes = handMade();
        bytes[STRING_1_AT] = 'c'; // "c" before "b"
        assertCorrupted(reseal(bytes), ENTRY_2_AT, "value 2 of column host is not greater than the value before it");
    }

    @Test
    void stringThatIsNotUtf8() throws IOException {
        byte[] bytes = handMade();
        bytes[STRING_1_AT] = (byte) 0xC3; // the first byte of a two-byte sequence, alone
        assertCorrupted(reseal(bytes), STRING_1_AT, "value 1 of column host is not valid UTF-8");
    }

    @Test
    void negativeLength() throws IOException {
        byte[] bytes = handMade();
        ByteBuffer.wrap(bytes).putInt(STRING_1_AT - 4, -5);
        assertCorrupted(reseal(bytes), STRING_1_AT - 4, "length of value 1 of column host is negative: -5");
    }

    @Test
    void undecodableBitmap() throws IOException {
        byte[] bytes = handMade();
        ByteBuffer.wrap(bytes).putInt(BITMAP_0_AT, 0x01020304); // not a Roaring cookie
        CorruptedFileException e = read(reseal(bytes));
        assertThat(e.offset()).isEqualTo(BITMAP_0_AT);
        assertThat(e).hasMessageContaining("row groups of value 0 of column host do not decode as a Roaring bitmap: ");
    }

    @Test
    void bitmapShorterThanItsLength() throws IOException {
        byte[] bytes = insert(handMade(), ENTRY_1_AT, new byte[] {0, 0});
        int length = ByteBuffer.wrap(bytes).getInt(BITMAP_0_AT - 4);
        ByteBuffer.wrap(bytes).putInt(BITMAP_0_AT - 4, length + 2);
        assertCorrupted(reseal(bytes), BITMAP_0_AT, "row groups of value 0 of column host: the bitmap ends 2 bytes before its "
                + (length + 2) + "-byte length");
    }

    @Test
    void bytesAfterTheLastColumn() throws IOException {
        byte[] handMade = handMade();
        int end = handMade.length - 4;
        assertCorrupted(reseal(insert(handMade, end, new byte[3])), end, "3 bytes follow the last column");
    }

    @Test
    void columnListedTwice() throws IOException {
        TagIndexFormat.Column host = new TagIndexFormat.Column("host", DataType.STRING, values("a", RoaringBitmap.bitmapOf(0)));
        byte[] bytes = TagIndexFormat.encode(new TagIndexFormat.Contents(1, List.of(host, host)));
        int secondColumn = (bytes.length - 16 - 8) / 2 + 20;
        assertCorrupted(bytes, secondColumn, "column host appears twice");
    }

    @Test
    void valueWithoutRowGroups() throws IOException {
        byte[] bytes = TagIndexFormat.encode(new TagIndexFormat.Contents(1,
                List.of(new TagIndexFormat.Column("host", DataType.STRING, values("a", new RoaringBitmap())))));
        assertCorrupted(bytes, 20 + 4 + 4 + 1 + 4 + 1 + 4 + 1 + 4, "row groups of value 0 of column host are empty");
    }

    @Test
    void missingFileIsAStorageError() {
        Path missing = dir.resolve("missing.index");
        assertThatThrownBy(() -> TagIndex.read(io, missing))
                .isInstanceOf(RegionStorageException.class)
                .hasMessageStartingWith("Failed to read tag index file " + missing + ": ")
                .hasCauseInstanceOf(NoSuchFileException.class);
    }

    private void assertCorrupted(byte[] bytes, long offset, String problem) throws IOException {
        CorruptedFileException e = read(bytes);
        assertThat(e.file()).isEqualTo(file.toString());
        assertThat(e.offset()).isEqualTo(offset);
        assertThat(e).hasMessage("Corrupted file " + file + " at offset " + offset + ": " + problem);
    }

    private CorruptedFileException read(byte[] bytes) throws IOException {
        Files.write(file, bytes);
        CorruptedFileException e = catchThrowableOfType(CorruptedFileException.class, () -> TagIndex.read(io, file));
        assertThat(e).as("reading the damaged file fails").isNotNull();
        return e;
    }

    private static byte[] handMade() {
        NavigableMap<Object, RoaringBitmap> host = TagIndexFormat.newValueMap();
        host.put(null, RoaringBitmap.bitmapOf(0));
        host.put("a", RoaringBitmap.bitmapOf(0, 1));
        host.put("b", RoaringBitmap.bitmapOf(2));
        return TagIndexFormat.encode(new TagIndexFormat.Contents(3, List.of(new TagIndexFormat.Column("host", DataType.STRING, host))));
    }

    private static NavigableMap<Object, RoaringBitmap> values(Object value, RoaringBitmap rowGroups) {
        NavigableMap<Object, RoaringBitmap> values = TagIndexFormat.newValueMap();
        values.put(value, rowGroups);
        return values;
    }

    private static byte[] insert(byte[] bytes, int at, byte[] inserted) {
        byte[] result = new byte[bytes.length + inserted.length];
        System.arraycopy(bytes, 0, result, 0, at);
        System.arraycopy(inserted, 0, result, at, inserted.length);
        System.arraycopy(bytes, at, result, at + inserted.length, bytes.length - at);
        return result;
    }

    private static int serializedSize(RoaringBitmap bitmap) {
        bitmap.runOptimize();
        return bitmap.serializedSizeInBytes();
    }
}
