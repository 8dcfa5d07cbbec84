package dev.regolith.engine.wal;

import static dev.regolith.engine.wal.WalSegmentFormat.FORMAT_VERSION;
import static dev.regolith.engine.wal.WalSegmentFormat.FRAME_HEADER_SIZE;
import static dev.regolith.engine.wal.WalSegmentFormat.HEADER_SIZE;
import static dev.regolith.engine.wal.WalSegmentFormat.MAGIC;
import static dev.regolith.engine.wal.WalSegmentFormat.MAX_PAYLOAD;

import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.io.ReadableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a segment's records front to back, checking the header, every frame and every checksum.
 *
 * <p>Damage is either a torn tail or corruption. A torn tail is what a write cut short by a crash
 * leaves at the end of the newest segment: a header or record frame that stops at the end of the
 * file, a record whose payload runs past it, or a record that fails its checksum and is followed
 * by nothing but zeros (file systems may extend a file with zeros before its data lands). Only
 * when reading the newest segment at open is a torn tail reported as such, so that it can be cut
 * off; everything else, and any damage elsewhere, is a {@link CorruptedFileException} naming the
 * segment and the offset of the header or record.
 */
final class WalSegmentReader {

    private static final int WINDOW = 256 << 10;

    /** Receives each intact record. May throw {@link CorruptedFileException} for a bad payload. */
    interface RecordVisitor {
        void record(long offset, byte[] payload);
    }

    /**
     * How a pass ended.
     *
     * @param validEnd the offset just past the last intact record (or the header)
     * @param tornHeader the segment's header itself is torn: the file holds nothing
     * @param tornProblem what is wrong at {@code validEnd}, or null if the segment ends cleanly there
     */
    record End(long validEnd, boolean tornHeader, String tornProblem) {

        boolean isTorn() {
            return tornProblem != null;
        }
    }

    private final String name;
    private final ReadableFile file;
    private final long limit;
    private final boolean tolerateTornTail;
    private final byte[] window = new byte[WINDOW];
    private long windowStart;
    private int windowLength;

    private WalSegmentReader(String name, ReadableFile file, long limit, boolean tolerateTornTail) {
        this.name = name;
        this.file = file;
        this.limit = limit;
        this.tolerateTornTail = tolerateTornTail;
    }

    /**
     * Reads the records of {@code segment} in its first {@code limit} bytes (-1: the whole file).
     *
     * @param tolerateTornTail whether a torn tail ends the pass (reported in the result) rather
     *     than failing it
     * @throws CorruptedFileException if the segment is damaged (other than a tolerated torn tail)
     */
    static End read(FileIO io, Path segment, long limit, boolean tolerateTornTail, RecordVisitor visitor) throws IOException {
        try (ReadableFile file = io.open(segment)) {
            long end = limit < 0 ? file.size() : limit;
            return new WalSegmentReader(segment.toString(), file, end, tolerateTornTail).readRecords(visitor);
        }
    }

    private End readRecords(RecordVisitor visitor) throws IOException {
        End tornHeader = checkHeader();
        if (tornHeader != null) {
            return tornHeader;
        }
        long position = HEADER_SIZE;
        while (position < limit) {
            long remaining = limit - position;
            if (remaining < FRAME_HEADER_SIZE) {
                return torn(position, "incomplete record frame: " + remaining + " bytes before the end of the segment, "
                        + "a frame header has " + FRAME_HEADER_SIZE);
            }
            ByteBuffer frame = ByteBuffer.wrap(read(position, FRAME_HEADER_SIZE));
            long length = Integer.toUnsignedLong(frame.getInt());
            int storedCrc = frame.getInt();
            if (length == 0) {
                if (isZero(position, limit)) {
                    return torn(position, "record length 0, zeros up to the end of the segment");
                }
                throw new CorruptedFileException(name, position, "record length 0, followed by non-zero data");
            }
            long end = position + FRAME_HEADER_SIZE + length;
            if (end > limit) {
                return torn(position, "record length " + length + " runs past the end of the segment at " + limit);
            }
            if (length > MAX_PAYLOAD) {
                throw new CorruptedFileException(name, position, "record length " + length + " exceeds the maximum of "
                        + MAX_PAYLOAD);
            }
            byte[] payload = read(position + FRAME_HEADER_SIZE, (int) length);
            int computedCrc = WalSegmentFormat.crc32c(payload, 0, payload.length);
            if (computedCrc != storedCrc) {
                String problem = String.format("checksum mismatch: stored CRC32C 0x%08x, computed 0x%08x", storedCrc, computedCrc);
                if (end == limit || isZero(end, limit)) {
                    return torn(position, problem + (end == limit ? " in the last record" : ", zeros after the record"));
                }
                throw new CorruptedFileException(name, position, problem + " (" + (limit - end)
                        + " more bytes follow the record)");
            }
            visitor.record(position, payload);
            position = end;
        }
        return new End(position, false, null);
    }

