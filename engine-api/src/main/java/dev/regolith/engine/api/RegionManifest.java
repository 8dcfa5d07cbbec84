package dev.regolith.engine.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A region's manifest state at one version: what replaying every committed action list up to
 * {@link #manifestVersion()} produces.
 *
 * @param metadata the region's current schema and options
 * @param files the live SST files, by id
 * @param flushedEntryId WAL entries up to this id are in SSTs (or truncated)
 * @param flushedSequence rows up to this sequence are in SSTs (or truncated)
 * @param truncatedEntryId the WAL entry id of the last whole-region truncate, if any
 * @param compactionTimeWindow the time window compaction settled on, if any
 * @param partitionExpr the region's partition expression, if any
 * @param manifestVersion the version this state is at
 */
public record RegionManifest(
        RegionMetadata metadata,
        Map<FileId, FileMeta> files,
        long flushedEntryId,
        long flushedSequence,
        OptionalLong truncatedEntryId,
        Optional<Duration> compactionTimeWindow,
        Optional<String> partitionExpr,
        long manifestVersion) {

    public RegionManifest {
        requireNonNull(metadata, "metadata is null");
        files = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(files, "files is null")));
        requireNonNull(truncatedEntryId, "truncatedEntryId is null");
        requireNonNull(compactionTimeWindow, "compactionTimeWindow is null");
        requireNonNull(partitionExpr, "partitionExpr is null");
        if (manifestVersion < 0) {
            throw new IllegalArgumentException("Invalid manifest version for region " + metadata.regionId() + ": "
                    + manifestVersion);
        }
        for (Map.Entry<FileId, FileMeta> entry : files.entrySet()) {
            if (!entry.getKey().equals(entry.getValue().fileId())) {
                throw new IllegalArgumentException("Invalid manifest for region " + metadata.regionId() + ": file "
                        + entry.getValue().fileId() + " is listed under id " + entry.getKey());
            }
        }
    }

    /** The region this manifest describes. */
    public RegionId regionId() {
        return metadata.regionId();
    }
}
