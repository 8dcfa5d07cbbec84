package dev.regolith.engine.hook;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.sst.SstReader;
import dev.regolith.hooks.spi.SstFileReader;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** The engine's {@link SstFileReader}: reads a column of an SST with the engine's own reader. */
final class EngineSstFileReader implements SstFileReader {

    private final FileIO io;

    EngineSstFileReader(FileIO io) {
        this.io = requireNonNull(io, "io is null");
    }

    @Override
    public void forEachValue(Path file, String column, Consumer<Object> action) {
        requireNonNull(file, "file is null");
        requireNonNull(column, "column is null");
        requireNonNull(action, "action is null");
        try (SstReader reader = SstReader.open(io, file)) {
            List<ColumnSchema> columns = reader.metadata().columns();
            int index = -1;
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equals(column)) {
                    index = i;
                }
            }
            if (index < 0) {
                throw new IllegalArgumentException("SST file " + file + " has no column " + column + "; its columns are "
                        + columns.stream().map(ColumnSchema::name).toList());
            }
            Iterator<InternalRow> rows = reader.read(Set.of(column), null);
            while (rows.hasNext()) {
                action.accept(rows.next().value(index));
            }
        }
    }
}
