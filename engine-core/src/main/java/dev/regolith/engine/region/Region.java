package dev.regolith.engine.region;

import dev.regolith.engine.api.AlterRequest;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.RegionRole;
import dev.regolith.engine.api.RegionScanner;
import dev.regolith.engine.api.ScanRequest;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.api.exceptions.CommitStateUnknownException;
import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.engine.api.exceptions.RegionNotFoundException;
import dev.regolith.engine.api.exceptions.RegionReadOnlyException;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.api.exceptions.WriteRejectedException;
import dev.regolith.engine.compaction.CompactionOptions;
import dev.regolith.engine.compaction.CompactionTask;
import dev.regolith.engine.compaction.CompactionWriter;
import dev.regolith.engine.compaction.SchemaMapping;
import dev.regolith.engine.compaction.TimeWindowPicker;
import dev.regolith.engine.hook.HookCursorStore;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.index.TagIndex;
import dev.regolith.engine.index.TagIndexWriter;
import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.manifest.ManifestCommitter;
import dev.regolith.engine.manifest.ManifestLock;
import dev.regolith.engine.manifest.PendingManifestHook;
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
import dev.regolith.hooks.spi.FilesRemovedEvent;
import dev.regolith.hooks.spi.SstFilesWrittenEvent;
import dev.regolith.hooks.spi.WrittenSstFile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
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
    private final Object compactionGate = new Object();
    private final Object indexGate = new Object();

    private volatile RegionVersion version;
    private volatile long committedSequence;
    // Guarded by writeLock.
    private long lastSequence;
    private long lastEntryId;
    // Changed holding both the manifest lock and writeLock; read holding either.
    private long truncations;
    // Guarded by flushGate.
    private boolean flushing;
    private Thread flushingThread;
    // Imports (ingest, copy) in flight, and how many ever started: a compaction that drops deletes
    // must not run past an import, whose rows may be older than the deletes it drops.
    private final java.util.concurrent.atomic.AtomicInteger importsInFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicLong importsStarted = new AtomicLong();
    private volatile boolean closed;
    private volatile RegionRole role = RegionRole.LEADER;
    private final Object stagingGate = new Object();
    // Changed under the manifest lock; read under it (or racily, to refuse work while staging).
    private volatile ManifestCommitter staging;
    private final List<ManifestActionList> stagedActions = new ArrayList<>();
    private final Set<FileId> stagedFiles = new HashSet<>();
    // WAL entries of this region up to here belong to a discarded staging; 0 if none.
    private long discardedUpTo;

    /**
     * What a region needs from its engine, besides its own directory.
     *
     * @param memtableBytes past this size the memtable is frozen and a flush requested
     * @param sstOptions how SST files are written
     * @param manifestOptions how the manifest is kept
     * @param compactionOptions when and how to compact
     * @param flushRequests where to ask for a background flush of a region (must not block)
     * @param compactionRequests where to ask for a background compaction of a region (must not block)
     * @param indexRequests where to ask for a background index build of a region (must not block)
     */
    public record RegionSettings(long memtableBytes, SstWriteOptions sstOptions, ManifestOptions manifestOptions,
            CompactionOptions compactionOptions, Consumer<Region> flushRequests, Consumer<Region> compactionRequests,
            Consumer<Region> indexRequests) {
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

    /** Prefix of a dropped region's directory while it is being deleted. */
    public static final String DROPPED_PREFIX = ".dropped-";

    /**
     * Deletes a dropped region's directory: first renamed, atomically, out of the region namespace
     * (so a half-deleted directory can never be mistaken for a region), then removed.
     */
    public static void deleteDropped(FileIO io, Path directory) {
        Path tombstone = directory.resolveSibling(DROPPED_PREFIX + directory.getFileName() + "-" + java.util.UUID.randomUUID());
        try {
            io.rename(directory, tombstone);
        }
        catch (IOException e) {
            throw new RegionStorageException("Cannot move the dropped region directory " + directory + " aside: " + e, e);
        }
        deleteTree(io, tombstone);
    }

    /** Deletes a directory tree, deepest first; what cannot be deleted is logged and left. */
    public static void deleteTree(FileIO io, Path root) {
        try {
            if (!io.exists(root)) {
                return;
            }
            try (java.util.stream.Stream<Path> paths = java.nio.file.Files.walk(root)) {
                for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    io.deleteIfExists(path);
                }
            }
        }
        catch (IOException e) {
            log.warn("Could not delete {}; the engine retries at its next start", root, e);
        }
    }

    /** The name of a region's directory: {@code {table_id}_{region_number:010}}. */
    /** Where SST file {@code fileId} of region {@code id} is, in the engine's {@code dataDirectory}. */
    public static Path sstPath(Path dataDirectory, RegionId id, dev.regolith.engine.api.FileId fileId) {
        return dataDirectory.resolve(directoryName(id)).resolve(fileId + SST_SUFFIX);
    }

    public static String directoryName(RegionId id) {
        return id.toString();
    }

    /** Creates a new, empty region in {@code directory}. */
    public static Region create(RegionMetadata metadata, Path directory, FileIO io, Wal wal, RegionHooks hooks,
            WriteBuffer writeBuffer, RegionSettings settings) {
        // The region starts at the WAL's current position: entries of an earlier region with the same
        // id (dropped, with entries never flushed) must never replay into this one.
        long walPosition = wal.lastEntryId();
        ManifestCommitter committer = ManifestCommitter.create(io, directory.resolve("manifest"), ManifestActionList.of(
                new ManifestAction.Change(metadata), new ManifestAction.Edit(List.of(), List.of(), OptionalLong.of(walPosition),
                        OptionalLong.empty(), Optional.empty())), hooks, settings.manifestOptions());
        hooks.attach(metadata.regionId(), new HookCursorStore(io, metadata.regionId(), directory), committer);
        Region region = new Region(metadata.regionId(), directory, io, committer, wal, hooks, writeBuffer, settings);
        region.version = new RegionVersion(metadata, region.newMemtable(metadata), List.of(), List.of(),
                committer.current().manifestVersion());
        region.lastEntryId = walPosition;
        wal.obsolete(metadata.regionId(), walPosition);
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
        if (committer.isRemoved()) {
            deleteDropped(io, directory);
            throw new RegionNotFoundException(id, "it was dropped (its removal was committed); the deletion of "
                    + directory + " that a crash interrupted is finished now");
        }
        RegionManifest manifest = committer.current();
        // Before any new commit: versions a hook missed (a crash, a restart) are queued first, in order.
        hooks.attach(id, new HookCursorStore(io, id, directory), committer);
        Region region = new Region(id, directory, io, committer, wal, hooks, writeBuffer, settings);
        List<SstFile> files = region.checkFiles(manifest);
        Memtable memtable = region.newMemtable(manifest.metadata());
        region.version = new RegionVersion(manifest.metadata(), memtable, List.of(), files, manifest.manifestVersion());
        // Ingested and copied files carry sequences above the flushed one: never hand those out again.
        region.lastSequence = Math.max(manifest.flushedSequence(),
                manifest.files().values().stream().mapToLong(FileMeta::maxSequence).max().orElse(0));
        region.lastEntryId = manifest.flushedEntryId();
        long replayAfter = Math.max(manifest.flushedEntryId(), region.recoverStaging(manifest));
        // Entry ids must stay above what the manifest says is flushed, even if the WAL lost an
        // unsynced tail that had reached them; otherwise new entries would be skipped at replay.
        wal.obsolete(id, replayAfter);
        wal.replay(id, replayAfter, (entryId, schemaVersion, rows) -> {
            if (schemaVersion != manifest.metadata().schemaVersion()) {
                // Alter flushes before it commits, so no unflushed entry can have another schema.
                throw new CorruptedFileException(wal.directory().toString(), entryId, "WAL entry " + entryId + " of region " + id
                        + " was written with schema version " + schemaVersion + ", but the region is at version "
                        + manifest.metadata().schemaVersion() + " and has no flush covering it");
            }
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

    /**
     * Opens a region as a follower: reads its manifest and serves its files; writes nothing,
     * deletes nothing (not even orphans: they may be a leader's flush in flight) and replays no WAL.
     */
    public static Region openFollower(RegionId id, Path directory, FileIO io, Wal wal, RegionHooks hooks,
            WriteBuffer writeBuffer, RegionSettings settings) {
        ManifestCommitter committer = ManifestCommitter.open(io, directory.resolve("manifest"), id, hooks,
                settings.manifestOptions());
        RegionManifest manifest = committer.current();
        Region region = new Region(id, directory, io, committer, wal, hooks, writeBuffer, settings);
        region.role = RegionRole.FOLLOWER;
        region.version = new RegionVersion(manifest.metadata(), region.newMemtable(manifest.metadata()), List.of(),
                region.followedFiles(manifest, List.of()), manifest.manifestVersion());
        region.lastSequence = manifest.flushedSequence();
        region.committedSequence = manifest.flushedSequence();
        return region;
    }

    /** Follower catch-up: rereads the manifest and serves its files. Fires no hook. */
    public void sync() {
        checkOpen();
        if (role != RegionRole.FOLLOWER) {
            throw new IllegalStateException("Region " + id + " is a " + role + ": only a follower syncs from the manifest");
        }
        try (ManifestLock.Held held = committer.lock().acquire()) {
            checkOpen(); // a close that won the lock: commit nothing more
            RegionManifest manifest = committer.refresh();
            writeLock.lock();
            try {
                RegionVersion current = version;
                RegionMetadata metadata = manifest.metadata();
                Memtable mutable = metadata.equals(current.metadata()) ? current.mutable() : newMemtable(metadata);
                version = new RegionVersion(metadata, mutable, List.of(), followedFiles(manifest, current.files()),
                        manifest.manifestVersion());
                lastSequence = Math.max(lastSequence, manifest.flushedSequence());
                committedSequence = lastSequence;
            }
            finally {
                writeLock.unlock();
            }
        }
    }

    /**
     * The manifest's files, reusing the handles of files already served. Files the leader removed are
     * simply no longer served: deleting them is the leader's business.
     */
    private List<SstFile> followedFiles(RegionManifest manifest, List<SstFile> served) {
        Map<FileId, SstFile> known = new java.util.HashMap<>();
        served.forEach(file -> known.put(file.meta().fileId(), file));
        List<SstFile> files = new ArrayList<>();
        for (FileMeta meta : manifest.files().values()) {
            SstFile existing = known.get(meta.fileId());
            files.add(existing == null ? new SstFile(meta, sstPath(meta.fileId()), io, ignored -> { })
                    : existing.meta().equals(meta) ? existing : existing.withMeta(meta));
        }
        return files;
    }

    public RegionRole role() {
        return role;
    }

    /**
     * Changes between leader, downgrading leader and follower. A follower cannot become leader here:
     * the engine reopens it, so that the manifest is reread and the WAL replayed.
     */
    public void setRole(RegionRole next) {
        checkOpen();
        if (role == RegionRole.FOLLOWER && next != RegionRole.FOLLOWER) {
            throw new IllegalStateException("Region " + id + " is a follower: reopen it to lead");
        }
        writeLock.lock(); // no write commits once this returns: the group commit checks the role under it
        try {
            role = next;
        }
        finally {
            writeLock.unlock();
        }
    }

    private void checkRole(String operation, boolean downgradingMay) {
        RegionRole current = role;
        if (current == RegionRole.FOLLOWER || (current == RegionRole.DOWNGRADING_LEADER && !downgradingMay)) {
            throw new RegionReadOnlyException(id, current, operation);
        }
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
                if (meta.index().isPresent()) {
                    live.add(meta.fileId() + SstFile.INDEX_SUFFIX);
                }
                files.add(new SstFile(meta, path, io, this::deletedLater));
            }
            for (String name : io.list(directory)) {
                boolean ours = name.endsWith(SST_SUFFIX) || name.endsWith(SstFile.INDEX_SUFFIX);
                if (ours && !live.contains(name)) {
                    log.info("Deleting {} in region {}: no manifest version names it (a flush, compaction or index build "
                            + "that did not commit, or a removal that did not finish)", name, id);
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
        checkRole("writing", false);
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
        catch (RuntimeException e) {
            // Every write of the group, this one included, was completed with the failure.
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

    /**
     * Commits every queued write as one WAL entry. Returns whether the memtable is now over its
     * limit. Every queued write is completed, one way or the other, before this returns.
     */
    private boolean commitPending() {
        List<PendingWrite> group = new ArrayList<>();
        for (PendingWrite write = pending.poll(); write != null; write = pending.poll()) {
            group.add(write);
        }
        if (group.isEmpty()) {
            return false;
        }
        RegionVersion current = version;
        try {
            if (closed) {
                throw new IllegalStateException("Region " + id + " is closed");
            }
            if (role != RegionRole.LEADER) {
                throw new RegionReadOnlyException(id, role, "writing");
            }
            List<PendingWrite> accepted = new ArrayList<>();
            for (PendingWrite write : group) {
                if (write.batch.schemaVersion() != current.metadata().schemaVersion()) {
                    // Checked against a schema an alter replaced meanwhile: its layout no longer fits.
                    write.result.completeExceptionally(new WriteRejectedException("Write to region " + id
                            + " rejected: the schema changed (version " + write.batch.schemaVersion() + " to "
                            + current.metadata().schemaVersion() + ") while it waited; retry it"));
                }
                else {
                    accepted.add(write);
                }
            }
            if (accepted.isEmpty()) {
                return false;
            }
            List<InternalRow> rows = new ArrayList<>();
            long sequence = lastSequence;
            for (PendingWrite write : accepted) {
                List<InternalRow> batchRows = write.batch.toRows(sequence + 1);
                sequence += batchRows.size();
                write.lastSequence = sequence;
                rows.addAll(batchRows);
            }
            long entryId = wal.append(id, current.metadata().schemaVersion(), rows);
            lastSequence = sequence;
            lastEntryId = entryId;
            long before = current.mutable().bytes();
            current.mutable().insert(rows);
            writeBuffer.allocated(current.mutable().bytes() - before);
            committedSequence = sequence;
            accepted.forEach(write -> write.result.complete(write.lastSequence));
            return current.mutable().bytes() >= settings.memtableBytes();
        }
        catch (RuntimeException | Error e) {
            group.forEach(write -> write.result.completeExceptionally(e));
            throw e;
        }
    }

    /**
     * Flushes every memtable to SST files and waits until the result is committed. Concurrent calls
     * wait for each other.
     */
    public void flush() {
        checkOpen();
        checkRole("flushing", true);
        synchronized (flushGate) {
            if (flushingThread == Thread.currentThread()) {
                flushFrozen(freeze()); // a hook of this very flush flushes again: no need to wait for ourselves
                return;
            }
            while (flushing) {
                try {
                    flushGate.wait();
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegionStorageException("Interrupted while waiting for a flush of region " + id, e);
                }
            }
            checkOpen();
            flushing = true;
            flushingThread = Thread.currentThread();
        }
        try {
            flushFrozen(freeze());
        }
        finally {
            synchronized (flushGate) {
                flushing = false;
                flushingThread = null;
                flushGate.notifyAll();
            }
        }
    }

    /**
     * Freezes the mutable memtable; returns the WAL entry id and sequence everything frozen covers,
     * and the truncation count the frozen rows belong to.
     */
    private long[] freeze() {
        writeLock.lock();
        try {
            RegionVersion current = version;
            if (!current.mutable().isEmpty()) {
                version = current.freeze(newMemtable(current.metadata()));
            }
            return new long[] {lastEntryId, lastSequence, truncations};
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

        // Commit and swap the version under the manifest lock: a truncate (which takes the same lock)
        // then either comes wholly before (and this flush is discarded) or wholly after (and drops
        // the new file too). Hooks hear of the commit after the lock is released.
        PendingManifestHook receipt;
        boolean staged;
        try (ManifestLock.Held held = committer.lock().acquire()) {
            checkOpen(); // a close that won the lock: commit nothing more
            if (truncations != covered[2]) {
                deleteQuietly(path);
                log.info("Flush of region {} discarded: the region was truncated (or its staging discarded) while it ran", id);
                return;
            }
            ManifestCommitter target = staging != null ? staging : committer;
            staged = target != committer;
            ManifestActionList edit = ManifestActionList.of(new ManifestAction.Edit(List.of(written.meta()), List.of(),
                    OptionalLong.of(covered[0]), OptionalLong.of(covered[1]), Optional.empty()));
            try (ManifestLock.Held targetHeld = target.lock().acquire()) {
                receipt = target.commitLocked(edit);
            }
            catch (CommitStateUnknownException e) {
                throw e; // the file may be referenced: keep it
            }
            catch (RuntimeException e) {
                deleteQuietly(path);
                throw e;
            }
            if (staged) {
                stagedActions.add(edit);
                stagedFiles.add(written.meta().fileId());
            }
            writeLock.lock();
            try {
                SstFile file = new SstFile(written.meta(), path, io, staged ? ignored -> { } : this::deletedLater);
                this.version = this.version.afterFlush(frozen, List.of(file),
                        staged ? this.version.manifestVersion() : receipt.version());
            }
            finally {
                writeLock.unlock();
            }
        }
        // Free the write buffer before any hook runs: a slow hook must not keep writers stalled.
        long freed = 0;
        for (Memtable memtable : frozen) {
            freed += memtable.bytes();
        }
        writeBuffer.released(freed);
        wal.obsolete(id, covered[0]);
        receipt.fire(); // a staged commit's receipt notifies nobody: the staging manifest has no hooks
        long version = receipt.version();
        if (!staged && discardedUpTo > 0 && covered[0] >= discardedUpTo) {
            clearDiscardMarker();
        }
        log.debug("Flushed region {}: {} rows into {} ({} bytes), manifest version {}", id, written.meta().numRows(), path,
                written.meta().fileSize(), version);
        settings.indexRequests().accept(this);
        settings.compactionRequests().accept(this);
    }

    private void deleteQuietly(Path path) {
        try {
            io.deleteIfExists(path);
        }
        catch (IOException e) {
            log.warn("Could not delete {} after a failed flush of region {}; it is removed at the next open", path, id, e);
        }
    }

    /**
     * Drops every row: memtables and files. Commits {@code Truncate(all)} up to the last written
     * entry and sequence; a flush in flight is discarded rather than resurrecting old rows.
     */
    public void truncate() {
        checkOpen();
        checkRole("truncating", false);
        checkNotStaging("truncating");
        PendingManifestHook receipt;
        List<SstFile> dropped;
        long entryId;
        try (ManifestLock.Held held = committer.lock().acquire()) {
            checkOpen(); // a close that won the lock: commit nothing more
            writeLock.lock();
            try {
                entryId = lastEntryId;
                receipt = committer.commitLocked(ManifestActionList.of(new ManifestAction.TruncateAll(lastEntryId, lastSequence)));
                RegionVersion current = version;
                dropped = current.files();
                writeBuffer.released(current.memtableBytes());
                version = new RegionVersion(current.metadata(), newMemtable(current.metadata()), List.of(), List.of(),
                        receipt.version());
                truncations++;
            }
            finally {
                writeLock.unlock();
            }
        }
        receipt.fire();
        wal.obsolete(id, entryId);
        retire(dropped);
    }

    /**
     * Changes the schema or options as one new schema version. Flushes first, so that no memtable
     * row or WAL entry of the old schema outlives the change; writes that slip in meanwhile make
     * it flush again.
     */
    public void alter(AlterRequest request) {
        checkOpen();
        checkRole("altering", false);
        checkNotStaging("altering");
        for (int attempt = 1; ; attempt++) {
            flush();
            PendingManifestHook receipt = null;
            try (ManifestLock.Held held = committer.lock().acquire()) {
                checkOpen(); // a close that won the lock: commit nothing more
                writeLock.lock();
                try {
                    RegionVersion current = version;
                    if (current.mutable().isEmpty() && current.immutables().isEmpty()) {
                        RegionMetadata altered = request.applyTo(current.metadata());
                        Ttl.of(altered); // a bad ttl fails the alter, not every later compaction
                        receipt = committer.commitLocked(ManifestActionList.of(new ManifestAction.Change(altered)));
                        version = new RegionVersion(altered, newMemtable(altered), List.of(), current.files(), receipt.version());
                    }
                }
                finally {
                    writeLock.unlock();
                }
            }
            if (receipt != null) {
                receipt.fire();
                return;
            }
            if (attempt == 10) {
                throw new WriteRejectedException("Alter of region " + id + " gave up: writes kept arriving between its "
                        + "flush and its commit (10 attempts); retry when the region is quieter");
            }
        }
    }

    /**
     * Removes the files whose newest row is older than the region's {@code ttl} option allows at
     * {@code nowMillis}. Returns how many files it removed.
     */
    public int expire(long nowMillis) {
        checkOpen();
        checkRole("expiring files", false);
        RegionMetadata metadata = version.metadata();
        Optional<Duration> ttl = Ttl.of(metadata);
        if (ttl.isEmpty() || staging != null) {
            return 0;
        }
        long cutoff = Ttl.cutoff(metadata, nowMillis, ttl.get());
        PendingManifestHook receipt;
        List<SstFile> expired = new ArrayList<>();
        try (ManifestLock.Held held = committer.lock().acquire()) {
            checkOpen(); // a close that won the lock: commit nothing more
            for (SstFile file : version.files()) {
                if (file.meta().timeRange().end() < cutoff) {
                    expired.add(file);
                }
            }
            if (expired.isEmpty()) {
                return 0;
            }
            receipt = committer.commitLocked(ManifestActionList.of(ManifestAction.Edit.ofFiles(List.of(),
                    expired.stream().map(SstFile::meta).toList())));
            replaceFiles(expired, List.of(), receipt.version());
        }
        receipt.fire();
        retire(expired);
        return expired.size();
    }

    /**
     * Compacts the time window the picker chooses, if any: merges its files into level-1 files,
     * keeping the newest version of each row (and dropping deletes when no older file can hold a
     * row they hide), tells the hooks of the new files, and commits {@code Edit(add, remove)}. If
     * the inputs changed meanwhile (a truncate, a TTL expiry) the result is discarded. Inputs are
     * deleted once no scan reads them. Returns whether a compaction was committed.
     */
    public boolean compact() {
        checkOpen();
        checkRole("compacting", false);
        synchronized (compactionGate) {
            if (staging != null) {
                return false; // staged files are not in the live manifest: compact after the staging
            }
            RegionVersion current = version;
            Optional<CompactionTask> picked = new TimeWindowPicker(settings.compactionOptions()).pick(current.metadata(),
                    current.files().stream().map(SstFile::meta).toList(), committer.current().compactionTimeWindow());
            if (picked.isEmpty()) {
                return false;
            }
            CompactionTask task = picked.get();
            long importsAtPick = importsStarted.get();
            if (task.dropDeletes() && importsInFlight.get() > 0) {
                return false; // an import may add rows older than the deletes this would drop: later
            }
            Set<FileId> inputIds = new HashSet<>();
            task.inputs().forEach(meta -> inputIds.add(meta.fileId()));
            List<SstFile> inputs = current.files().stream().filter(file -> inputIds.contains(file.meta().fileId())).toList();
            List<SstFile> acquired = new ArrayList<>();
            List<SstReader> readers = new ArrayList<>();
            List<WrittenSstFile> outputs;
            try {
                for (SstFile input : inputs) {
                    if (!input.acquire()) {
                        return false; // removed meanwhile
                    }
                    acquired.add(input);
                    readers.add(SstReader.open(io, input.path()));
                }
                outputs = CompactionWriter.write(io, directory, current.metadata(), readers, task.dropDeletes(),
                        settings.sstOptions(), settings.compactionOptions().maxOutputFileBytes());
            }
            finally {
                readers.forEach(SstReader::close);
                acquired.forEach(SstFile::release);
            }
            if (!outputs.isEmpty()) {
                hooks.deliverSstFilesWritten(new SstFilesWrittenEvent(id, current.metadata(),
                        SstFilesWrittenEvent.Reason.COMPACTION, outputs));
            }
            PendingManifestHook receipt;
            List<SstFile> added = outputs.stream()
                    .map(output -> new SstFile(output.meta(), output.path(), io, this::deletedLater)).toList();
            try (ManifestLock.Held held = committer.lock().acquire()) {
                checkOpen(); // a close that won the lock: commit nothing more
                // Look the inputs up again: an index build may have replaced their handles meanwhile.
                List<SstFile> liveInputs = version.files().stream().filter(file -> inputIds.contains(file.meta().fileId())).toList();
                boolean importRaced = task.dropDeletes() && importsStarted.get() != importsAtPick;
                if (liveInputs.size() != inputIds.size() || importRaced || closed) {
                    outputs.forEach(output -> deleteQuietly(output.path()));
                    log.info("Compaction of region {} discarded: {}", id, closed ? "the region was closed"
                            : importRaced ? "an import ran meanwhile and its rows may be hidden by deletes it dropped"
                            : "its inputs changed while it ran");
                    return false;
                }
                try {
                    receipt = committer.commitLocked(ManifestActionList.of(new ManifestAction.Edit(
                            outputs.stream().map(WrittenSstFile::meta).toList(), liveInputs.stream().map(SstFile::meta).toList(),
                            OptionalLong.empty(), OptionalLong.empty(), task.chosenWindow())));
                }
                catch (CommitStateUnknownException e) {
                    throw e;
                }
                catch (RuntimeException e) {
                    outputs.forEach(output -> deleteQuietly(output.path()));
                    throw e;
                }
                replaceFiles(liveInputs, added, receipt.version());
                inputs = liveInputs;
            }
            receipt.fire();
            retire(inputs);
            settings.indexRequests().accept(this);
            log.debug("Compacted region {}: {} files into {}, manifest version {}", id, inputs.size(), outputs.size(),
                    receipt.version());
            return true;
        }
    }

    /**
     * Builds the tag index of every live SST that has none and publishes them in one {@code Edit}
     * that sets each file's index metadata. An index whose file was removed meanwhile is deleted,
     * not published. Returns how many indexes were published.
     */
    public int buildIndexes() {
        checkOpen();
        checkRole("building indexes", false);
        synchronized (indexGate) {
            if (staging != null) {
                return 0;
            }
            RegionVersion current = version;
            if (current.metadata().primaryKey().isEmpty()) {
                return 0;
            }
            Map<FileId, FileMeta> built = new LinkedHashMap<>();
            for (SstFile file : current.files()) {
                if (file.meta().index().isPresent() || !file.acquire()) {
                    continue;
                }
                try {
                    built.put(file.meta().fileId(), file.meta().withIndex(TagIndexWriter.build(io, file.path(), file.indexPath())));
                }
                finally {
                    file.release();
                }
            }
            if (built.isEmpty()) {
                return 0;
            }
            PendingManifestHook receipt;
            int count;
            try (ManifestLock.Held held = committer.lock().acquire()) {
                checkOpen(); // a close that won the lock: commit nothing more
                List<SstFile> replaced = new ArrayList<>();
                List<SstFile> published = new ArrayList<>();
                for (SstFile file : version.files()) {
                    FileMeta indexed = built.remove(file.meta().fileId());
                    if (indexed != null) {
                        replaced.add(file);
                        published.add(file.withMeta(indexed));
                    }
                }
                for (FileMeta orphan : built.values()) {
                    deleteQuietly(directory.resolve(orphan.fileId() + SstFile.INDEX_SUFFIX));
                }
                if (published.isEmpty()) {
                    return 0;
                }
                receipt = committer.commitLocked(ManifestActionList.of(ManifestAction.Edit.ofFiles(
                        published.stream().map(SstFile::meta).toList(), List.of())));
                replaceFiles(replaced, published, receipt.version());
                count = published.size();
            }
            receipt.fire();
            return count;
        }
    }

    /**
     * Bulk ingest (region edit): adds SST files written elsewhere. Each file is checked (readable
     * footer and pages, the region's exact schema, rows in storage order) and copied into the
     * region with every row at one new sequence, committed + 1, so it wins over everything written
     * before and loses to everything written after (files later in the list win over earlier ones).
     * One {@code Edit} adds them all; nothing is committed if any file is rejected.
     *
     * @throws IllegalArgumentException naming the file and what does not match
     */
    public List<FileMeta> ingest(List<Path> files) {
        checkOpen();
        checkRole("ingesting files", false);
        checkNotStaging("ingesting files");
        RegionMetadata metadata = version.metadata();
        List<SstReader> readers = new ArrayList<>();
        try {
            for (Path file : files) {
                SstReader reader = SstReader.open(io, file);
                readers.add(reader);
                checkSameSchema(metadata, reader.metadata(), "Cannot ingest " + file + " into region " + id);
            }
            List<Iterator<InternalRow>> sources = new ArrayList<>();
            for (int i = 0; i < readers.size(); i++) {
                sources.add(named(readers.get(i).read(null, null), files.get(i), new RowOrder(metadata)));
            }
            return importRows(metadata, sources, true, "ingest");
        }
        finally {
            readers.forEach(SstReader::close);
        }
    }

    /**
     * Calls {@code action} with the region's manifest while holding a reference on each live file
     * it lists, so that no compaction, TTL expiry or truncate deletes one of them while the action
     * reads it (they are deleted after, if they were replaced meanwhile). For a copy from this
     * region into another.
     */
    public <T> T withLiveFiles(java.util.function.Function<RegionManifest, T> action) {
        checkOpen();
        RegionManifest manifest;
        List<SstFile> held = new ArrayList<>();
        // Under the manifest lock the committed manifest and the region's files are the same set.
        try (ManifestLock.Held lock = committer.lock().acquire()) {
            manifest = committer.current();
            for (SstFile file : version.files()) {
                if (!file.acquire()) {
                    held.forEach(SstFile::release);
                    throw new IllegalStateException("Live file " + file.path() + " of region " + id + " is already retired");
                }
                held.add(file);
            }
        }
        try {
            return action.apply(manifest);
        }
        finally {
            held.forEach(SstFile::release);
        }
    }

    /**
     * Copy region: copies the rows of another region's live SST files (read from its manifest in
     * {@code sourceDirectory}) into this region, newest version of each row, at one new sequence,
     * committed with one {@code Edit}. The source must have this region's schema.
     */
    public List<FileMeta> copyFrom(RegionManifest source, Path sourceDirectory) {
        checkOpen();
        checkRole("copying another region", false);
        checkNotStaging("copying another region");
        RegionMetadata metadata = version.metadata();
        checkSameSchema(metadata, source.metadata(), "Cannot copy region " + source.regionId() + " into region " + id);
        List<SstReader> readers = new ArrayList<>();
        try {
            for (FileMeta file : source.files().values()) {
                readers.add(SstReader.open(io, sourceDirectory.resolve(file.fileId() + SST_SUFFIX)));
            }
            List<Iterator<InternalRow>> sources = readers.stream()
                    .map(reader -> SchemaMapping.toCurrent(reader.read(null, null), reader.metadata(), metadata)).toList();
            return importRows(metadata, sources, false, "copy");
        }
        finally {
            readers.forEach(SstReader::close);
        }
    }

    /** Rows of an ingested file whose problems (order, values) name that file. */
    private static Iterator<InternalRow> named(Iterator<InternalRow> rows, Path file, RowOrder order) {
        return new Iterator<>() {
            private InternalRow previous;
            private long index;

            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public InternalRow next() {
                InternalRow row = rows.next();
                index++;
                if (previous != null && order.compareKey(previous, row) > 0) {
                    throw new IllegalArgumentException("Cannot ingest " + file + ": row " + (index - 1) + " " + row
                            + " sorts before the row before it " + previous + "; rows must be in primary key and timestamp order");
                }
                previous = row;
                return row;
            }
        };
    }

    private static void checkSameSchema(RegionMetadata region, RegionMetadata other, String what) {
        List<String> problems = new ArrayList<>();
        if (region.columns().size() != other.columns().size()) {
            problems.add("it has columns " + other.columns().stream().map(c -> c.name()).toList() + ", the region "
                    + region.columns().stream().map(c -> c.name()).toList());
        }
        else {
            for (int i = 0; i < region.columns().size(); i++) {
                var expected = region.columns().get(i);
                var actual = other.columns().get(i);
                if (!expected.name().equals(actual.name()) || expected.dataType() != actual.dataType()
                        || expected.semanticType() != actual.semanticType() || expected.columnId() != actual.columnId()) {
                    problems.add("column " + i + " is " + actual.name() + " " + actual.dataType() + " " + actual.semanticType()
                            + " (id " + actual.columnId() + "), the region's is " + expected.name() + " " + expected.dataType()
                            + " " + expected.semanticType() + " (id " + expected.columnId() + ")");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(what + ": the schema does not match: " + String.join("; ", problems));
        }
    }

    /**
     * Writes rows into new level-0 SSTs of this region with fresh sequences and commits them. Each
     * source (one per ingested file, or all merged for a copy) gets one sequence.
     */
    private List<FileMeta> importRows(RegionMetadata metadata, List<Iterator<InternalRow>> sources, boolean sequencePerSource,
            String operation) {
        List<List<Iterator<InternalRow>>> groups = sequencePerSource
                ? sources.stream().map(List::of).toList()
                : List.of(sources);
        long firstSequence;
        writeLock.lock();
        try {
            firstSequence = lastSequence + 1;
            lastSequence += groups.size();
            importsInFlight.incrementAndGet();
            importsStarted.incrementAndGet();
        }
        finally {
            writeLock.unlock();
        }
        try {
            return importRows(metadata, groups, firstSequence, operation);
        }
        finally {
            importsInFlight.decrementAndGet();
        }
    }

    private List<FileMeta> importRows(RegionMetadata metadata, List<List<Iterator<InternalRow>>> groups, long firstSequence,
            String operation) {
        List<WrittenSstFile> written = new ArrayList<>();
        try {
            for (int g = 0; g < groups.size(); g++) {
                long sequence = firstSequence + g;
                NewestVersions rows = new NewestVersions(new RowOrder(metadata), groups.get(g));
                if (!rows.hasNext()) {
                    continue;
                }
                FileId fileId = FileId.random();
                try (SstWriter writer = new SstWriter(io, sstPath(fileId), metadata, settings.sstOptions())) {
                    while (rows.hasNext()) {
                        InternalRow row = rows.next();
                        writer.write(new InternalRow(row.values(), sequence, row.op()));
                    }
                    written.add(writer.finish(fileId, 0));
                }
            }
        }
        catch (RuntimeException e) {
            written.forEach(file -> deleteQuietly(file.path()));
            if (e instanceof IllegalArgumentException) {
                throw new IllegalArgumentException("Region " + id + " " + operation + " rejected: " + e.getMessage(), e);
            }
            throw e;
        }
        if (written.isEmpty()) {
            return List.of();
        }
        PendingManifestHook receipt;
        List<FileMeta> metas = written.stream().map(WrittenSstFile::meta).toList();
        try (ManifestLock.Held held = committer.lock().acquire()) {
            checkOpen(); // a close that won the lock: commit nothing more
            try {
                receipt = committer.commitLocked(ManifestActionList.of(ManifestAction.Edit.ofFiles(metas, List.of())));
            }
            catch (CommitStateUnknownException e) {
                throw e;
            }
            catch (RuntimeException e) {
                written.forEach(file -> deleteQuietly(file.path()));
                throw e;
            }
            replaceFiles(List.of(), written.stream().map(file -> new SstFile(file.meta(), file.path(), io, this::deletedLater))
                    .toList(), receipt.version());
            writeLock.lock();
            try {
                committedSequence = Math.max(committedSequence, firstSequence + groups.size() - 1);
            }
            finally {
                writeLock.unlock();
            }
        }
        receipt.fire();
        settings.indexRequests().accept(this);
        return metas;
    }

    /**
     * Enters staging: flushes, then records {@code PartitionExprChange(expr)} in a separate manifest
     * ({@code staging/manifest}) that readers of the live manifest never see and that notifies no
     * hook. Writes and flushes go on; flushes commit to the staging manifest until the staging is
     * applied (one merged live commit) or discarded (its rows and files dropped). A crash while
     * staging discards it.
     */
    public void enterStaging(Optional<String> partitionExpr) {
        checkOpen();
        checkRole("entering staging", false);
        synchronized (stagingGate) {
            if (staging != null) {
                throw new IllegalStateException("Region " + id + " is already staging");
            }
            flush();
            try (ManifestLock.Held held = committer.lock().acquire()) {
                checkOpen(); // a close that won the lock: commit nothing more
                long entered;
                writeLock.lock();
                try {
                    entered = lastEntryId;
                }
                finally {
                    writeLock.unlock();
                }
                Path manifestDirectory = stagingDirectory().resolve("manifest");
                deleteTree(manifestDirectory);
                RegionManifest live = committer.current();
                ManifestCommitter created = ManifestCommitter.create(io, manifestDirectory, ManifestActionList.of(
                        new ManifestAction.Change(live.metadata()), new ManifestAction.Edit(List.of(), List.of(),
                                OptionalLong.of(entered), OptionalLong.empty(), Optional.empty())),
                        RegionHooks.none(), settings.manifestOptions());
                ManifestActionList change = ManifestActionList.of(new ManifestAction.PartitionExprChange(partitionExpr));
                created.commit(change);
                stagedActions.clear();
                stagedActions.add(change);
                stagedFiles.clear();
                staging = created;
            }
        }
    }

    /**
     * Applies the staging: flushes what was written meanwhile (into the staging manifest), then
     * commits every staged action list to the live manifest under one hold of its lock and merges
     * their receipts, so hooks see one {@code onManifestUpdated} for the whole staging.
     */
    public void applyStaging() {
        checkOpen();
        synchronized (stagingGate) {
            if (staging == null) {
                throw new IllegalStateException("Region " + id + " is not staging");
            }
            flush();
            PendingManifestHook merged = committer.emptyReceipt();
            try (ManifestLock.Held held = committer.lock().acquire()) {
                checkOpen(); // a close that won the lock: commit nothing more
                try {
                    for (ManifestActionList actions : stagedActions) {
                        merged = merged.merge(committer.commitLocked(actions));
                    }
                }
                catch (RuntimeException e) {
                    merged.discard(); // what did commit stays committed; the staging stays for a retry
                    throw e;
                }
                writeLock.lock();
                try {
                    RegionVersion current = version;
                    version = new RegionVersion(current.metadata(), current.mutable(), current.immutables(), current.files(),
                            merged.version());
                }
                finally {
                    writeLock.unlock();
                }
                staging = null;
                stagedActions.clear();
                stagedFiles.clear();
            }
            merged.fire();
            deleteTree(stagingDirectory().resolve("manifest"));
        }
    }

    /**
     * Discards the staging: drops every row written and every file flushed since it was entered,
     * and its manifest. Nothing reaches the live manifest or the hooks. A durable marker keeps the
     * dropped WAL entries from replaying after a crash.
     */
    public void discardStaging() {
        checkOpen();
        synchronized (stagingGate) {
            if (staging == null) {
                throw new IllegalStateException("Region " + id + " is not staging");
            }
            List<SstFile> dropped;
            long upTo;
            try (ManifestLock.Held held = committer.lock().acquire()) {
                checkOpen(); // a close that won the lock: commit nothing more
                writeLock.lock();
                try {
                    upTo = lastEntryId;
                    writeDiscardMarker(upTo);
                    RegionVersion current = version;
                    dropped = current.files().stream().filter(file -> stagedFiles.contains(file.meta().fileId())).toList();
                    List<SstFile> kept = new ArrayList<>(current.files());
                    kept.removeAll(dropped);
                    writeBuffer.released(current.memtableBytes());
                    version = new RegionVersion(current.metadata(), newMemtable(current.metadata()), List.of(), kept,
                            committer.current().manifestVersion());
                    truncations++; // a flush in flight must not commit staged rows either
                }
                finally {
                    writeLock.unlock();
                }
                staging = null;
                stagedActions.clear();
                stagedFiles.clear();
            }
            dropped.forEach(SstFile::retire); // staged files were never announced: no onFilesRemoved
            deleteTree(stagingDirectory().resolve("manifest"));
            wal.obsolete(id, upTo);
        }
    }

    public boolean isStaging() {
        return staging != null;
    }

    private Path stagingDirectory() {
        return directory.resolve("staging");
    }

    private Path discardMarker() {
        return stagingDirectory().resolve("_discarded");
    }

    private void writeDiscardMarker(long entryId) {
        try {
            io.createDirectories(stagingDirectory());
            io.writeAtomically(discardMarker(), ("discarded-up-to " + entryId + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            discardedUpTo = entryId;
        }
        catch (IOException e) {
            throw new RegionStorageException("Cannot discard the staging of region " + id + ": writing " + discardMarker()
                    + " failed: " + e, e);
        }
    }

    /**
     * At open: a staging manifest left by a crash means the staging is discarded (its files are
     * swept as orphans, its WAL entries skipped); a discard marker says which entries to skip.
     * Returns the entry id replay must start after.
     */
    private long recoverStaging(RegionManifest manifest) {
        try {
            if (io.exists(stagingDirectory().resolve("manifest"))) {
                log.warn("Region {} was staging when it last stopped; the staging is discarded", id);
                writeDiscardMarker(Math.max(wal.lastEntryId(), manifest.flushedEntryId()));
                deleteTree(stagingDirectory().resolve("manifest"));
            }
            if (io.exists(discardMarker())) {
                String text = new String(io.readAllBytes(discardMarker()), java.nio.charset.StandardCharsets.UTF_8).trim();
                if (!text.startsWith("discarded-up-to ")) {
                    throw new CorruptedFileException(discardMarker().toString(), 0, "not a staging discard marker: '" + text + "'");
                }
                try {
                    discardedUpTo = Long.parseLong(text.substring("discarded-up-to ".length()));
                }
                catch (NumberFormatException e) {
                    throw new CorruptedFileException(discardMarker().toString(), 16, "bad entry id in '" + text + "'", e);
                }
                if (manifest.flushedEntryId() >= discardedUpTo) {
                    io.deleteIfExists(discardMarker());
                    discardedUpTo = 0;
                }
            }
            return discardedUpTo;
        }
        catch (IOException e) {
            throw new RegionStorageException("Cannot read the staging state of region " + id + ": " + e, e);
        }
    }

    private void deleteTree(Path root) {
        deleteTree(io, root);
    }

    private void clearDiscardMarker() {
        try {
            io.deleteIfExists(discardMarker());
            discardedUpTo = 0;
        }
        catch (IOException e) {
            log.warn("Could not delete {} of region {}; it is checked again at the next open", discardMarker(), id, e);
        }
    }

    private void checkNotStaging(String operation) {
        if (staging != null) {
            throw new IllegalStateException("Region " + id + " is staging: " + operation + " waits until the staging is "
                    + "applied or discarded");
        }
    }

    /**
     * Closes the region (waiting for whatever runs in it), then commits its removal; the caller
     * deletes its directory. Nothing can commit after the {@code Remove}.
     */
    public long commitRemoval() {
        checkOpen();
        checkRole("dropping", false);
        close();
        long entryId;
        writeLock.lock();
        try {
            entryId = lastEntryId;
        }
        finally {
            writeLock.unlock();
        }
        long removed = committer.commit(ManifestActionList.of(new ManifestAction.Remove(id)));
        wal.obsolete(id, entryId);
        return removed;
    }

    /** Swaps the version's files: {@code removed} out, {@code added} in. Requires the manifest lock. */
    void replaceFiles(List<SstFile> removed, List<SstFile> added, long manifestVersion) {
        writeLock.lock();
        try {
            version = version.replaceFiles(removed, added, manifestVersion);
        }
        finally {
            writeLock.unlock();
        }
    }

    /** Retires files the region stopped using, and tells the hooks of those deleted right away. */
    void retire(List<SstFile> files) {
        List<FileId> deleted = new ArrayList<>();
        for (SstFile file : files) {
            if (file.retire()) {
                deleted.add(file.meta().fileId());
            }
        }
        if (!deleted.isEmpty()) {
            hooks.deliverFilesRemoved(new FilesRemovedEvent(id, deleted));
        }
    }

    private void deletedLater(FileId fileId) {
        hooks.deliverFilesRemoved(new FilesRemovedEvent(id, List.of(fileId)));
    }

    /**
     * Reads the region as of now. Rows older than the region's {@code ttl} option allows are not
     * read, whether or not their file has expired yet: files expire whole, so without this a row
     * could come back when the file holding its delete expired before the file holding it.
     */
    public RegionScanner scan(ScanRequest request) {
        checkOpen();
        RegionVersion current = version;
        long visible = committedSequence;
        RegionMetadata metadata = current.metadata();
        RegionScan.ScanFilter.of(metadata, request); // validates the request before anything is opened
        request.projection().forEach(metadata::column);
        Optional<Duration> ttl = Ttl.of(metadata);
        if (ttl.isPresent()) {
            long cutoff = Ttl.cutoff(metadata, System.currentTimeMillis(), ttl.get());
            TimeRange wanted = request.timeRange().orElse(new TimeRange(Long.MIN_VALUE, Long.MAX_VALUE));
            if (wanted.end() < cutoff) {
                return new RegionScan(metadata, request, List.of(), List.of()); // all of it is older than the TTL
            }
            request = request.withTimeRange(new TimeRange(Math.max(wanted.start(), cutoff), wanted.end()));
        }

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
                IntPredicate indexed = indexFilter(file, request);
                if (indexed != null && !anyRowGroup(indexed, file.meta().numRowGroups())) {
                    continue; // the tag index says no row group holds the requested tags
                }
                SstReader reader = SstReader.open(io, file.path());
                resources.add(reader);
                sources.add(SstScanSupport.read(reader, metadata, request, indexed));
            }
            return new RegionScan(metadata, request, sources, resources); // reads the first row of every source
        }
        catch (RuntimeException e) {
            new RegionScan(metadata, request, List.of(), resources).close();
            throw e;
        }
    }

    /**
     * The row groups of {@code file} its tag index allows for the request's tag predicates, or null
     * when there is no predicate or no index. Tag names never change meaning across schema versions
     * (tags are neither added, dropped nor renamed), so the current names are the file's names. A
     * damaged index is reported and the scan falls back to the file's statistics.
     */
    private IntPredicate indexFilter(SstFile file, ScanRequest request) {
        if (request.tagEquals().isEmpty()) {
            return null;
        }
        try {
            return file.tagIndex().map(index -> index.rowGroupFilter(request.tagEquals())).orElse(null);
        }
        catch (CorruptedFileException | RegionStorageException e) {
            log.warn("Tag index of {} in region {} is unusable; this scan prunes with statistics only", file.path(), id, e);
            return null;
        }
    }

    private static boolean anyRowGroup(IntPredicate rowGroups, long count) {
        for (int group = 0; group < count; group++) {
            if (rowGroups.test(group)) {
                return true;
            }
        }
        return false;
    }

    private static boolean overlaps(Optional<TimeRange> range, ScanRequest request) {
        return range.isPresent() && request.timeRange().map(wanted -> wanted.overlaps(range.get())).orElse(true);
    }

    /**
     * Stops taking requests: queued writes fail, and a flush, compaction, index build or staging
     * operation already running is waited for (unless this thread is running it, from a hook).
     * Unflushed data stays in the WAL and replays at the next open.
     */
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        }
        finally {
            writeLock.unlock();
        }
        synchronized (flushGate) {
            while (flushing && flushingThread != Thread.currentThread()) {
                try {
                    flushGate.wait();
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        synchronized (compactionGate) {
            synchronized (indexGate) {
                synchronized (stagingGate) {
                    try (ManifestLock.Held held = committer.lock().acquire()) {
                        writeBuffer.released(version.memtableBytes()); // after any commit in progress
                    }
                }
            }
        }
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
