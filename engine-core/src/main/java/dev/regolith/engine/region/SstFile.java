package dev.regolith.engine.region;

import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.io.FileIO;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live SST file of a region, reference-counted: the region's version holds one reference and
 * every open scan that reads it holds one more. A file removed from the region is deleted from disk
 * only when the last reference is released, so a scan never loses a file under it.
 */
final class SstFile {

    private static final Logger log = LoggerFactory.getLogger(SstFile.class);

    private final FileMeta meta;
    private final Path path;
    private final FileIO io;
    private final AtomicInteger references = new AtomicInteger(1);
    private volatile boolean obsolete;

    SstFile(FileMeta meta, Path path, FileIO io) {
        this.meta = meta;
        this.path = path;
        this.io = io;
    }

    FileMeta meta() {
        return meta;
    }

    Path path() {
        return path;
    }

    /** Takes a reference; false if the file is already gone. */
    boolean acquire() {
        for (int count = references.get(); count > 0; count = references.get()) {
            if (references.compareAndSet(count, count + 1)) {
                return true;
            }
        }
        return false;
    }

    void release() {
        if (references.decrementAndGet() == 0 && obsolete) {
            try {
                io.deleteIfExists(path);
            }
            catch (IOException e) {
                log.warn("Could not delete obsolete SST file {}; it is removed at the next region open", path, e);
            }
        }
    }

    /** The region no longer uses the file: delete it once nobody reads it. Releases the version's reference. */
    void markObsolete() {
        obsolete = true;
        release();
    }
}
