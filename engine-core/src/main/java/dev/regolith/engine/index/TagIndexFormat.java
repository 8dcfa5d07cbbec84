package dev.regolith.engine.index;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.engine.row.RowOrder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.roaringbitmap.RoaringBitmap;

/**
 * Encodes and decodes tag index files; the layout is documented on {@link TagIndex}. Every
 * problem found while decoding is a {@link CorruptedFileException} naming the file and the offset
 * of the element that is wrong.
 */
final class TagIndexFormat {

    static final int MAGIC = 0x52474958; // "RGIX"
    static final byte FORMAT_VERSION = 1;
    static final int HEADER_SIZE = 12;
    static final int TRAILER_SIZE = 4;

    private static final byte NULL_VALUE = 0;
    private static final byte PRESENT_VALUE = 1;

    /**
     * One indexed column: for each value that occurs in it (null included), the row groups holding
     * it. The map is ordered by {@link RowOrder#compareValues}, which is also how lookups find a
     * value, so equality is the engine's: byte arrays by content, floats as {@link Float#compareTo}.
     */
    record Column(String name, DataType type, NavigableMap<Object, RoaringBitmap> rowGroups) {

        Column {
            requireNonNull(name, "name is null");
            requireNonNull(type, "type is null");
            requireNonNull(rowGroups, "rowGroups is null");
        }
    }

    /** What an index file holds. */
    record Contents(int rowGroupCount, List<Column> columns) {

        Contents {
            columns = List.copyOf(columns);
        }
    }

    private TagIndexFormat() {
    }

    static NavigableMap<Object, RoaringBitmap> newValueMap() {
        return new TreeMap<>(RowOrder::compareValues);
    }

