package dev.regolith.engine.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * All of the engine's file access goes through this interface, so tests can inject faults and an
 * object-store backend can take the local file system's place.
 *
 * <p>Implementations are thread-safe.
 */
public interface FileIO {

    /** Creates {@code directory} and any missing parents, and makes their entries durable. */
    void createDirectories(Path directory) throws IOException;

    /**
     * Publishes {@code content} as {@code file} all at once: readers see the old file (or none) or
     * the whole new content, never a part, also after a crash. An existing file is replaced.
     *
     * @throws PublishStateUnknownException if the write failed after the new content may already
     *     have become visible (it may or may not survive a crash)
     * @throws IOException if the write failed and nothing was published
     */
    void writeAtomically(Path file, byte[] content) throws IOException;

    /**
     * Reads the whole file.
     *
     * @throws java.nio.file.NoSuchFileException if it does not exist
     */
    byte[] readAllBytes(Path file) throws IOException;

    /** Whether {@code file} exists. */
    boolean exists(Path file) throws IOException;

    /**
     * The names of the entries of {@code directory}, sorted.
     *
     * @throws java.nio.file.NoSuchFileException if the directory does not exist
     */
    List<String> list(Path directory) throws IOException;

    /** Deletes {@code file} if it exists; returns whether it did. */
    boolean deleteIfExists(Path file) throws IOException;

    /**
     * Creates {@code file}, which must not exist, for writing from its start. To make the new
     * file's name durable as well as its content, sync the output and then the directory.
     *
     * @throws java.nio.file.FileAlreadyExistsException if it exists
     */
    SyncableOutput create(Path file) throws IOException;

    /**
     * Opens {@code file} for positional reads.
     *
     * @throws java.nio.file.NoSuchFileException if it does not exist
     */
    ReadableFile open(Path file) throws IOException;

    /** The size of {@code file} in bytes. */
    long size(Path file) throws IOException;

    /** Cuts {@code file} to {@code size} bytes and makes that durable. */
    void truncate(Path file, long size) throws IOException;

    /**
     * Renames {@code source} (a file or a directory) to {@code target} in one atomic step and makes
     * the rename durable.
     */
    void rename(Path source, Path target) throws IOException;

    /** Makes the entries of {@code directory} (files created, renamed or deleted in it) durable. */
    void syncDirectory(Path directory) throws IOException;
}
