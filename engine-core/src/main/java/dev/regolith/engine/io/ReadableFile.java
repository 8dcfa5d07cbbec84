package dev.regolith.engine.io;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A file opened for positional reads. Thread-safe: reads do not share a position. */
public interface ReadableFile extends Closeable {

    /** The file's size when it was opened. */
    long size();

    /** Reads up to {@code target.remaining()} bytes at {@code position}; returns how many, -1 at the end. */
    int read(long position, ByteBuffer target) throws IOException;

    /** Reads exactly {@code length} bytes at {@code position}. */
    default byte[] readFully(long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            int read = read(position + buffer.position(), buffer);
            if (read < 0) {
                throw new EOFException("End of file at offset " + (position + buffer.position()) + " while reading "
                        + length + " bytes at offset " + position);
            }
        }
        return buffer.array();
    }
}
