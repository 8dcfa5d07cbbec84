package dev.regolith.hooks.spi;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Reads the column values of the engine's SST files, so that a hook building a secondary index
 * needs no Parquet reader of its own. Given to hooks by {@link HookContext#sstReader()}.
 *
 * <p>Values are the Java types of {@link dev.regolith.engine.api.DataType}: {@code String} for
 * strings, {@code Long} for integers and timestamps, {@code Double} for floats, {@code Boolean},
 * {@code byte[]} for binary; {@code null} where the row has no value.
 */
public interface SstFileReader {

    /**
     * Calls {@code action} with the value of {@code column} in every row of {@code file}, in the
     * file's row order. Rows are as written: delete markers and rows that newer files overwrite
     * are included.
     *
     * @param file an SST file of a region, for example {@link WrittenSstFile#path()}
     * @param column a column of the file's schema
     * @throws IllegalArgumentException if the file has no such column (the message lists its columns)
     * @throws dev.regolith.engine.api.exceptions.RegolithException if the file cannot be read, or
     *     is corrupt (the message names the file and what is wrong)
     */
    void forEachValue(Path file, String column, Consumer<Object> action);
}
