package dev.regolith.engine.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One change to a region's manifest. A committed {@link ManifestActionList} of these is one
 * manifest version.
 *
 * <p>The family is closed. Code that must handle every action switches over {@link #kind()} in a
 * {@code switch} expression with no {@code default} branch, so the compiler points at every place
 * a new action must be handled.
 */
public sealed interface ManifestAction {

    /** Which action this is. */
    Kind kind();

    /** The kinds of manifest action. */
    enum Kind {
        /** {@link Change}. */
        CHANGE,
        /** {@link Edit}. */
        EDIT,
        /** {@link Truncate}, whole or partial. */
        TRUNCATE,
        /** {@link Remove}. */
        REMOVE,
        /** {@link PartitionExprChange}. */
        PARTITION_EXPR_CHANGE
    }

    /**
     * The region's metadata (schema and options) is replaced: region creation and alter.
     *
     * @param metadata the new metadata
     */
    record Change(RegionMetadata metadata) implements ManifestAction {

        public Change {
            requireNonNull(metadata, "metadata is null");
        }

        @Override
        public Kind kind() {
            return Kind.CHANGE;
        }
    }

    /**
     * Files are added to and removed from the region: flush, compaction, bulk ingest, copy region,
     * TTL expiry and index publication.
     *
     * @param filesToAdd files that become live; a file already live is replaced (index publication)
     * @param filesToRemove files that stop being live
     * @param flushedEntryId the WAL entry id up to which data is now in SSTs (flush only)
     * @param flushedSequence the sequence up to which data is now in SSTs (flush only)
     * @param compactionTimeWindow the time window compaction settled on, if it changed
     */
    record Edit(
            List<FileMeta> filesToAdd,
            List<FileMeta> filesToRemove,
            OptionalLong flushedEntryId,
            OptionalLong flushedSequence,
            Optional<Duration> compactionTimeWindow) implements ManifestAction {

        public Edit {
            filesToAdd = List.copyOf(requireNonNull(filesToAdd, "filesToAdd is null"));
            filesToRemove = List.copyOf(requireNonNull(filesToRemove, "filesToRemove is null"));
            requireNonNull(flushedEntryId, "flushedEntryId is null");
            requireNonNull(flushedSequence, "flushedSequence is null");
            requireNonNull(compactionTimeWindow, "compactionTimeWindow is null");
            Set<FileId> added = new HashSet<>();
            for (FileMeta file : filesToAdd) {
                if (!added.add(file.fileId())) {
                    throw new IllegalArgumentException("Invalid edit: file " + file.fileId() + " is added twice");
                }
            }
            flushedEntryId.ifPresent(id -> checkNotNegative("flushed entry id", id));
            flushedSequence.ifPresent(sequence -> checkNotNegative("flushed sequence", sequence));
            compactionTimeWindow.ifPresent(window -> {
                if (window.isNegative() || window.isZero()) {
                    throw new IllegalArgumentException("Invalid compaction time window: " + window);
                }
            });
        }

        /** An edit that only adds and removes files. */
        public static Edit ofFiles(List<FileMeta> filesToAdd, List<FileMeta> filesToRemove) {
            return new Edit(filesToAdd, filesToRemove, OptionalLong.empty(), OptionalLong.empty(), Optional.empty());
        }

        @Override
        public Kind kind() {
            return Kind.EDIT;
        }
    }

    /** All or some of the region's data is dropped. */
    sealed interface Truncate extends ManifestAction {

        @Override
        default Kind kind() {
            return Kind.TRUNCATE;
        }
    }

    /**
     * Every file and every WAL entry up to the given id is dropped.
     *
     * @param truncatedEntryId the last WAL entry id whose data is dropped
     * @param truncatedSequence the last sequence whose data is dropped
     */
    record TruncateAll(long truncatedEntryId, long truncatedSequence) implements Truncate {

        public TruncateAll {
            checkNotNegative("truncated entry id", truncatedEntryId);
            checkNotNegative("truncated sequence", truncatedSequence);
        }
    }

    /**
     * The given files are dropped.
     *
     * @param filesToRemove the files to drop
     */
    record TruncatePartial(List<FileMeta> filesToRemove) implements Truncate {

        public TruncatePartial {
            filesToRemove = List.copyOf(requireNonNull(filesToRemove, "filesToRemove is null"));
        }
    }

    /**
     * The region is dropped. Written before its directory is deleted; replaying it changes nothing.
     *
     * @param regionId the dropped region
     */
    record Remove(RegionId regionId) implements ManifestAction {

        public Remove {
            requireNonNull(regionId, "regionId is null");
        }

        @Override
        public Kind kind() {
            return Kind.REMOVE;
        }
    }

    /**
     * The region's partition expression changes (repartitioning).
     *
     * @param expr the new expression; empty when the region is no longer partitioned
     */
    record PartitionExprChange(Optional<String> expr) implements ManifestAction {

        public PartitionExprChange {
            requireNonNull(expr, "expr is null");
        }

        @Override
        public Kind kind() {
            return Kind.PARTITION_EXPR_CHANGE;
        }
    }

    private static void checkNotNegative(String what, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("Invalid " + what + ": " + value);
        }
    }
}
