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

    /** Reads the region as of now. Close the scanner. */
    RegionScanner scan(RegionId regionId, ScanRequest request);

    /** The region's current manifest state: schema, live SST files, flushed position. */
    RegionManifest manifest(RegionId regionId);

    /** Closes every region and the WAL. */
    @Override
    void close();
}
