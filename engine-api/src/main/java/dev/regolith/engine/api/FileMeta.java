package dev.regolith.engine.api;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What the manifest records of one SST file.
 *
 * @param regionId the region the file belongs to
 * @param fileId the file's id
 * @param timeRange the smallest and largest time index values in the file
 * @param level 0 for files written by a flush, 1 for compaction output
 * @param fileSize the file's size in bytes
 * @param numRows the number of rows, deletes included
 * @param numRowGroups the number of Parquet row groups
 * @param maxSequence the largest sequence number of any row in the file
 * @param index the published secondary index, if any
 */
public record FileMeta(
        RegionId regionId,
        FileId fileId,
        TimeRange timeRange,
        int level,
        long fileSize,
        long numRows,
        long numRowGroups,
        long maxSequence,
        Optional<FileIndex> index) {

    public FileMeta {
        requireNonNull(regionId, "regionId is null");
        requireNonNull(fileId, "fileId is null");
        requireNonNull(timeRange, "timeRange is null");
        requireNonNull(index, "index is null");
        check(level >= 0, fileId, "level", level);
        check(fileSize >= 0, fileId, "file size", fileSize);
        check(numRows >= 0, fileId, "row count", numRows);
        check(numRowGroups >= 0, fileId, "row group count", numRowGroups);
        check(maxSequence >= 0, fileId, "max sequence", maxSequence);
    }

    /** The same file with {@code index} published. */
    public FileMeta withIndex(FileIndex index) {
        return new FileMeta(regionId, fileId, timeRange, level, fileSize, numRows, numRowGroups, maxSequence,
                Optional.of(index));
    }

    private static void check(boolean valid, FileId fileId, String what, long value) {
        if (!valid) {
            throw new IllegalArgumentException("Invalid " + what + " for file " + fileId + ": " + value);
        }
    }
}
