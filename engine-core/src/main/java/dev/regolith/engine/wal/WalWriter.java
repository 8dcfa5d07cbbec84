package dev.regolith.engine.wal;

import static dev.regolith.engine.wal.WalSegmentFormat.FRAME_HEADER_SIZE;

import com.google.protobuf.CodedOutputStream;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.io.SyncableOutput;
import dev.regolith.engine.wal.PendingAppend.WriteFailure;
import dev.regolith.engine.wal.WalOptions.SyncMode;
import dev.regolith.engine.wal.proto.WalEntryProto;
import dev.regolith.engine.wal.proto.WalRowProto;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group commit: appenders take the next entry id and queue their entry; one thread takes
 * everything queued, writes it to the newest segment in one go, fsyncs once (per the sync mode)
 * and completes all of it. Entries reach the file in entry-id order because ids are taken and
 * entries queued under one lock.
 *
 * <p>The thread also starts new segments (syncing the finished one first, in every sync mode, so
 * that only the newest segment can ever have a torn tail) and, in {@link SyncMode#PERIODIC}, syncs
 * when the oldest unsynced write is {@link WalOptions#syncInterval()} old.
 *
 * <p>The first failed write, sync or segment start fails every append it carried and stops the
 * writer for good: later appends are rejected, because an fsync that failed once cannot be trusted
 * to have kept what it was asked to keep, and writing on would put later entries after a hole.
 */
final class WalWriter {

    private static final Logger log = LoggerFactory.getLogger(WalWriter.class);

    private static final int MAX_GROUP = 4096;
    private static final int FLUSH_BYTES = 1 << 20;
    private static final PendingAppend CLOSE = new PendingAppend(null, 0, List.of(), 0);

    private final FileIO io;
    private final Path directory;
    private final WalOptions options;
    private final WalSegmentIndex index;
    private final LinkedBlockingQueue<PendingAppend> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    // Completes when the thread has stopped, with the failure to sync or close the last segment, if any.
    private final CompletableFuture<WriteFailure> terminated = new CompletableFuture<>();

    private final Object lock = new Object();
    // Guarded by lock.
    private long lastEntryId;
    private boolean closed;
    private WriteFailure failure;

    // Used by the writer thread only.
    private SyncableOutput output;
    private Path segment;
    // What the thread is doing to the segment, for the failure message: "write", "fsync", "start".
    private String step = "write";
    private boolean unsynced;
    private long syncDueNanos;
    private byte[] buffer = new byte[64 << 10];

    /**
     * @param output the newest segment, {@code segment}, already holding its header, to which the
     *     writer appends and which it closes
     */
    WalWriter(FileIO io, Path directory, WalOptions options, WalSegmentIndex index, Path segment, SyncableOutput output,
            long lastEntryId) {
        this.io = io;
        this.directory = directory;
        this.options = options;
        this.index = index;
        this.segment = segment;
        this.output = output;
        this.lastEntryId = lastEntryId;
        this.thread = new Thread(this::run, "regolith-wal-writer " + directory);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Creates a segment, writes its header and makes both the header and the file's name durable. */
    static SyncableOutput createSegment(FileIO io, Path directory, Path file) throws IOException {
        SyncableOutput output = io.create(file);
        try {
            output.write(WalSegmentFormat.header());
            // Synced even in NEVER mode: a newest segment with a damaged header could not be told
            // from a stray file, while a torn record after an intact header can be cut off.
            output.sync();
            io.syncDirectory(directory);
        }
        catch (IOException | RuntimeException e) {
            try {
                output.close();
            }
            catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return output;
    }

    /**
     * Takes the next entry id and queues the entry.
     *
     * @throws IllegalStateException if the WAL is closed
     * @throws RegionStorageException if an earlier write failed
     */
    PendingAppend submit(RegionId region, long schemaVersion, List<WalRowProto> rows) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("The WAL in " + directory + " is closed");
            }
            if (failure != null) {
                throw PendingAppend.rejection(failure);
            }
            if (lastEntryId == Long.MAX_VALUE) {
                throw new IllegalStateException("The WAL in " + directory + " has run out of entry ids");
            }
            PendingAppend append = new PendingAppend(region, schemaVersion, rows, ++lastEntryId);
            queue.add(append);
            return append;
        }
    }

    long lastEntryId() {
        synchronized (lock) {
            return lastEntryId;
        }
    }

    /** Makes every later entry id larger than {@code entryId}. */
    void raiseLastEntryId(long entryId) {
        synchronized (lock) {
            lastEntryId = Math.max(lastEntryId, entryId);
        }
    }

    boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Appends queued and not yet taken by the writer thread; for tests that stage a group. */
    int queuedAppends() {
        return queue.size();
    }

    /**
     * Writes what is queued, syncs the newest segment (unless a write failed) and stops the thread.
     * Idempotent.
     *
     * @throws RegionStorageException if the final sync or close failed (on the first call only)
     */
    void close() {
        boolean first;
        synchronized (lock) {
            first = !closed;
            if (first) {
                closed = true;
                queue.add(CLOSE);
            }
        }
        WriteFailure closeFailure = terminated.join();
        if (first && closeFailure != null) {
            throw new RegionStorageException("Closing the WAL in " + directory + " " + closeFailure.describe(), closeFailure.cause());
        }
    }

    private void run() {
        WriteFailure closeFailure = null;
        List<PendingAppend> group = new ArrayList<>();
        try {
            boolean closing = false;
            while (!closing) {
                group.add(next());
                queue.drainTo(group, MAX_GROUP - 1);
                // Nothing is queued after CLOSE, so it can only be last.
                closing = group.get(group.size() - 1) == CLOSE;
                if (closing) {
                    group.remove(group.size() - 1);
                }
                if (!group.isEmpty()) {
                    commit(group);
                }
                group.clear();
            }
            closeFailure = closeSegment();
        }
        catch (Throwable t) {
            // A bug: stop taking appends rather than leave appenders waiting for a thread that is gone.
            WriteFailure unexpected = stop(t);
            group.forEach(append -> append.fail(unexpected));
            queue.forEach(append -> append.reject(unexpected));
            if (output != null) {
                closeQuietly(t);
            }
            throw t;
        }
        finally {
            terminated.complete(closeFailure);
        }
    }

    /** The next queued append, syncing meanwhile whenever a PERIODIC sync falls due. */
    private PendingAppend next() {
        while (true) {
            try {
                if (!unsynced || options.syncMode() != SyncMode.PERIODIC) {
                    return queue.take();
                }
                long wait = syncDueNanos - System.nanoTime();
                if (wait <= 0) {
                    syncPeriodically();
                    continue;
                }
                PendingAppend append = queue.poll(wait, TimeUnit.NANOSECONDS);
                if (append != null) {
                    return append;
                }
            }
            catch (InterruptedException e) {
                // Nobody interrupts this thread on purpose: close() stops it through the queue.
            }
        }
    }

    private void commit(List<PendingAppend> group) {
        WriteFailure earlier = currentFailure();
        if (earlier != null) {
            group.forEach(append -> append.reject(earlier));
            return;
        }
        try {
            if (output.position() >= options.segmentBytes()) {
                startSegment(group.get(0).entryId());
            }
            step = "write";
            write(group);
            if (options.syncMode() == SyncMode.EVERY_BATCH) {
                step = "fsync";
                output.sync();
            }
            else if (!unsynced) {
                unsynced = true;
                syncDueNanos = System.nanoTime() + options.syncInterval().toNanos();
            }
        }
        catch (Throwable t) {
            WriteFailure failed = stop(t);
            group.forEach(append -> append.fail(failed));
            return;
        }
        index.recordWritten(group, output.position());
        group.forEach(PendingAppend::succeed);
    }

    /** Finishes the newest segment and starts the next one, named after the next entry to write. */
    private void startSegment(long firstEntryId) throws IOException {
        if (unsynced) {
            step = "fsync";
            output.sync();
            unsynced = false;
        }
        step = "close";
        output.close();
        output = null;
        segment = directory.resolve(WalSegmentFormat.fileName(firstEntryId));
        step = "start";
        output = createSegment(io, directory, segment);
        index.add(new WalSegmentIndex.Segment(firstEntryId, segment, output.position()));
    }

    private void write(List<PendingAppend> group) throws IOException {
        int size = 0;
        for (PendingAppend append : group) {
            WalEntryProto entry = WalEntryCodec.entry(append.region(), append.entryId(), append.schemaVersion(), append.rows());
            int length = entry.getSerializedSize();
            int frame = size;
            size = reserve(size, FRAME_HEADER_SIZE + length);
            CodedOutputStream payload = CodedOutputStream.newInstance(buffer, frame + FRAME_HEADER_SIZE, length);
            entry.writeTo(payload);
            payload.checkNoSpaceLeft();
            putInt(frame, length);
            putInt(frame + 4, WalSegmentFormat.crc32c(buffer, frame + FRAME_HEADER_SIZE, length));
            if (size >= FLUSH_BYTES) {
                output.write(buffer, 0, size);
                size = 0;
            }
        }
        if (size > 0) {
            output.write(buffer, 0, size);
        }
        if (buffer.length > 4 * FLUSH_BYTES) {
            buffer = new byte[FLUSH_BYTES];  // one huge entry should not pin its buffer for good
        }
    }

    /** Makes room for {@code length} more bytes after {@code size}; returns the new size. */
    private int reserve(int size, int length) {
        int needed = Math.addExact(size, length);
        if (needed > buffer.length) {
            byte[] larger = new byte[Math.max(needed, (int) Math.min(Integer.MAX_VALUE - 8, 2L * buffer.length))];
            System.arraycopy(buffer, 0, larger, 0, size);
            buffer = larger;
        }
        return needed;
    }

    private void putInt(int offset, int value) {
        buffer[offset] = (byte) (value >>> 24);
        buffer[offset + 1] = (byte) (value >>> 16);
        buffer[offset + 2] = (byte) (value >>> 8);
        buffer[offset + 3] = (byte) value;
    }

    private void syncPeriodically() {
        unsynced = false;
        if (currentFailure() != null) {
            return;
        }
        try {
            step = "fsync";
            output.sync();
        }
        catch (Throwable t) {
            stop(t);
        }
    }

    /** Syncs (unless a write failed) and closes the newest segment; returns what failed, if anything. */
    private WriteFailure closeSegment() {
        if (output == null) {
            return null;
        }
        if (currentFailure() == null && unsynced) {
            try {
                output.sync();
                unsynced = false;
            }
            catch (IOException e) {
                closeQuietly(e);
                return new WriteFailure(segment, "fsync", e);
            }
        }
        try {
            output.close();
        }
        catch (IOException e) {
            // After an earlier failure the appenders have been told; closing quietly is all that is left.
            return currentFailure() == null ? new WriteFailure(segment, "close", e) : null;
        }
        return null;
    }

    private void closeQuietly(Throwable failure) {
        try {
            output.close();
        }
        catch (IOException suppressed) {
            failure.addSuppressed(suppressed);
        }
    }

    private WriteFailure currentFailure() {
        synchronized (lock) {
            return failure;
        }
    }

    /** Stops the WAL taking appends; returns the failure that did (the first one). */
    private WriteFailure stop(Throwable cause) {
        WriteFailure stopped;
        synchronized (lock) {
            if (failure == null) {
                failure = new WriteFailure(segment, step, cause);
            }
            stopped = failure;
        }
        if (stopped.cause() == cause) {
            log.error("The WAL in {} failed to {} segment {}; it rejects appends until it is reopened", directory, step,
                    segment, cause);
        }
        return stopped;
    }
}
