package dev.regolith.hooks.spi;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.FileMeta;
import java.nio.file.Path;
import java.util.List;

/**
 * One SST file as its writer saw it.
 *
 * @param meta the file's metadata, as it will be committed (row count and row groups included)
 * @param path where the file is; it is complete and durable when the event is delivered
 * @param columnStatistics per column, the statistics over the whole file, in schema order
 */
public record WrittenSstFile(FileMeta meta, Path path, List<ColumnStatistics> columnStatistics) {

    public WrittenSstFile {
        requireNonNull(meta, "meta is null");
        requireNonNull(path, "path is null");
        columnStatistics = List.copyOf(requireNonNull(columnStatistics, "columnStatistics is null"));
    }
}
