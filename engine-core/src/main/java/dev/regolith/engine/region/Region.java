package dev.regolith.engine.region;

import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.RegionScanner;
import dev.regolith.engine.api.ScanRequest;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.api.exceptions.CommitStateUnknownException;
import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.api.exceptions.WriteRejectedException;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.manifest.ManifestCommitter;
import dev.regolith.engine.manifest.ManifestOptions;
import dev.regolith.engine.memtable.Memtable;
import dev.regolith.engine.memtable.WriteBuffer;
import dev.regolith.engine.region.BatchValidator.ValidatedBatch;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.row.NewestVersions;
import dev.regolith.engine.row.RowOrder;
import dev.regolith.engine.sst.SstReader;
import dev.regolith.engine.sst.SstWriteOptions;
import dev.regolith.engine.sst.SstWriter;
import dev.regolith.engine.wal.Wal;
import dev.regolith.hooks.spi.SstFilesWrittenEvent;
import dev.regolith.hooks.spi.WrittenSstFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open region: its manifest, its memtables and SST files, and its part of the shared WAL.
 *
 * <h2>Writes</h2>
 * A batch is validated outside any lock. Writers then queue their batch and race for the region's
 * write lock; the winner takes every queued batch, gives them consecutive sequence numbers, appends
 * them to the WAL as one entry (one fsync for all of them), inserts them into the memtable and
 * completes them all (group commit). Because appending and inserting happen under one lock, the
 * WAL order of a region's entries is its memtable order, so "everything up to entry N is flushed"
 * is exact.
 *
 * <h2>Flush</h2>
 * Freeze the memtable (under the write lock), write its rows (newest version of each row, deletes
 * kept) to an SST, tell the hooks the file is written, commit an {@code Edit} through the manifest
 * funnel (the hooks hear of it after the lock is released), swap the region's version, then let
 * the WAL drop what the SST now holds. A failure before the commit deletes the new file and keeps
 * the frozen memtable for the next attempt.
 *
 * <h2>Reads</h2>
 * A scan takes the current {@link RegionVersion} and the last committed sequence, without
 * locking; the SST files it reads are reference-counted so they outlive any removal.
 */
public final class Region {

    private static final Logger log = LoggerFactory.getLogger(Region.class);
    static final String SST_SUFFIX = ".parquet";

    private final RegionId id;
    private final Path directory;
    private final FileIO io;
    private final ManifestCommitter committer;
    private final Wal wal;
    private final RegionHooks hooks;
    private final WriteBuffer writeBuffer;
    private final RegionSettings settings;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ConcurrentLinkedQueue<PendingWrite> pending = new ConcurrentLinkedQueue<>();
    private final AtomicLong memtableIds = new AtomicLong();
    private final Object flushGate = new Object();

    private volatile RegionVersion version;
    private volatile long committedSequence;
    // Guarded by writeLock.
    private long lastSequence;
    private long lastEntryId;
    // Guarded by flushGate.
    private boolean flushing;
    private volatile boolean closed;

    /**
     * What a region needs from its engine, besides its own directory.
     *
     * @param memtableBytes past this size the memtable is frozen and a flush requested
     * @param sstOptions how SST files are written
     * @param manifestOptions how the manifest is kept
     * @param flushRequests where to ask for a background flush of a region (must not block)
     */
    public record RegionSettings(long memtableBytes, SstWriteOptions sstOptions, ManifestOptions manifestOptions,
            Consumer<Region> flushRequests) {
    }

    private Region(RegionId id, Path directory, FileIO io, ManifestCommitter committer, Wal wal, RegionHooks hooks,
            WriteBuffer writeBuffer, RegionSettings settings) {
        this.id = id;
        this.directory = directory;
        this.io = io;
        this.committer = committer;
        this.wal = wal;
        this.hooks = hooks;
        this.writeBuffer = writeBuffer;
        this.settings = settings;
    }

    /** The name of a region's directory: {@code {table_id}_{region_number:010}}. */
    public static String directoryName(RegionId id) {
        return id.toString();
    }

    /** Creates a new, empty region in {@code directory}. */
    public static Region create(RegionMetadata metadata, Path directory, FileIO io, Wal wal, RegionHooks hooks,
            WriteBuffer writeBuffer, RegionSettings settings) {
        ManifestCommitter committer = ManifestCommitter.create(io, directory.resolve("manifest"), metadata, hooks,
                settings.manifestOptions());
        Region region = new Region(metadata.regionId(), directory, io, committer, wal, hooks, writeBuffer, settings);
        region.version = new RegionVersion(metadata, region.newMemtable(metadata), List.of(), List.of(),
                committer.current().manifestVersion());
        return region;
    }

