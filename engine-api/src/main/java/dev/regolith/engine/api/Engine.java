package dev.regolith.engine.api;

import java.util.List;

/**
 * A storage engine: a set of regions in one data directory sharing one write-ahead log.
 *
 * <p>Thread-safe. Every method that names a region throws
 * {@link dev.regolith.engine.api.exceptions.RegionNotFoundException} if the region is not open
 * (or, for {@link #openRegion}, does not exist).
 */
public interface Engine extends AutoCloseable {

    /**
     * Creates and opens a region, in directory {@code {table_id}_{region_number:010}} of the data
     * directory.
     *
     * @throws IllegalStateException if the region already exists
     */
    void createRegion(RegionMetadata metadata);

    /** Opens an existing region: reads its manifest and replays its WAL entries that are not in SSTs yet. */
    void openRegion(RegionId regionId);

    /**
     * Opens an existing region in {@code role}. {@link #openRegion(RegionId)} opens as
     * {@link RegionRole#LEADER}. A follower reads the region's manifest and files (written by a
     * leader elsewhere on shared storage) and replays no WAL.
     */
    void openRegion(RegionId regionId, RegionRole role);

    /**
     * Changes an open region's role. Leader to downgrading leader to follower just changes what it
     * accepts; follower to leader reopens the region as leader (manifest reread, WAL replayed).
     */
    void setRole(RegionId regionId, RegionRole role);

    /** The open region's role. */
    RegionRole role(RegionId regionId);

    /**
     * Follower catch-up: rereads the region's manifest and serves its current files. Fires no hook.
     *
     * @throws IllegalStateException if the region is not a follower
     */
    void syncRegion(RegionId regionId);

    /** Closes a region: flushes nothing, loses nothing (its WAL entries replay at the next open). */
    void closeRegion(RegionId regionId);

    /** The open regions, in id order. */
    List<RegionId> openRegions();

    /** The regions that exist in the data directory, open or not, in id order. */
    List<RegionId> listRegions();

    /**
     * Writes a batch; returns once it is durable as the WAL sync setting says.
     *
     * @return the sequence number of the batch's last row
     * @throws IllegalArgumentException if the batch does not fit the region's schema; nothing of it
     *     is written
     */
    long write(RegionId regionId, WriteBatch batch);

    /** Flushes the region's memtables to SST files and waits until that is committed. */
    void flush(RegionId regionId);

    /**
     * Reads the region as of now. Close the scanner. Rows older than the region's {@code ttl}
     * option allows are never returned, even before {@link #compact} removes their files.
     */
    RegionScanner scan(RegionId regionId, ScanRequest request);

    /**
     * Removes files whose data is older than the region's {@code ttl} option, then compacts the
     * region's fullest time window if it has enough files, and waits until both are committed.
     */
    void compact(RegionId regionId);

    /**
     * Builds the tag index (tag value to row groups) of every SST of the region that has none and
     * publishes them in one manifest commit; scans with tag predicates then skip row groups and
     * files the index rules out. Runs in the background after flushes and compactions too.
     */
    void buildIndexes(RegionId regionId);

    /**
     * Changes the region's schema or options as one new schema version. Flushes first, so every
     * row in memtables and the WAL was written with the schema the change starts from.
     */
    void alter(RegionId regionId, AlterRequest request);

    /**
     * Bulk ingest (region edit): adds Parquet SST files written elsewhere (with this region's
     * schema, rows in primary key and timestamp order) to the region. Each file's rows get one new
     * sequence, so a later file wins over an earlier one and over everything written before.
     *
     * @return the files added, as the manifest records them
     * @throws IllegalArgumentException naming the file and what does not match; nothing is added
     */
    List<FileMeta> ingest(RegionId regionId, List<java.nio.file.Path> files);

    /**
     * Copies the rows in another region's SST files (it must have the same schema; it may be
     * open or not) into this region, at one new sequence.
     *
     * @return the files added to {@code target}
     */
    List<FileMeta> copyRegion(RegionId source, RegionId target);

    /**
     * Enters staging (for repartitioning): flushes, then records the new partition expression in a
     * separate staging manifest that readers of the live manifest and hooks do not see. Writes and
     * flushes go on; this engine's scans see them, the live manifest does not, until
     * {@link #applyStaging} commits everything staged as one change (one hook notification) or
     * {@link #discardStaging} drops it. A restart while staging discards the staging.
     */
    void enterStaging(RegionId regionId, java.util.Optional<String> partitionExpr);

    /** Commits everything staged to the live manifest as one change. */
    void applyStaging(RegionId regionId);

    /** Drops every row written and every file flushed since the staging was entered. */
    void discardStaging(RegionId regionId);

    /** Drops every row of the region: its memtables and all its files. The schema stays. */
    void truncate(RegionId regionId);

    /** Drops the region: commits its removal, closes it and deletes its directory. */
    void dropRegion(RegionId regionId);

    /** The region's current manifest state: schema, live SST files, flushed position. */
    RegionManifest manifest(RegionId regionId);

    /**
     * Waits until every hook has been delivered every event committed before this call (the
     * drain barrier), for at most {@code timeout}.
     *
     * @return true if all hooks caught up; false if the timeout passed first or a hook is
     *     quarantined (see {@link #hookMetrics()})
     */
    boolean drainHooks(java.time.Duration timeout);

    /** A snapshot of each installed hook's delivery metrics, in delivery order; empty without hooks. */
    List<HookMetrics> hookMetrics();

    /**
     * Lifts the quarantine of the hook named {@code hookName}: delivery resumes with the event
     * that failed. Does nothing if the hook is not quarantined.
     *
     * @throws IllegalArgumentException if no hook has that name
     */
    void reenableHook(String hookName);

    /**
     * Closes every region and the WAL, then gives the hooks up to {@code delivery.close.timeout.ms}
     * to catch up, persists their cursors and closes them. What a hook was not delivered is
     * delivered again when its region is next opened.
     */
    @Override
    void close();
}
