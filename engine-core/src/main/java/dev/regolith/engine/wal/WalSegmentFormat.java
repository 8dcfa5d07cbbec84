package dev.regolith.engine.wal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The layout of a WAL segment file, {@code {first_entry_id:020}.wal}:
 *
 * <pre>
 * offset 0   magic "RGWL"
 * offset 4   format version (1 byte, currently 1)
 * offset 5   reserved (3 bytes, zero)
 * offset 8   records, each:
 *              payload length (4 bytes, big-endian, unsigned, never 0)
 *              CRC32C of the payload (4 bytes, big-endian)
 *              payload: one serialized WalEntryProto
 * </pre>
 *
 * The header tells a segment from a stray file; the length and checksum let a reader find where
 * a write stopped or where bytes went bad. The name's entry id is the first id the segment was
 * opened for: every entry in it has that id or a larger one, and a larger one than every entry in
 * an older segment.
 */
final class WalSegmentFormat {

    static final int MAGIC = 0x5247574C; // "RGWL"
    static final byte FORMAT_VERSION = 1;
    static final int HEADER_SIZE = 8;
    static final int FRAME_HEADER_SIZE = 8;
    /** Larger payloads are refused when written and reported as damage when read. */
    static final int MAX_PAYLOAD = 1 << 30;

    static final String SUFFIX = ".wal";
    private static final int ID_DIGITS = 20;

    private WalSegmentFormat() {
    }

    static byte[] header() {
        return ByteBuffer.allocate(HEADER_SIZE).putInt(MAGIC).put(FORMAT_VERSION).array();
    }

    static String fileName(long firstEntryId) {
        return String.format("%020d%s", firstEntryId, SUFFIX);
    }

    /** The first entry id in a segment's name, or -1 if {@code name} is not a segment name. */
    static long firstEntryId(String name) {
        if (!name.endsWith(SUFFIX) || name.length() != ID_DIGITS + SUFFIX.length()) {
            return -1;
        }
        for (int i = 0; i < ID_DIGITS; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        try {
            return Long.parseLong(name, 0, ID_DIGITS, 10);
        }
        catch (NumberFormatException e) {
            return -1; // beyond Long.MAX_VALUE: not a name this engine writes
        }
    }

    static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