    /**
     * Opens an existing region: reads its manifest, checks every SST it names exists, deletes SST
     * files no manifest names (left by a flush that crashed before committing), and replays the
     * region's WAL entries after its flushed entry id into the memtable.
     */
    public static Region open(RegionId id, Path directory, FileIO io, Wal wal, RegionHooks hooks, WriteBuffer writeBuffer,
            RegionSettings settings) {
        ManifestCommitter committer = ManifestCommitter.open(io, directory.resolve("manifest"), id, hooks,
                settings.manifestOptions());
        RegionManifest manifest = committer.current();
        Region region = new Region(id, directory, io, committer, wal, hooks, writeBuffer, settings);
        List<SstFile> files = region.checkFiles(manifest);
        Memtable memtable = region.newMemtable(manifest.metadata());
        region.version = new RegionVersion(manifest.metadata(), memtable, List.of(), files, manifest.manifestVersion());
        region.lastSequence = manifest.flushedSequence();
        region.lastEntryId = manifest.flushedEntryId();
        // Entry ids must stay above what the manifest says is flushed, even if the WAL lost an
        // unsynced tail that had reached them; otherwise new entries would be skipped at replay.
        wal.obsolete(id, manifest.flushedEntryId());
        wal.replay(id, manifest.flushedEntryId(), (entryId, schemaVersion, rows) -> {
            memtable.insert(rows);
            region.lastEntryId = Math.max(region.lastEntryId, entryId);
            for (InternalRow row : rows) {
                region.lastSequence = Math.max(region.lastSequence, row.sequence());
            }
        });
        writeBuffer.allocated(memtable.bytes());
        region.committedSequence = region.lastSequence;
        if (!memtable.isEmpty()) {
            log.info("Region {} replayed {} rows from the WAL after entry {}", id, memtable.rowCount(), manifest.flushedEntryId());
        }
        return region;
    }

    private List<SstFile> checkFiles(RegionManifest manifest) {
        List<SstFile> files = new ArrayList<>();
        Set<String> live = new HashSet<>();
        try {
            for (FileMeta meta : manifest.files().values()) {
                Path path = sstPath(meta.fileId());
                if (!io.exists(path)) {
                    throw new CorruptedFileException(path.toString(), 0, "named by the manifest of region " + id
                            + " at version " + manifest.manifestVersion() + " but missing");
                }
                live.add(path.getFileName().toString());
                files.add(new SstFile(meta, path, io));
            }
            for (String name : io.list(directory)) {
                if (name.endsWith(SST_SUFFIX) && !live.contains(name)) {
                    log.info("Deleting {} in region {}: no manifest version names it (a flush that did not commit)", name, id);
                    io.deleteIfExists(directory.resolve(name));
                }
            }
        }
        catch (IOException e) {
            throw new RegionStorageException("Failed to list the files of region " + id + " in " + directory + ": " + e, e);
        }
        return files;
    }

    public RegionId id() {
        return id;
    }

    public RegionMetadata metadata() {
        return version.metadata();
    }

    public RegionManifest manifest() {
        return committer.current();
    }

    /** Bytes held by this region's memtables. */
    public long memtableBytes() {
        return version.memtableBytes();
    }

    Path sstPath(FileId fileId) {
        return directory.resolve(fileId + SST_SUFFIX);
    }

    private Memtable newMemtable(RegionMetadata metadata) {
        return new Memtable(memtableIds.incrementAndGet(), metadata);
    }

