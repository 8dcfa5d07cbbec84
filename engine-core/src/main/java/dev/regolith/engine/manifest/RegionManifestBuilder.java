package dev.regolith.engine.manifest;

import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestAction.Change;
import dev.regolith.engine.api.ManifestAction.Edit;
import dev.regolith.engine.api.ManifestAction.PartitionExprChange;
import dev.regolith.engine.api.ManifestAction.TruncateAll;
import dev.regolith.engine.api.ManifestAction.TruncatePartial;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.api.RegionMetadata;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Replays action lists onto a manifest state. The one place that defines what each action does;
 * used both when committing and when reading a manifest back, so the two cannot disagree.
 */
final class RegionManifestBuilder {

    private final RegionId regionId;
    private RegionMetadata metadata;
    private final TreeMap<FileId, FileMeta> files;
    private long flushedEntryId;
    private long flushedSequence;
    private OptionalLong truncatedEntryId;
    private Optional<Duration> compactionTimeWindow;
    private Optional<String> partitionExpr;
    private long version;

    private RegionManifestBuilder(RegionId regionId) {
        this.regionId = regionId;
        this.files = new TreeMap<>();
        this.truncatedEntryId = OptionalLong.empty();
        this.compactionTimeWindow = Optional.empty();
        this.partitionExpr = Optional.empty();
    }

    /** A region with no committed version: its first action list must begin with a {@link Change}. */
    static RegionManifestBuilder empty(RegionId regionId) {
        return new RegionManifestBuilder(regionId);
    }

    static RegionManifestBuilder from(RegionManifest manifest) {
        RegionManifestBuilder builder = new RegionManifestBuilder(manifest.regionId());
        builder.metadata = manifest.metadata();
        builder.files.putAll(manifest.files());
        builder.flushedEntryId = manifest.flushedEntryId();
        builder.flushedSequence = manifest.flushedSequence();
        builder.truncatedEntryId = manifest.truncatedEntryId();
        builder.compactionTimeWindow = manifest.compactionTimeWindow();
        builder.partitionExpr = manifest.partitionExpr();
        builder.version = manifest.manifestVersion();
        return builder;
    }

    long version() {
        return version;
    }

    boolean hasMetadata() {
        return metadata != null;
    }

    /**
     * Applies {@code actions} as manifest version {@code newVersion}.
     *
     * @throws IllegalArgumentException if the version does not move forward or an action does not
     *     apply to this state; the builder is then left partly applied and must be discarded
     */
    void apply(long newVersion, ManifestActionList actions) {
        if (newVersion <= version) {
            throw new IllegalArgumentException("version " + newVersion + " of region " + regionId
                    + " does not follow version " + version);
        }
        for (ManifestAction action : actions.actions()) {
            apply(action);
        }
        version = newVersion;
    }

    private void apply(ManifestAction action) {
        if (metadata == null && action.kind() != ManifestAction.Kind.CHANGE) {
            throw new IllegalArgumentException("a " + action.kind() + " action of region " + regionId
                    + " comes before the region's metadata (the first action must be CHANGE)");
        }
        switch (action.kind()) {
            case CHANGE -> applyChange((Change) action);
            case EDIT -> applyEdit((Edit) action);
            case TRUNCATE -> {
                if (action instanceof TruncateAll all) {
                    files.clear();
                    flushedEntryId = Math.max(flushedEntryId, all.truncatedEntryId());
                    flushedSequence = Math.max(flushedSequence, all.truncatedSequence());
                    truncatedEntryId = OptionalLong.of(all.truncatedEntryId());
                }
                else {
                    ((TruncatePartial) action).filesToRemove().forEach(file -> files.remove(file.fileId()));
                }
            }
            // A dropped region's directory is deleted right after; replay keeps the state as it was.
            case REMOVE -> { }
            case PARTITION_EXPR_CHANGE -> partitionExpr = ((PartitionExprChange) action).expr();
        }
    }

    private void applyChange(Change change) {
        RegionMetadata next = change.metadata();
        if (!next.regionId().equals(regionId)) {
            throw new IllegalArgumentException("metadata of region " + next.regionId() + " committed to region " + regionId);
        }
        if (metadata != null && next.schemaVersion() < metadata.schemaVersion()) {
            throw new IllegalArgumentException("schema version of region " + regionId + " would go back from "
                    + metadata.schemaVersion() + " to " + next.schemaVersion());
        }
        metadata = next;
    }

    private void applyEdit(Edit edit) {
        edit.filesToRemove().forEach(file -> files.remove(file.fileId()));
        edit.filesToAdd().forEach(file -> files.put(file.fileId(), file));
        edit.flushedEntryId().ifPresent(id -> flushedEntryId = Math.max(flushedEntryId, id));
        edit.flushedSequence().ifPresent(sequence -> flushedSequence = Math.max(flushedSequence, sequence));
        if (edit.compactionTimeWindow().isPresent()) {
            compactionTimeWindow = edit.compactionTimeWindow();
        }
    }

    RegionManifest build() {
        if (metadata == null) {
            throw new IllegalStateException("region " + regionId + " has no metadata");
        }
        return new RegionManifest(metadata, files, flushedEntryId, flushedSequence, truncatedEntryId,
                compactionTimeWindow, partitionExpr, version);
    }
}
