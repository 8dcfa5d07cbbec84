package dev.regolith.engine.region;

import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.index.TagIndex;
import dev.regolith.engine.io.FileIO;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live SST file of a region, reference-counted: the region's version holds one reference and
 * every open scan that reads it holds one more. A file removed from the region is deleted from disk
 * (with its index file) only when the last reference is released, so a scan never loses a file
 * under it. Publishing an index gives the file new metadata ({@link #withMeta}) but the same count.
 */
final class SstFile {

    private static final Logger log = LoggerFactory.getLogger(SstFile.class);
    static final String INDEX_SUFFIX = TagIndex.SUFFIX;

    private final FileMeta meta;
    private final Handle handle;

    /**
     * @param deletedLater told when a scan's release (rather than {@link #retire}) deletes the file
     */
    SstFile(FileMeta meta, Path path, FileIO io, Consumer<FileId> deletedLater) {
        this(meta, new Handle(meta.fileId(), path, io, deletedLater));
    }

    private SstFile(FileMeta meta, Handle handle) {
        this.meta = meta;
        this.handle = handle;
    }

    FileMeta meta() {
        return meta;
    }

    Path path() {
        return handle.path;
    }

    Path indexPath() {
        return handle.indexPath();
    }

    /** The file's published tag index, read once and kept; empty if none is published. */
    Optional<TagIndex> tagIndex() {
        if (meta.index().isEmpty() || meta.index().get().version() != TagIndex.FORMAT_VERSION) {
            return Optional.empty();
        }
        TagIndex index = handle.tagIndex;
        if (index == null) {
            index = TagIndex.read(handle.io, handle.indexPath());
            handle.tagIndex = index;
        }
        return Optional.of(index);
    }

    /** The same file (same reference count) with new metadata, e.g. an index published. */
    SstFile withMeta(FileMeta newMeta) {
        return new SstFile(newMeta, handle);
    }

    /** Takes a reference; false if the file is already gone. */
    boolean acquire() {
        for (int count = handle.references.get(); count > 0; count = handle.references.get()) {
            if (handle.references.compareAndSet(count, count + 1)) {
                return true;
            }
        }
        return false;
    }

    void release() {
        if (handle.references.decrementAndGet() == 0 && handle.obsolete && handle.delete()) {
            handle.deletedLater.accept(handle.fileId);
        }
    }

    /**
     * The region no longer uses the file: drop the version's reference and delete the file once
     * nobody reads it. Returns whether it was deleted right now.
     */
    boolean retire() {
        handle.obsolete = true;
        return handle.references.decrementAndGet() == 0 && handle.delete();
    }

    private static final class Handle {
        final FileId fileId;
        final Path path;
        final FileIO io;
        final Consumer<FileId> deletedLater;
        final AtomicInteger references = new AtomicInteger(1);
        volatile boolean obsolete;
        volatile TagIndex tagIndex;

        Handle(FileId fileId, Path path, FileIO io, Consumer<FileId> deletedLater) {
            this.fileId = fileId;
            this.path = path;
            this.io = io;
            this.deletedLater = deletedLater;
        }

        Path indexPath() {
            return path.resolveSibling(fileId + INDEX_SUFFIX);
        }

        boolean delete() {
            try {
                io.deleteIfExists(path);
                io.deleteIfExists(indexPath());
                return true;
            }
            catch (IOException e) {
                log.warn("Could not delete obsolete SST file {}; it is removed at the next region open", path, e);
                return false;
            }
        }
    }
}