    static byte[] encode(Contents contents) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(body)) {
            out.writeInt(contents.rowGroupCount());
            out.writeInt(contents.columns().size());
            for (Column column : contents.columns()) {
                writeBytes(out, column.name().getBytes(StandardCharsets.UTF_8));
                out.writeByte(typeCode(column.type()));
                out.writeInt(column.rowGroups().size());
                for (Map.Entry<Object, RoaringBitmap> entry : column.rowGroups().entrySet()) {
                    writeValue(out, column.type(), entry.getKey());
                    RoaringBitmap bitmap = entry.getValue();
                    bitmap.runOptimize();
                    ByteBuffer serialized = ByteBuffer.allocate(bitmap.serializedSizeInBytes());
                    bitmap.serialize(serialized);
                    writeBytes(out, serialized.array());
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("in-memory stream failed", e); // cannot happen
        }
        ByteBuffer file = ByteBuffer.allocate(HEADER_SIZE + body.size() + TRAILER_SIZE);
        file.putInt(MAGIC).put(FORMAT_VERSION).put((byte) 0).putShort((short) 0).putInt(body.size()).put(body.toByteArray());
        CRC32C crc = new CRC32C();
        crc.update(file.array(), 0, file.position());
        file.putInt((int) crc.getValue());
        return file.array();
    }

    private static void writeValue(DataOutputStream out, DataType type, Object value) throws IOException {
        if (value == null) {
            out.writeByte(NULL_VALUE);
            return;
        }
        out.writeByte(PRESENT_VALUE);
        switch (type) {
            case BOOLEAN -> out.writeByte((Boolean) value ? 1 : 0);
            case INT32 -> out.writeInt((Integer) value);
            case INT64, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS -> out.writeLong((Long) value);
            // Raw bits: -0.0 and 0.0 are distinct values under Float.compareTo, so must stay distinct here.
            case FLOAT32 -> out.writeInt(Float.floatToRawIntBits((Float) value));
            case FLOAT64 -> out.writeLong(Double.doubleToRawLongBits((Double) value));
            case STRING -> writeBytes(out, ((String) value).getBytes(StandardCharsets.UTF_8));
            case BINARY -> writeBytes(out, (byte[]) value);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** The one-byte code of {@code type}: explicit, so reordering {@link DataType} cannot change files. */
    static byte typeCode(DataType type) {
        return switch (type) {
            case BOOLEAN -> 1;
            case INT32 -> 2;
            case INT64 -> 3;
            case FLOAT32 -> 4;
            case FLOAT64 -> 5;
            case STRING -> 6;
            case BINARY -> 7;
            case TIMESTAMP_MILLIS -> 8;
            case TIMESTAMP_MICROS -> 9;
            case TIMESTAMP_NANOS -> 10;
        };
    }

    private static DataType dataType(byte code) {
        for (DataType type : DataType.values()) {
            if (typeCode(type) == code) {
                return type;
            }
        }
        return null;
    }

    /**
     * Checks the frame of {@code bytes}, read from {@code file}, and decodes its contents.
     *
     * @throws CorruptedFileException naming the file, the offset and what is wrong
     */
    static Contents decode(String file, byte[] bytes) {
        if (bytes.length < HEADER_SIZE + TRAILER_SIZE) {
            throw new CorruptedFileException(file, bytes.length, "truncated: " + bytes.length + " bytes, shorter than the "
                    + (HEADER_SIZE + TRAILER_SIZE) + "-byte frame of a tag index");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        int magic = buffer.getInt(0);
        if (magic != MAGIC) {
            throw new CorruptedFileException(file, 0, String.format("bad magic 0x%08x, expected 0x%08x (\"RGIX\")", magic, MAGIC));
        }
        byte version = buffer.get(4);
        if (version != FORMAT_VERSION) {
            throw new CorruptedFileException(file, 4, "unsupported tag index format version " + version
                    + " (this engine reads version " + FORMAT_VERSION + ")");
        }
        long bodyLength = Integer.toUnsignedLong(buffer.getInt(8));
        long expectedSize = HEADER_SIZE + bodyLength + TRAILER_SIZE;
        if (expectedSize != bytes.length) {
            throw new CorruptedFileException(file, 8, "body length " + bodyLength + " says the file has " + expectedSize
                    + " bytes, but it has " + bytes.length + (expectedSize > bytes.length ? " (truncated)" : ""));
        }
        int checksumOffset = bytes.length - TRAILER_SIZE;
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, checksumOffset);
        int computed = (int) crc.getValue();
        int stored = buffer.getInt(checksumOffset);
        if (computed != stored) {
            throw new CorruptedFileException(file, checksumOffset,
                    String.format("checksum mismatch: stored CRC32C 0x%08x, computed 0x%08x", stored, computed));
        }
        // The checksum matched, so anything wrong from here on was written that way: still a
        // corrupted file to the reader, never something to guess around.
        return new BodyReader(file, buffer.position(HEADER_SIZE).limit(checksumOffset)).contents();
    }

    /** Walks the body, checking every count, length and value against the bytes that remain. */
    private static final class BodyReader {

        private final String file;
        private final ByteBuffer buffer;

        BodyReader(String file, ByteBuffer buffer) {
            this.file = file;
            this.buffer = buffer;
        }

        Contents contents() {
            int rowGroupCount = readCount("row group count");
            int columnCount = readCount("column count");
            List<Column> columns = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (int i = 0; i < columnCount; i++) {
                int offset = buffer.position();
                Column column = column(i, rowGroupCount);
                if (!names.add(column.name())) {
                    throw corrupt(offset, "column " + column.name() + " appears twice");
                }
                columns.add(column);
            }
            if (buffer.hasRemaining()) {
                throw corrupt(buffer.position(), buffer.remaining() + " bytes follow the last column");
            }
            return new Contents(rowGroupCount, columns);
        }

        private Column column(int index, int rowGroupCount) {
            String name = readString("name of column " + index);
            int typeOffset = buffer.position();
            need(1, "type of column " + name);
            byte code = buffer.get();
            DataType type = dataType(code);
            if (type == null) {
                throw corrupt(typeOffset, "unknown data type code " + code + " for column " + name);
            }
            int entryCount = readCount("value count of column " + name);
            NavigableMap<Object, RoaringBitmap> rowGroups = newValueMap();
            Object previous = null;
            for (int entry = 0; entry < entryCount; entry++) {
                int valueOffset = buffer.position();
                String what = "value " + entry + " of column " + name;
                Object value = readValue(type, what);
                // Ascending order makes a duplicate value (which a lookup would silently miss) detectable.
                if (entry > 0 && RowOrder.compareValues(previous, value) >= 0) {
                    throw corrupt(valueOffset, what + " is not greater than the value before it");
                }
                previous = value;
                rowGroups.put(value, readBitmap(what, rowGroupCount));
            }
            return new Column(name, type, rowGroups);
        }

        private Object readValue(DataType type, String what) {
            int offset = buffer.position();
            need(1, "null marker of " + what);
            byte marker = buffer.get();
            if (marker == NULL_VALUE) {
                return null;
            }
            if (marker != PRESENT_VALUE) {
                throw corrupt(offset, "null marker of " + what + " is " + marker + ", expected 0 or 1");
            }
            offset = buffer.position();
            return switch (type) {
                case BOOLEAN -> {
                    need(1, what);
                    byte value = buffer.get();
                    if (value != 0 && value != 1) {
                        throw corrupt(offset, what + " is the byte " + value + ", not a boolean (0 or 1)");
                    }
                    yield value == 1;
                }
                case INT32 -> {
                    need(4, what);
                    yield buffer.getInt();
                }
                case INT64, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS -> {
                    need(8, what);
                    yield buffer.getLong();
                }
                case FLOAT32 -> {
                    need(4, what);
                    yield Float.intBitsToFloat(buffer.getInt());
                }
                case FLOAT64 -> {
                    need(8, what);
                    yield Double.longBitsToDouble(buffer.getLong());
                }
                case STRING -> readString(what);
                case BINARY -> readBytes(what);
            };
        }

        private RoaringBitmap readBitmap(String what, int rowGroupCount) {
            String bitmapWhat = "row groups of " + what;
            int offset = buffer.position() + 4;
            byte[] bytes = readBytes(bitmapWhat);
            // A stream, not a ByteBuffer: deserialize(ByteBuffer) does not move the position, and
            // we want to know that the bitmap used exactly its length.
            ByteArrayInputStream serialized = new ByteArrayInputStream(bytes);
            RoaringBitmap bitmap = new RoaringBitmap();
            try {
                bitmap.deserialize(new DataInputStream(serialized));
            }
            catch (IOException | RuntimeException e) {
                throw corrupt(offset, bitmapWhat + " do not decode as a Roaring bitmap: " + e, e);
            }
            if (serialized.available() > 0) {
                throw corrupt(offset, bitmapWhat + ": the bitmap ends " + serialized.available() + " bytes before its "
                        + bytes.length + "-byte length");
            }
            // A value is only listed because some row holds it.
            if (bitmap.isEmpty()) {
                throw corrupt(offset, bitmapWhat + " are empty");
            }
            // Roaring orders ids as unsigned: a negative id would be the last one.
            long last = Integer.toUnsignedLong(bitmap.last());
            if (last >= rowGroupCount) {
                throw corrupt(offset, bitmapWhat + " include row group " + last + ", but the file has " + rowGroupCount);
            }
            return bitmap;
        }

        private String readString(String what) {
            int offset = buffer.position() + 4;
            byte[] bytes = readBytes(what);
            try {
                // Strict: a lenient decoder would turn bad bytes into U+FFFD and match the wrong value.
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes));
                return chars.toString();
            }
            catch (CharacterCodingException e) {
                throw corrupt(offset, what + " is not valid UTF-8", e);
            }
        }

        private byte[] readBytes(String what) {
            int offset = buffer.position();
            int length = readInt("length of " + what);
            if (length < 0) {
                throw corrupt(offset, "length of " + what + " is negative: " + length);
            }
            need(length, what);
            byte[] bytes = new byte[length];
            buffer.get(bytes);
            return bytes;
        }

        private int readCount(String what) {
            int offset = buffer.position();
            int count = readInt(what);
            if (count < 0) {
                throw corrupt(offset, what + " is negative: " + count);
            }
            return count;
        }

        private int readInt(String what) {
            need(4, what);
            return buffer.getInt();
        }

        private void need(int bytes, String what) {
            if (buffer.remaining() < bytes) {
                throw corrupt(buffer.position(), what + " (" + bytes + " bytes) runs past the end of the index data at offset "
                        + buffer.limit());
            }
        }

        private CorruptedFileException corrupt(long offset, String problem) {
            return corrupt(offset, problem, null);
        }

        private CorruptedFileException corrupt(long offset, String problem, Throwable cause) {
            return new CorruptedFileException(file, offset, problem, cause);
        }
    }
}
