package dev.regolith.engine.api;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The secondary index published for an SST file: a sidecar file beside it.
 *
 * @param columns the indexed columns
 * @param fileSize the index file's size in bytes
 * @param version the index format version
 */
public record FileIndex(List<String> columns, long fileSize, int version) {

    public FileIndex {
        columns = List.copyOf(requireNonNull(columns, "columns is null"));
        if (fileSize < 0) {
            throw new IllegalArgumentException("Invalid index file size: " + fileSize);
        }
        if (version < 0) {
            throw new IllegalArgumentException("Invalid index version: " + version);
        }
    }
}
