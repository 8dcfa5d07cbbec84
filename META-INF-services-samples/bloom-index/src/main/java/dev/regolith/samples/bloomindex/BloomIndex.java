package dev.regolith.samples.bloomindex;

import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.exceptions.CorruptedFileException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * Queries the bloom sidecars the {@code bloom-index} hook writes: where a file's sidecar is,
 * which files of a region have one, and whether a file may hold a value. Use it to skip the SST
 * files of a query that certainly do not hold the tag value it looks for:
 *
 * <pre>{@code
 * for (FileMeta file : engine.manifest(region).files().values()) {
 *     if (BloomIndex.mightContain(bloomDir, region, file.fileId(), "host-42")) {
 *         // read the file
 *     }
 * }
 * }</pre>
 *
 * Needs Guava on the class path (the plugin's {@code lib/} has it).
 */
public final class BloomIndex {

    private BloomIndex() {
    }

    /** The directory of a region's sidecars: {@code <dir>/<region>}. */
    public static Path regionDirectory(Path dir, RegionId region) {
        return dir.resolve(region.toString());
    }

    /** Where the sidecar of an SST file is: {@code <dir>/<region>/<file>.bloom}. */
    public static Path sidecarPath(Path dir, RegionId region, FileId file) {
        return regionDirectory(dir, region).resolve(file + BloomSidecar.SUFFIX);
    }

    /**
     * Whether SST file {@code file} of {@code region} may hold {@code value} in the indexed
     * column: {@code false} means it certainly does not, {@code true} that it may. Reads the
     * sidecar on every call; keep the {@link BloomSidecar#read} of a file to ask it many values.
     *
     * @param dir the hook's directory ({@code hooks.bloom-index.dir})
     * @throws UncheckedIOException with a {@link NoSuchFileException} naming the sidecar if the file
     *     has none (it is not live, not indexed yet, or its schema lacks the column): read the file
     * @throws CorruptedFileException naming the sidecar if it is damaged
     */
    public static boolean mightContain(Path dir, RegionId region, FileId file, String value) {
        return BloomSidecar.read(sidecarPath(dir, region, file)).mightContain(value);
    }

    /** The files of {@code region} that have a sidecar, sorted; empty if the region has none. */
    public static Set<FileId> indexedFiles(Path dir, RegionId region) {
        Path directory = regionDirectory(dir, region);
        Set<FileId> files = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, "*" + BloomSidecar.SUFFIX)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                FileId id = parseFileId(name.substring(0, name.length() - BloomSidecar.SUFFIX.length()));
                if (id != null) {
                    files.add(id);
                }
            }
        }
        catch (NoSuchFileException e) {
            return Set.of();
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot list bloom-index sidecars in " + directory + ": " + e.getMessage(), e);
        }
        return Collections.unmodifiableSet(files);
    }

    /** The id a sidecar is named after, or null if {@code name} is not a file id. */
    static FileId parseFileId(String name) {
        try {
            return FileId.parse(name);
        }
        catch (IllegalArgumentException e) {
            return null;
        }
    }
}
