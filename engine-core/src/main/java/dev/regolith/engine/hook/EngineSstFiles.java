package dev.regolith.engine.hook;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.sst.SstReader;
import dev.regolith.hooks.spi.SstFiles;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.region.Region;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** The engine's {@link SstFiles}: its directory layout, and its own SST reader. */
final class EngineSstFiles implements SstFiles {

    private final FileIO io;
    /** Null when the hooks were loaded without one (no engine to look in). */
    private final Path dataDirectory;

    EngineSstFiles(FileIO io, Path dataDirectory) {
        this.io = requireNonNull(io, "io is null");
        this.dataDirectory = dataDirectory;
    }

    @Override
    public Path path(RegionId regionId, FileId fileId) {
        if (dataDirectory == null) {
            throw new IllegalStateException("These hooks were loaded without the engine's data directory, so SST paths are "
                    + "unknown (load them with HookLoadOptions.withDataDirectory)");
        }
        return Region.sstPath(dataDirectory, regionId, fileId);
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
