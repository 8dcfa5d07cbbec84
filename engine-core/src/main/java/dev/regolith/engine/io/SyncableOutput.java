package dev.regolith.engine.io;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A file being written from start to end. Nothing is durable until {@link #sync()} returns.
 * Not thread-safe. Callers buffer: each write may be a system call.
 */
public abstract class SyncableOutput extends OutputStream {

    /** Bytes written so far: the offset the next byte lands at. */
    public abstract long position();

    /** Makes everything written so far durable (fsync of the data). */
    public abstract void sync() throws IOException;

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }
}
