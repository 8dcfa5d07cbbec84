package dev.regolith.samples.sstcatalog;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestAction.Change;
import dev.regolith.engine.api.ManifestAction.Edit;
import dev.regolith.engine.api.ManifestAction.PartitionExprChange;
import dev.regolith.engine.api.ManifestAction.TruncateAll;
import dev.regolith.engine.api.ManifestAction.TruncatePartial;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.api.SemanticType;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What the catalog holds of one region at one manifest version: its columns and its live SST
 * files. Two catalogs of the same state are equal, however they were reached (rebuilt from a
 * manifest, updated action by action, or read back from disk), so they are written byte for byte
 * the same.
 *
 * @param regionId the region
 * @param manifestVersion the manifest version this catalog is at
 * @param schemaVersion the schema version of {@code columns}
 * @param columns the region's columns, in order
 * @param partitionExpr the region's partition expression, if any
 * @param files the live SST files, by id
 */
record RegionCatalog(
        RegionId regionId,
        long manifestVersion,
        long schemaVersion,
        List<ColumnSchema> columns,
        Optional<String> partitionExpr,
        SortedMap<FileId, CatalogFile> files) {

    RegionCatalog {
        requireNonNull(regionId, "regionId is null");
        columns = List.copyOf(requireNonNull(columns, "columns is null"));
        requireNonNull(partitionExpr, "partitionExpr is null");
        files = Collections.unmodifiableSortedMap(new TreeMap<>(requireNonNull(files, "files is null")));
        if (manifestVersion < 0) {
            throw new IllegalArgumentException("Invalid manifest version for region " + regionId + ": " + manifestVersion);
        }
        if (columns.stream().filter(column -> column.semanticType() == SemanticType.TIMESTAMP).count() != 1) {
            throw new IllegalArgumentException("Invalid columns for region " + regionId + ": expected exactly one time index");
        }
    }

    /**
     * One live SST file.
     *
     * @param fileId the file's id
     * @param path where the file is, absolute
     * @param level 0 for flushed files, 1 for compaction output
     * @param rows rows in the file, deletes and overwritten rows included
     * @param bytes the file's size
     * @param rowGroups Parquet row groups in the file
     * @param minTimeMillis the smallest time index value in the file, in milliseconds since the epoch (rounded down)
     * @param maxTimeMillis the largest time index value in the file, in milliseconds since the epoch (rounded down)
     */
    record CatalogFile(FileId fileId, Path path, int level, long rows, long bytes, long rowGroups, long minTimeMillis,
            long maxTimeMillis) {

        CatalogFile {
            requireNonNull(fileId, "fileId is null");
            requireNonNull(path, "path is null");
        }
    }

    /** The region's primary key (its tag columns) and time index, in column order: what identifies a row. */
    List<ColumnSchema> rowKey() {
        return columns.stream().filter(column -> column.semanticType() != SemanticType.FIELD).toList();
    }

    /** The catalog of {@code manifest}, with each file where {@code paths} says. */
    static RegionCatalog of(RegionManifest manifest, Function<FileId, Path> paths) {
        Builder builder = new Builder(manifest.regionId(), paths);
        builder.apply(new Change(manifest.metadata()));
        builder.apply(new PartitionExprChange(manifest.partitionExpr()));
        builder.apply(Edit.ofFiles(List.copyOf(manifest.files().values()), List.of()));
        return builder.build(manifest.manifestVersion()).orElseThrow();
    }

    /**
     * Applies manifest actions, in commit order, to a catalog: the one place that knows what each
     * kind of action does to it. Not thread-safe.
     */
    static final class Builder {
        private final RegionId regionId;
        private final Function<FileId, Path> paths;
        private final TreeMap<FileId, CatalogFile> files = new TreeMap<>();
        private long schemaVersion;
        /** Null until a {@link Change} gives the schema. */
        private List<ColumnSchema> columns;
        private Optional<String> partitionExpr = Optional.empty();
        private boolean removed;

        /** A builder for a region of which nothing is known yet: its first action must be a {@link Change}. */
        Builder(RegionId regionId, Function<FileId, Path> paths) {
            this.regionId = requireNonNull(regionId, "regionId is null");
            this.paths = requireNonNull(paths, "paths is null");
        }

        /** A builder that starts from {@code catalog}. */
        Builder(RegionCatalog catalog, Function<FileId, Path> paths) {
            this(catalog.regionId(), paths);
            schemaVersion = catalog.schemaVersion();
            columns = catalog.columns();
            partitionExpr = catalog.partitionExpr();
            files.putAll(catalog.files());
        }

        /**
         * Applies {@code action}. Applying again actions that are already in the catalog is harmless
         * as long as they are applied in order, together with every later one: a file is live or not
         * after the last action that names it, and the schema is the last one set.
         */
        void apply(ManifestAction action) {
            switch (action.kind()) {
                case CHANGE -> {
                    Change change = (Change) action;
                    columns = change.metadata().columns();
                    schemaVersion = change.metadata().schemaVersion();
                }
                case EDIT -> {
                    Edit edit = (Edit) action;
                    for (FileMeta file : edit.filesToRemove()) {
                        files.remove(file.fileId());
                    }
                    // A file added again replaces the earlier entry (an index was published for it).
                    for (FileMeta file : edit.filesToAdd()) {
                        files.put(file.fileId(), catalogFile(file));
                    }
                }
                case TRUNCATE -> {
                    if (action instanceof TruncateAll) {
                        files.clear();
                    }
                    else if (action instanceof TruncatePartial partial) {
                        for (FileMeta file : partial.filesToRemove()) {
                            files.remove(file.fileId());
                        }
                    }
                    else {
                        throw new IllegalArgumentException("Unknown truncate action for region " + regionId + ": " + action);
                    }
                }
                case REMOVE -> removed = true;
                case PARTITION_EXPR_CHANGE -> partitionExpr = ((PartitionExprChange) action).expr();
            }
        }

        /** The catalog at {@code manifestVersion}; empty if the region was removed. */
        Optional<RegionCatalog> build(long manifestVersion) {
            if (removed) {
                return Optional.empty();
            }
            if (columns == null) {
                throw new IllegalArgumentException("Invalid manifest update for region " + regionId + " at version "
                        + manifestVersion + ": its schema is unknown (no CHANGE action before it)");
            }
            return Optional.of(new RegionCatalog(regionId, manifestVersion, schemaVersion, columns, partitionExpr, files));
        }

        private CatalogFile catalogFile(FileMeta file) {
            if (columns == null) {
                throw new IllegalArgumentException("Invalid manifest update for region " + regionId + ": file " + file.fileId()
                        + " is added before the region's schema is known (no CHANGE action before it)");
            }
            DataType unit = columns.stream().filter(column -> column.semanticType() == SemanticType.TIMESTAMP)
                    .findFirst().orElseThrow().dataType();
            return new CatalogFile(file.fileId(), paths.apply(file.fileId()).toAbsolutePath(), file.level(), file.numRows(),
                    file.fileSize(), file.numRowGroups(), toMillis(file.timeRange().start(), unit),
                    toMillis(file.timeRange().end(), unit));
        }
    }

    /** A time index value in {@code unit}, as milliseconds since the epoch, rounded down. */
    static long toMillis(long value, DataType unit) {
        return switch (unit) {
            case TIMESTAMP_MILLIS -> value;
            case TIMESTAMP_MICROS -> Math.floorDiv(value, 1_000L);
            case TIMESTAMP_NANOS -> Math.floorDiv(value, 1_000_000L);
            case BOOLEAN, INT32, INT64, FLOAT32, FLOAT64, STRING, BINARY ->
                    throw new IllegalArgumentException("Invalid time index type " + unit + ": not a timestamp type");
        };
    }
}