    /**
     * Writes a batch; returns once it is durable as the WAL's sync mode says.
     *
     * @return the sequence of the batch's last row
     */
    public long write(WriteBatch batch) {
        checkOpen();
        ValidatedBatch validated = BatchValidator.validate(version.metadata(), batch);
        if (validated.size() == 0) {
            return committedSequence;
        }
        writeBuffer.admit();
        PendingWrite write = new PendingWrite(validated);
        pending.add(write);
        boolean full = false;
        writeLock.lock();
        try {
            if (!write.result.isDone()) {
                full = commitPending();
            }
        }
        finally {
            writeLock.unlock();
        }
        if (full) {
            settings.flushRequests().accept(this);
        }
        try {
            return write.result.get();
        }
        catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new RegionStorageException("Write to region " + id + " failed: " + e.getCause(), e.getCause());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WriteRejectedException("Interrupted while writing to region " + id, e);
        }
    }

    /** Commits every queued write as one WAL entry. Returns whether the memtable is now over its limit. */
    private boolean commitPending() {
        List<PendingWrite> group = new ArrayList<>();
        List<InternalRow> rows = new ArrayList<>();
        long sequence = lastSequence;
        for (PendingWrite write = pending.poll(); write != null; write = pending.poll()) {
            List<InternalRow> batchRows = write.batch.toRows(sequence + 1);
            sequence += batchRows.size();
            write.lastSequence = sequence;
            rows.addAll(batchRows);
            group.add(write);
        }
        if (group.isEmpty()) {
            return false;
        }
        RegionVersion current = version;
        long entryId;
        try {
            entryId = wal.append(id, current.metadata().schemaVersion(), rows);
        }
        catch (RuntimeException e) {
            group.forEach(write -> write.result.completeExceptionally(e));
            return false;
        }
        lastSequence = sequence;
        lastEntryId = entryId;
        long before = current.mutable().bytes();
        current.mutable().insert(rows);
        writeBuffer.allocated(current.mutable().bytes() - before);
        committedSequence = sequence;
        group.forEach(write -> write.result.complete(write.lastSequence));
        return current.mutable().bytes() >= settings.memtableBytes();
    }

    /**
     * Flushes every memtable to SST files and waits until the result is committed. Concurrent calls
     * wait for each other.
     */
    public void flush() {
        checkOpen();
        synchronized (flushGate) {
            while (flushing) {
                try {
                    flushGate.wait();
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegionStorageException("Interrupted while waiting for a flush of region " + id, e);
                }
            }
            flushing = true;
        }
        try {
            flushFrozen(freeze());
        }
        finally {
            synchronized (flushGate) {
                flushing = false;
                flushGate.notifyAll();
            }
        }
    }

    /** Freezes the mutable memtable; returns the WAL entry id and sequence everything frozen covers. */
    private long[] freeze() {
        writeLock.lock();
        try {
            RegionVersion current = version;
            if (!current.mutable().isEmpty()) {
                version = current.freeze(newMemtable(current.metadata()));
            }
            return new long[] {lastEntryId, lastSequence};
        }
        finally {
            writeLock.unlock();
        }
    }

    private void flushFrozen(long[] covered) {
        RegionVersion current = version;
        List<Memtable> frozen = current.immutables();
        if (frozen.isEmpty()) {
            return;
        }
        RegionMetadata metadata = current.metadata();
        FileId fileId = FileId.random();
        Path path = sstPath(fileId);
        WrittenSstFile written;
        try (SstWriter writer = new SstWriter(io, path, metadata, settings.sstOptions())) {
            List<Iterator<InternalRow>> sources = new ArrayList<>();
            frozen.forEach(memtable -> sources.add(memtable.iterator()));
            NewestVersions rows = new NewestVersions(new RowOrder(metadata), sources);
            while (rows.hasNext()) {
                writer.write(rows.next());
            }
            written = writer.finish(fileId, 0);
        }
        // A writer closed unfinished (the write failed) has deleted its partial file.

        hooks.deliverSstFilesWritten(new SstFilesWrittenEvent(id, metadata, SstFilesWrittenEvent.Reason.FLUSH, List.of(written)));

        long version;
        try {
            version = committer.commit(ManifestActionList.of(new ManifestAction.Edit(List.of(written.meta()), List.of(),
                    OptionalLong.of(covered[0]), OptionalLong.of(covered[1]), Optional.empty())));
        }
        catch (CommitStateUnknownException e) {
            throw e; // the file may be referenced: keep it
        }
        catch (RuntimeException e) {
            deleteQuietly(path);
            throw e;
        }

        writeLock.lock();
        try {
            this.version = this.version.afterFlush(frozen, List.of(new SstFile(written.meta(), path, io)), version);
        }
        finally {
            writeLock.unlock();
        }
        long freed = 0;
        for (Memtable memtable : frozen) {
            freed += memtable.bytes();
        }
        writeBuffer.released(freed);
        wal.obsolete(id, covered[0]);
        log.debug("Flushed region {}: {} rows into {} ({} bytes), manifest version {}", id, written.meta().numRows(), path,
                written.meta().fileSize(), version);
    }

    private void deleteQuietly(Path path) {
        try {
            io.deleteIfExists(path);
        }
        catch (IOException e) {
            log.warn("Could not delete {} after a failed flush of region {}; it is removed at the next open", path, id, e);
        }
    }

    /** Reads the region as of now. */
    public RegionScanner scan(ScanRequest request) {
        checkOpen();
        RegionVersion current = version;
        long visible = committedSequence;
        RegionMetadata metadata = current.metadata();
        RegionScan.ScanFilter.of(metadata, request); // validates the request before anything is opened
        request.projection().forEach(metadata::column);

        List<Iterator<InternalRow>> sources = new ArrayList<>();
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            for (Memtable memtable : current.memtables()) {
                if (overlaps(memtable.timeRange(), request)) {
                    sources.add(RegionScan.visible(memtable, visible));
                }
            }
            for (SstFile file : current.files()) {
                if (!request.timeRange().map(range -> range.overlaps(file.meta().timeRange())).orElse(true)) {
                    continue;
                }
                if (!file.acquire()) {
                    continue;
                }
                resources.add(file::release);
                SstReader reader = SstReader.open(io, file.path());
                resources.add(reader);
                sources.add(SstScanSupport.read(reader, metadata, request));
            }
        }
        catch (RuntimeException e) {
            new RegionScan(metadata, request, List.of(), resources).close();
            throw e;
        }
        return new RegionScan(metadata, request, sources, resources);
    }

    private static boolean overlaps(Optional<TimeRange> range, ScanRequest request) {
        return range.isPresent() && request.timeRange().map(wanted -> wanted.overlaps(range.get())).orElse(true);
    }

    /** Stops taking requests. Unflushed data stays in the WAL and replays at the next open. */
    public void close() {
        closed = true;
        writeBuffer.released(version.memtableBytes());
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("Region " + id + " is closed");
        }
    }

    private static final class PendingWrite {
        final ValidatedBatch batch;
        final CompletableFuture<Long> result = new CompletableFuture<>();
        long lastSequence;

        PendingWrite(ValidatedBatch batch) {
            this.batch = batch;
        }
    }
}