    /** Checks the header; returns a torn-header result if that is tolerated, null if it is intact. */
    private End checkHeader() throws IOException {
        byte[] expected = WalSegmentFormat.header();
        if (limit < HEADER_SIZE) {
            byte[] present = read(0, (int) limit);
            boolean prefix = Arrays.equals(present, Arrays.copyOf(expected, present.length)) || isZero(0, limit);
            String problem = "truncated header: " + limit + " bytes, shorter than the " + HEADER_SIZE + "-byte segment header";
            if (prefix && tolerateTornTail) {
                return new End(0, true, problem);
            }
            if (!prefix && limit >= 4) {
                throw badMagic(ByteBuffer.wrap(present).getInt());
            }
            throw new CorruptedFileException(name, 0, problem);
        }
        ByteBuffer header = ByteBuffer.wrap(read(0, HEADER_SIZE));
        int magic = header.getInt();
        if (magic != MAGIC) {
            if (tolerateTornTail && isZero(0, limit)) {
                return new End(0, true, "the segment is all zeros");
            }
            throw badMagic(magic);
        }
        byte version = header.get();
        if (version != FORMAT_VERSION) {
            throw new CorruptedFileException(name, 4, "unsupported WAL format version " + version + " (this engine reads version "
                    + FORMAT_VERSION + ")");
        }
        return null;
    }

    private CorruptedFileException badMagic(int magic) {
        return new CorruptedFileException(name, 0, String.format("bad magic 0x%08x, expected 0x%08x (\"RGWL\"): not a WAL segment",
                magic, MAGIC));
    }

    private End torn(long position, String problem) {
        if (!tolerateTornTail) {
            throw new CorruptedFileException(name, position, problem);
        }
        return new End(position, false, problem);
    }

    private boolean isZero(long from, long to) throws IOException {
        for (long position = from; position < to; ) {
            int length = (int) Math.min(WINDOW, to - position);
            byte[] bytes = read(position, length);
            for (byte b : bytes) {
                if (b != 0) {
                    return false;
                }
            }
            position += length;
        }
        return true;
    }

    /** Reads {@code length} bytes at {@code position}, which lie within the limit. */
    private byte[] read(long position, int length) throws IOException {
        byte[] bytes = new byte[length];
        int copied = 0;
        while (copied < length) {
            long at = position + copied;
            if (at < windowStart || at >= windowStart + windowLength) {
                fill(at);
            }
            int n = (int) Math.min(length - copied, windowStart + windowLength - at);
            System.arraycopy(window, (int) (at - windowStart), bytes, copied, n);
            copied += n;
        }
        return bytes;
    }

    private void fill(long position) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(window, 0, (int) Math.min(WINDOW, limit - position));
        while (buffer.hasRemaining()) {
            if (file.read(position + buffer.position(), buffer) < 0) {
                // The file shrank under us, or the index promised bytes the file does not have.
                throw new CorruptedFileException(name, position + buffer.position(), "the segment ends here, "
                        + "but " + limit + " bytes were expected");
            }
        }
        windowStart = position;
        windowLength = buffer.position();
    }
}
