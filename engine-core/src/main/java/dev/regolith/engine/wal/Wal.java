package dev.regolith.engine.wal;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.io.SyncableOutput;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.wal.WalSegmentIndex.ReadTarget;
import dev.regolith.engine.wal.WalSegmentIndex.Segment;
import dev.regolith.engine.wal.WalSegmentReader.RecordVisitor;
import dev.regolith.engine.wal.proto.WalEntryProto;
import dev.regolith.engine.wal.proto.WalRowProto;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead log all regions of an engine share: every append is one entry of rows for one
 * region, tagged with the region's id and a global entry id. Entry ids are strictly increasing
 * across regions, segments and reopens (not necessarily consecutive); a region's manifest records
 * the entry id up to which its rows are in SSTs, and {@link #replay} brings back the rest.
 *
 * <p>The log is a directory of segment files ({@link WalSegmentFormat}): each record is framed by
 * its length and CRC32C, and every record read back is checked.
 *
 * <p><b>Durability.</b> {@link #append} returns once its entry is as durable as
 * {@link WalOptions#syncMode()} promises; with {@link WalOptions.SyncMode#EVERY_BATCH} (the
 * default) it survives a crash of the machine. Concurrent appends are committed as a group: one
 * write and one fsync for all of them. An append that throws may or may not be replayed after the
 * WAL is reopened; one that returned is replayed, in entry-id order, until its region reports it
 * flushed through {@link #obsolete}.
 *
 * <p><b>Crash recovery.</b> {@link #open} reads every segment. A write cut short by a crash can
 * only have torn the end of the newest segment (older ones were synced before the next was
 * started); that tail is cut off with a warning. Damage anywhere else fails the open with a
 * {@link CorruptedFileException} naming the segment and offset: nothing is skipped silently.
 * Writes after an open always go to a new segment.
 *
 * <p><b>Failure.</b> When a write or fsync fails, the appends it carried fail with a
 * {@link RegionStorageException} naming the segment and the WAL rejects every later append until it
 * is reopened, so no entry can be acknowledged after one that was lost.
 *
 * <p><b>Threading.</b> Thread-safe. Appends are written by a single writer thread; appenders wait
 * for it without responding to interrupts (the write cannot be called back). An instance must be
 * the only one using its directory.
 */
public final class Wal implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(Wal.class);

    /** Receives the entries {@link #replay} reads back, one call per entry in entry-id order. */
    @FunctionalInterface
    public interface EntryConsumer {
        /**
         * @param rows the entry's rows, as appended (unmodifiable)
         */
        void accept(long entryId, long schemaVersion, List<InternalRow> rows);
    }

    private final FileIO io;
    private final Path directory;
    private final WalSegmentIndex index;
    private final WalWriter writer;
    private final List<String> recoveryWarnings;
    // Replays hold it shared while they read segments; obsolete() holds it exclusively to delete them.
    private final ReentrantReadWriteLock deletionLock = new ReentrantReadWriteLock();

    private Wal(FileIO io, Path directory, WalSegmentIndex index, WalWriter writer, List<String> recoveryWarnings) {
        this.io = io;
        this.directory = directory;
        this.index = index;
        this.writer = writer;
        this.recoveryWarnings = List.copyOf(recoveryWarnings);
    }

    /**
     * Opens the WAL in {@code directory}, creating the directory if it is missing: reads and checks
     * every segment, cuts off a torn tail of the newest one (logging a warning that names the
     * segment and offset) and starts a new segment for the appends to come.
     *
     * @throws CorruptedFileException if a segment is damaged other than by a torn tail, or a file
     *     named like a segment is not one
     * @throws RegionStorageException if reading or writing the directory fails
     */
    public static Wal open(FileIO io, Path directory, WalOptions options) {
        requireNonNull(io, "io is null");
        requireNonNull(directory, "directory is null");
        requireNonNull(options, "options is null");
        try {
            return recover(io, directory, options);
        }
        catch (IOException e) {
            throw new RegionStorageException("Failed to open the WAL in " + directory + ": " + e, e);
        }
    }

    /**
     * Appends {@code rows} of {@code region}, written with schema version {@code schemaVersion}, as
     * one entry, and returns its entry id once it is durable per the sync mode.
     *
     * @throws IllegalArgumentException if a value is not of a type {@link InternalRow} allows, or a
     *     string is not valid UTF-16; nothing is written
     * @throws RegionStorageException naming the segment if the entry could not be written or synced,
     *     or an earlier append failed so; the WAL must be reopened
     * @throws IllegalStateException if the WAL is closed
     */
    public long append(RegionId region, long schemaVersion, List<InternalRow> rows) {
        requireNonNull(region, "region is null");
        requireNonNull(rows, "rows is null");
        if (schemaVersion < 0) {
            throw new IllegalArgumentException("Invalid schema version for a WAL append to region " + region + ": "
                    + schemaVersion);
        }
        List<WalRowProto> encoded = WalEntryCodec.encodeRows(rows);
        long size = 0;
        for (WalRowProto row : encoded) {
            size += row.getSerializedSize() + 16L;
        }
        if (size > WalSegmentFormat.MAX_PAYLOAD - 64) {
            throw new IllegalArgumentException("WAL append to region " + region + " of " + rows.size() + " rows is too large: "
                    + "about " + size + " bytes, the maximum entry is " + WalSegmentFormat.MAX_PAYLOAD + " bytes");
        }
        PendingAppend append = writer.submit(region, schemaVersion, encoded);
        append.await();
        return append.entryId();
    }

    /**
     * Reads back, in entry-id order, every entry of {@code region} with an id above
     * {@code afterEntryId} that the WAL still holds, checking each record's checksum. Entries
     * appended while the replay runs may or may not be included. {@code consumer} must not call
     * {@link #obsolete}.
     *
     * @throws CorruptedFileException if a segment read back is damaged
     * @throws RegionStorageException if reading fails
     */
    public void replay(RegionId region, long afterEntryId, EntryConsumer consumer) {
        requireNonNull(region, "region is null");
        requireNonNull(consumer, "consumer is null");
        ensureOpen();
        deletionLock.readLock().lock();
        Path segment = null;
        try {
            for (ReadTarget target : index.segmentsWith(region, afterEntryId)) {
                segment = target.file();
                String name = segment.toString();
                WalSegmentReader.read(io, segment, target.endOffset(), false, (offset, payload) -> {
                    WalEntryCodec.EntryKey key;
                    try {
                        key = WalEntryCodec.peekKey(payload);
                    }
                    catch (InvalidProtocolBufferException e) {
                        throw undecodable(name, offset, e);
                    }
                    if (key.regionId() == region.id() && key.entryId() > afterEntryId) {
                        Decoded entry = decode(name, offset, payload);
                        consumer.accept(entry.proto().getEntryId(), entry.proto().getSchemaVersion(),
                                Collections.unmodifiableList(entry.rows()));
                    }
                });
            }
        }
        catch (IOException e) {
            throw new RegionStorageException("Failed to replay region " + region + " from WAL segment " + segment + ": " + e, e);
        }
        finally {
            deletionLock.readLock().unlock();
        }
    }

    /**
     * Records that {@code region}'s entries up to {@code flushedEntryId} are in SSTs, and deletes
     * every segment, other than the one being written, whose entries all belong to regions that
     * have flushed past them (a region that never reported keeps its segments). Reports only ever
     * raise a region's mark; they are kept in memory, so after a reopen each region reports again,
     * before or after its replay.
     *
     * <p>Also makes every later entry id larger than {@code flushedEntryId}: should a crash lose
     * the unsynced tail of the log (sync modes other than EVERY_BATCH), ids that a region already
     * counts as flushed are not handed out again, where its replay would skip them.
     *
     * @throws RegionStorageException naming the segment if deleting fails; what was not deleted is
     *     tried again by the next call
     * @throws IllegalStateException if called from a replay consumer, or the WAL is closed
     */
    public void obsolete(RegionId region, long flushedEntryId) {
        requireNonNull(region, "region is null");
        if (flushedEntryId < 0) {
            throw new IllegalArgumentException("Invalid flushed entry id for region " + region + ": " + flushedEntryId);
        }
        ensureOpen();
        if (deletionLock.getReadHoldCount() > 0) {
            throw new IllegalStateException("Wal.obsolete() cannot be called from a replay consumer");
        }
        long lastEntryId = writer.lastEntryId();
        if (flushedEntryId > lastEntryId) {
            log.warn("Region {} has flushed WAL entries up to {}, beyond the last entry id {} of the WAL in {}: the WAL lost "
                    + "unsynced entries; new entries get ids above {}", region, flushedEntryId, lastEntryId, directory,
                    flushedEntryId);
            writer.raiseLastEntryId(flushedEntryId);
        }
        index.markFlushed(region, flushedEntryId);
        deletionLock.writeLock().lock();
        try {
            List<Segment> obsolete = index.obsoleteSegments();
            if (obsolete.isEmpty()) {
                return;
            }
            for (Segment segment : obsolete) {
                delete(segment.file);
                index.remove(segment);
            }
            syncDirectory();
            log.debug("Deleted obsolete WAL segments {}", obsolete);
        }
        finally {
            deletionLock.writeLock().unlock();
        }
    }

    /**
     * The largest entry id handed out, found in the log at open, or reported flushed: every later
     * append gets a larger one. 0 for a new, empty log.
     */
    /**
     * The regions that have entries in the WAL's segments. An engine tells the WAL that regions
     * which no longer exist are flushed, so that their entries stop pinning segments.
     */
    public java.util.Set<RegionId> regions() {
        return index.regions();
    }

    public long lastEntryId() {
        return writer.lastEntryId();
    }

    public Path directory() {
        return directory;
    }

    /**
     * Writes what is queued, syncs the segment being written and closes it. Idempotent.
     *
     * @throws RegionStorageException if the final sync fails: appends acknowledged since the last
     *     sync (sync modes other than EVERY_BATCH) may be lost
     */
    @Override
    public void close() {
        writer.close();
    }

    /** The warnings {@link #open} logged about torn segments it repaired. */
    List<String> recoveryWarnings() {
        return recoveryWarnings;
    }

    /** Appends waiting for the writer thread. */
    int queuedAppends() {
        return writer.queuedAppends();
    }

    /** The segment files, oldest first. */
    List<Path> segmentFiles() {
        return index.files();
    }

    private void ensureOpen() {
        if (writer.isClosed()) {
            throw new IllegalStateException("The WAL in " + directory + " is closed");
        }
    }

    private void delete(Path segment) {
        try {
            io.deleteIfExists(segment);
        }
        catch (IOException e) {
            throw new RegionStorageException("Failed to delete obsolete WAL segment " + segment + ": " + e, e);
        }
    }

    private void syncDirectory() {
        try {
            io.syncDirectory(directory);
        }
        catch (IOException e) {
            throw new RegionStorageException("Failed to sync the WAL directory " + directory + " after deleting obsolete "
                    + "segments: " + e, e);
        }
    }

    private static Wal recover(FileIO io, Path directory, WalOptions options) throws IOException {
        io.createDirectories(directory);
        List<Long> segmentIds = new ArrayList<>();
        for (String name : io.list(directory)) {
            long firstEntryId = WalSegmentFormat.firstEntryId(name);
            if (firstEntryId > 0) {
                segmentIds.add(firstEntryId);
            }
            else if (name.endsWith(WalSegmentFormat.SUFFIX)) {
                throw new CorruptedFileException(directory.resolve(name).toString(), 0, "not a WAL segment name: expected "
                        + "{first_entry_id:020}.wal with a first entry id of at least 1");
            }
            else {
                log.warn("Ignoring {} in the WAL directory {}: not a WAL segment", name, directory);
            }
        }
        segmentIds.sort(null);

        WalSegmentIndex index = new WalSegmentIndex();
        List<String> warnings = new ArrayList<>();
        List<Path> withoutEntries = new ArrayList<>();
        // The largest id any segment holds or is named after: a segment's name counts as handed
        // out, so ids stay increasing even when every entry has been deleted as obsolete.
        long lastEntryId = 0;
        long lastWrittenEntryId = 0;
        for (int i = 0; i < segmentIds.size(); i++) {
            long firstEntryId = segmentIds.get(i);
            Path file = directory.resolve(WalSegmentFormat.fileName(firstEntryId));
            boolean newest = i == segmentIds.size() - 1;
            if (firstEntryId <= lastWrittenEntryId) {
                throw new CorruptedFileException(file.toString(), 0, "the segment's name says it starts at entry id "
                        + firstEntryId + ", but an older segment holds entry id " + lastWrittenEntryId);
            }
            Segment segment = new Segment(firstEntryId, file, 0);
            EntryChecker checker = new EntryChecker(file.toString(), segment, lastWrittenEntryId);
            WalSegmentReader.End end = WalSegmentReader.read(io, file, -1, newest, checker);
            lastEntryId = Math.max(lastEntryId, Math.max(firstEntryId, segment.lastEntryId()));
            if (end.tornHeader()) {
                warn(warnings, "WAL segment " + file + " has a torn header at offset 0 (" + end.tornProblem()
                        + "), left by a crash while it was started; deleting it");
                io.deleteIfExists(file);
                io.syncDirectory(directory);
                continue;
            }
            if (end.isTorn()) {
                warn(warnings, "WAL segment " + file + " has a torn tail at offset " + end.validEnd() + " ("
                        + end.tornProblem() + "), left by a write a crash cut short; truncating it to " + end.validEnd()
                        + " bytes");
                io.truncate(file, end.validEnd());
            }
            segment.setEndOffset(end.validEnd());
            lastWrittenEntryId = Math.max(lastWrittenEntryId, segment.lastEntryId());
            if (segment.isEmpty()) {
                withoutEntries.add(file);
            }
            else {
                index.add(segment);
            }
        }

        Path current = directory.resolve(WalSegmentFormat.fileName(lastEntryId + 1));
        SyncableOutput output = WalWriter.createSegment(io, directory, current);
        try {
            index.add(new Segment(lastEntryId + 1, current, output.position()));
            // Only now: until the new segment was durable, their names carried the last entry id.
            for (Path file : withoutEntries) {
                io.deleteIfExists(file);
            }
            if (!withoutEntries.isEmpty()) {
                io.syncDirectory(directory);
            }
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
        WalWriter writer = new WalWriter(io, directory, options, index, current, output, lastEntryId);
        writer.start();
        log.debug("Opened the WAL in {}: segments {}, last entry id {}", directory, index.files(), lastEntryId);
        return new Wal(io, directory, index, writer, warnings);
    }

    private static void warn(List<String> warnings, String message) {
        log.warn(message);
        warnings.add(message);
    }

    private record Decoded(WalEntryProto proto, List<InternalRow> rows) {
    }

    private static Decoded decode(String file, long offset, byte[] payload) {
        try {
            WalEntryProto proto = WalEntryProto.parseFrom(payload);
            return new Decoded(proto, WalEntryCodec.decodeRows(proto.getRowsList()));
        }
        catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            throw undecodable(file, offset, e);
        }
    }

    private static CorruptedFileException undecodable(String file, long offset, Exception e) {
        return new CorruptedFileException(file, offset, "undecodable WAL entry: " + e.getMessage(), e);
    }

    /** Checks, at open, that every record decodes and that entry ids increase, and indexes them. */
    private static final class EntryChecker implements RecordVisitor {

        private final String file;
        private final Segment segment;
        private long previousEntryId;

        EntryChecker(String file, Segment segment, long previousEntryId) {
            this.file = file;
            this.segment = segment;
            this.previousEntryId = previousEntryId;
        }

        @Override
        public void record(long offset, byte[] payload) {
            WalEntryProto entry = decode(file, offset, payload).proto();
            long entryId = entry.getEntryId();
            if (entryId < segment.firstEntryId) {
                throw new CorruptedFileException(file, offset, "entry id " + entryId + " is below " + segment.firstEntryId
                        + ", the first entry id in the segment's name");
            }
            if (entryId <= previousEntryId) {
                throw new CorruptedFileException(file, offset, "entry id " + entryId + " does not follow entry id "
                        + previousEntryId + " written before it");
            }
            previousEntryId = entryId;
            segment.add(new RegionId(entry.getRegionId()), entryId);
        }
    }
}
