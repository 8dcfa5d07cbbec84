package dev.regolith.engine.wal;

import dev.regolith.engine.io.ForwardingFileIO;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.io.SyncableOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link LocalFileIO} that counts fsyncs and injects failures: every file sync and directory
 * sync is counted, writes or syncs can be made to fail, and a test can run an action (block on a
 * latch, count one down) inside the next file sync.
 */
final class TestingWalFileIO extends ForwardingFileIO {

    TestingWalFileIO() {
        super(new LocalFileIO());
    }


    private final AtomicInteger fileSyncs = new AtomicInteger();
    private final AtomicInteger directorySyncs = new AtomicInteger();
    private final ConcurrentLinkedQueue<Runnable> beforeNextSync = new ConcurrentLinkedQueue<>();
    private volatile boolean failSyncs;
    private volatile boolean failWrites;

    /** File syncs ({@link SyncableOutput#sync()}) attempted so far, failed ones included. */
    int fileSyncs() {
        return fileSyncs.get();
    }

    int directorySyncs() {
        return directorySyncs.get();
    }

    /** From now on every file sync fails (checked as the sync starts, before any action). */
    void failSyncs(boolean fail) {
        failSyncs = fail;
    }

    void failWrites(boolean fail) {
        failWrites = fail;
    }

    /** Runs {@code action} in the syncing thread during the next file sync, once. */
    void beforeNextSync(Runnable action) {
        beforeNextSync.add(action);
    }

    @Override
    public SyncableOutput create(Path file) throws IOException {
        SyncableOutput output = delegate().create(file);
        return new SyncableOutput() {
            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                if (failWrites) {
                    throw new IOException("injected write failure on " + file);
                }
                output.write(bytes, offset, length);
            }

            @Override
            public long position() {
                return output.position();
            }

            @Override
            public void sync() throws IOException {
                fileSyncs.incrementAndGet();
                boolean fail = failSyncs;
                Runnable action = beforeNextSync.poll();
                if (action != null) {
                    action.run();
                }
                if (fail) {
                    throw new IOException("injected fsync failure on " + file);
                }
                output.sync();
            }

            @Override
            public void close() throws IOException {
                output.close();
            }
        };
    }


    @Override
    public void syncDirectory(Path directory) throws IOException {
        directorySyncs.incrementAndGet();
        delegate().syncDirectory(directory);
    }









}
