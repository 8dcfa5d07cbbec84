package dev.regolith.hooks.spi;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import java.util.List;

/**
 * SST files were written and are about to be committed: the argument of
 * {@link RegionHook#onSstFilesWritten}.
 *
 * @param regionId the region the files belong to
 * @param metadata the schema the files were written with
 * @param reason why the files were written
 * @param files the files, each with what the writer knows about it
 */
public record SstFilesWrittenEvent(RegionId regionId, RegionMetadata metadata, Reason reason, List<WrittenSstFile> files) {

    public SstFilesWrittenEvent {
        requireNonNull(regionId, "regionId is null");
        requireNonNull(metadata, "metadata is null");
        requireNonNull(reason, "reason is null");
        files = List.copyOf(requireNonNull(files, "files is null"));
        if (!metadata.regionId().equals(regionId)) {
            throw new IllegalArgumentException("Metadata of region " + metadata.regionId() + " given for region " + regionId);
        }
    }

    /** Why SST files were written. */
    public enum Reason {
        /** A memtable was flushed (level 0 files). */
        FLUSH,
        /** Files were compacted (level 1 files). */
        COMPACTION
    }
}
