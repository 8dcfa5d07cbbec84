package dev.regolith.engine.manifest;

import dev.regolith.engine.api.exceptions.CorruptedFileException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The frame around every manifest file's protobuf payload:
 *
 * <pre>
 * offset 0   magic "RGMF"
 * offset 4   format version (1 byte, currently 1)
 * offset 5   file kind (1 byte: 1 delta, 2 checkpoint, 3 checkpoint pointer)
 * offset 6   reserved (2 bytes, zero)
 * offset 8   payload length (4 bytes, big-endian)
 * offset 12  payload (protobuf)
 * then       CRC32C of everything before it (4 bytes, big-endian)
 * </pre>
 *
 * A protobuf message has no end marker and no checksum of its own; the frame gives the reader a
 * way to tell a complete, intact file from anything else, and to say where it went wrong.
 */
final class ManifestFileFormat {

    static final int MAGIC = 0x52474D46; // "RGMF"
    static final byte FORMAT_VERSION = 1;
    static final int HEADER_SIZE = 12;
    static final int TRAILER_SIZE = 4;

    /** What a manifest file holds. */
    enum Kind {
        DELTA(1),
        CHECKPOINT(2),
        POINTER(3);

        final byte code;

        Kind(int code) {
            this.code = (byte) code;
        }
    }

    private ManifestFileFormat() {
    }

    static byte[] encode(Kind kind, byte[] payload) {
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_SIZE + payload.length + TRAILER_SIZE);
        buffer.putInt(MAGIC).put(FORMAT_VERSION).put(kind.code).putShort((short) 0).putInt(payload.length).put(payload);
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, buffer.position());
        buffer.putInt((int) crc.getValue());
        return buffer.array();
    }

    /**
     * Checks the frame of {@code bytes}, read from {@code file}, and returns its payload.
     *
     * @throws CorruptedFileException naming the file, the offset and what is wrong
     */
    static byte[] decode(String file, byte[] bytes, Kind expected) {
        if (bytes.length < HEADER_SIZE + TRAILER_SIZE) {
            throw new CorruptedFileException(file, bytes.length, "truncated: " + bytes.length
                    + " bytes, shorter than the " + (HEADER_SIZE + TRAILER_SIZE) + "-byte frame");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        int magic = buffer.getInt(0);
        if (magic != MAGIC) {
            throw new CorruptedFileException(file, 0, String.format("bad magic 0x%08x, expected 0x%08x (\"RGMF\")", magic, MAGIC));
        }
        byte version = buffer.get(4);
        if (version != FORMAT_VERSION) {
            throw new CorruptedFileException(file, 4, "unsupported manifest format version " + version
                    + " (this engine reads version " + FORMAT_VERSION + ")");
        }
        byte kind = buffer.get(5);
        if (kind != expected.code) {
            throw new CorruptedFileException(file, 5, "file kind " + kind + " where a " + expected.name().toLowerCase()
                    + " (kind " + expected.code + ") was expected");
        }
        int length = buffer.getInt(8);
        long expectedSize = (long) HEADER_SIZE + Integer.toUnsignedLong(length) + TRAILER_SIZE;
        if (expectedSize != bytes.length) {
            throw new CorruptedFileException(file, 8, "payload length " + Integer.toUnsignedLong(length) + " says the file has "
                    + expectedSize + " bytes, but it has " + bytes.length + (expectedSize > bytes.length ? " (truncated)" : ""));
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
        return Arrays.copyOfRange(bytes, HEADER_SIZE, checksumOffset);
    }

    /** CRC32C of a whole file, as recorded in the checkpoint pointer. */
    static int crc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length);
        return (int) crc.getValue();
    }
}
