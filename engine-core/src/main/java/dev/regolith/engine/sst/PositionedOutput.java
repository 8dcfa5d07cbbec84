package dev.regolith.engine.sst;

import dev.regolith.engine.io.SyncableOutput;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A buffer in front of a {@link SyncableOutput}, whose writes may each be a system call, that
 * knows the file offset of the next byte: page and footer offsets are taken from it.
 */
final class PositionedOutput extends OutputStream {

    private static final int BUFFER_SIZE = 64 * 1024;

    private final SyncableOutput out;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private int count;

    PositionedOutput(SyncableOutput out) {
        this.out = out;
    }

    /** The offset in the file at which the next byte lands. */
    long position() {
        return out.position() + count;
    }

    @Override
    public void write(int b) throws IOException {
        if (count == buffer.length) {
            flushBuffer();
        }
        buffer[count++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (length >= buffer.length) {
            flushBuffer();
            out.write(bytes, offset, length);
            return;
        }
        if (length > buffer.length - count) {
            flushBuffer();
        }
        System.arraycopy(bytes, offset, buffer, count, length);
        count += length;
    }

    /** Hands the buffered bytes to the file; they are durable only after {@link #sync()}. */
    @Override
    public void flush() throws IOException {
        flushBuffer();
    }

    void sync() throws IOException {
        flushBuffer();
        out.sync();
    }

    @Override
    public void close() throws IOException {
        try {
            flushBuffer();
        }
        finally {
            out.close();
        }
    }

    /** Closes the file without writing what is buffered: for a file about to be deleted. */
    void discard() throws IOException {
        count = 0;
        out.close();
    }

    private void flushBuffer() throws IOException {
        if (count > 0) {
            out.write(buffer, 0, count);
            count = 0;
        }
    }
}
