package dev.regolith.hooks.spi;

import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.RegionId;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The engine's SST files, for hooks: where a file of the manifest is, and the values of its
 * columns, so that a hook building a catalog or a secondary index needs no knowledge of the
 * engine's directory layout and no Parquet reader of its own. Given by
 * {@link HookContext#sstFiles()}.
 *
 * <p>SST files are standard Parquet files; their columns are the region's, plus the engine's
 * internal sequence and op type columns.
 */
public interface SstFiles {

    /**
     * Where the SST file {@code fileId} of region {@code regionId} is (or was, once it is
     * removed). A file is complete and durable once a manifest version that adds it is committed.
     */
    Path path(RegionId regionId, FileId fileId);

    /**
     * Calls {@code action} with the value of {@code column} in every row of {@code file}, in the
     * file's row order. Rows are as written: delete markers and rows that newer files overwrite
     * are included.
     *
     * <p>Values are the Java types of {@link dev.regolith.engine.api.DataType}: {@code String} for
     * strings, {@code Long} for integers and timestamps, {@code Double} for floats,
     * {@code Boolean}, {@code byte[]} for binary; {@code null} where the row has no value.
     *
     * @param file an SST file, for example {@link WrittenSstFile#path()} or {@link #path}
     * @param column a column of the file's schema
     * @throws IllegalArgumentException if the file has no such column (the message lists its columns)
     * @throws dev.regolith.engine.api.exceptions.RegolithException if the file cannot be read, or
     *     is corrupt (the message names the file and what is wrong)
     */
    void forEachValue(Path file, String column, Consumer<Object> action);
}
