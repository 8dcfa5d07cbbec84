package dev.regolith.hooks.spi;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.RegionId;
import java.util.List;

/**
 * SST files (with their index files) were physically deleted: the argument of
 * {@link RegionHook#onFilesRemoved}. A file is deleted once a committed change removed it from the
 * region (compaction, TTL, truncate) and the last scan reading it was closed, so this may come
 * well after the {@link RegionHook#onManifestUpdated} that removed it, and a file removed by one
 * commit may be reported across several events.
 *
 * @param regionId the region
 * @param fileIds the deleted files
 */
public record FilesRemovedEvent(RegionId regionId, List<FileId> fileIds) {

    public FilesRemovedEvent {
        requireNonNull(regionId, "regionId is null");
        fileIds = List.copyOf(requireNonNull(fileIds, "fileIds is null"));
    }
}
