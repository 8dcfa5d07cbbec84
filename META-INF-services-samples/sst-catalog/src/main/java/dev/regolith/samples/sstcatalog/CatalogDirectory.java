package dev.regolith.samples.sstcatalog;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.RegionId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The directory the catalogs are in: per region {@code <region>.json} and {@code <region>.sql},
 * each replaced atomically (written to a temporary file, forced to disk, renamed over the old one,
 * and the rename forced to disk), so a reader or a crash sees the old file or the new one, never
 * a mix. Thread-safe for different regions.
 */
final class CatalogDirectory {

    private final Path root;

    CatalogDirectory(Path root) {
        this.root = requireNonNull(root, "root is null");
    }

    Path root() {
        return root;
    }

    Path jsonFile(RegionId regionId) {
        return root.resolve(regionId + ".json");
    }

    Path sqlFile(RegionId regionId) {
        return root.resolve(regionId + ".sql");
    }

    /** The region's JSON file, if there is one. */
    Optional<String> readJson(RegionId regionId) {
        return read(jsonFile(regionId));
    }

    /** The region's SQL file, if there is one. */
    Optional<String> readSql(RegionId regionId) {
        return read(sqlFile(regionId));
    }

    /**
     * Replaces the region's files. The SQL goes first: the JSON holds the version the hook reads
     * back after a restart, so once it is replaced the SQL already matches it. A crash in between
     * leaves the old version in the JSON, and the hook is delivered the change again.
     */
    void write(RegionId regionId, String json, String sql) {
        replace(sqlFile(regionId), sql);
        replace(jsonFile(regionId), json);
    }

    /** Whether both of the region's files exist. */
    boolean exists(RegionId regionId) {
        return Files.exists(jsonFile(regionId)) && Files.exists(sqlFile(regionId));
    }

    /** Replaces the region's SQL file alone. */
    void writeSql(RegionId regionId, String sql) {
        replace(sqlFile(regionId), sql);
    }

    /** Deletes the region's files, if they exist: the view first, so no query reads a catalog being deleted. */
    void delete(RegionId regionId) {
        Path sql = sqlFile(regionId);
        Path json = jsonFile(regionId);
        try {
            Files.deleteIfExists(sql);
            Files.deleteIfExists(json);
            forceDirectory();
        }
        catch (IOException e) {
            throw new UncheckedIOException("sst-catalog cannot delete " + sql + " and " + json + ": " + e.getMessage(), e);
        }
    }

    private Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        }
        catch (NoSuchFileException e) {
            return Optional.empty();
        }
        catch (IOException e) {
            throw new UncheckedIOException("sst-catalog cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private void replace(Path target, String content) {
        Path temporary = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            Files.createDirectories(root); // deleted while the hook runs: a catalog is still better than a failing hook
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory();
        }
        catch (IOException e) {
            throw new UncheckedIOException("sst-catalog cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Makes renames and deletes in the directory durable. */
    private void forceDirectory() throws IOException {
        FileChannel directory;
        try {
            directory = FileChannel.open(root, StandardOpenOption.READ);
        }
        catch (IOException e) {
            return; // Some platforms (Windows) cannot open a directory; their renames are durable without it.
        }
        try (directory) {
            directory.force(true);
        }
    }
}
