package dev.regolith.engine.compaction;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.row.RowOrder;
import dev.regolith.engine.sst.SstReader;
import dev.regolith.engine.sst.SstWriteOptions;
import dev.regolith.engine.sst.SstWriter;
import dev.regolith.hooks.spi.WrittenSstFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Schemas, rows and input files for the compaction tests. */
final class CompactionTesting {

    static final RegionId REGION = RegionId.of(42, 7);
    static final FileIO IO = new LocalFileIO();

    /** Schema version 1: host tag, usage field, millisecond time index, temp field. */
    static final RegionMetadata V1 = new RegionMetadata(REGION, List.of(
            ColumnSchema.tag("host", 0, DataType.STRING),
            ColumnSchema.field("usage", 1, DataType.FLOAT64),
            ColumnSchema.timeIndex("ts", 2, DataType.TIMESTAMP_MILLIS),
            ColumnSchema.field("temp", 3, DataType.FLOAT64)), 1, Map.of());

    /** Schema version 2: usage renamed to cpu, temp dropped, note added in front of the time index. */
    static final RegionMetadata V2 = new RegionMetadata(REGION, List.of(
            ColumnSchema.tag("host", 0, DataType.STRING),
            ColumnSchema.field("cpu", 1, DataType.FLOAT64),
            ColumnSchema.field("note", 4, DataType.STRING),
            ColumnSchema.timeIndex("ts", 2, DataType.TIMESTAMP_MILLIS)), 2, Map.of());

    private CompactionTesting() {
    }

    /** A V2 put. */
    static InternalRow put(String host, long ts, Double cpu, String note, long sequence) {
        return new InternalRow(new Object[] {host, cpu, note, ts}, sequence, OpType.PUT);
    }

    /** A V2 delete. */
    static InternalRow delete(String host, long ts, long sequence) {
        return new InternalRow(new Object[] {host, null, null, ts}, sequence, OpType.DELETE);
    }

    /** A V1 put. */
    static InternalRow putV1(String host, long ts, Double usage, Double temp, long sequence) {
        return new InternalRow(new Object[] {host, usage, ts, temp}, sequence, OpType.PUT);
    }

    /** Writes {@code rows} (sorted here) as a level-0 SST under {@code metadata}. */
    static Path writeInput(Path directory, RegionMetadata metadata, SstWriteOptions options, List<InternalRow> rows) {
        List<InternalRow> sorted = new ArrayList<>(rows);
        sorted.sort(new RowOrder(metadata));
        FileId fileId = FileId.random();
        Path file = directory.resolve(fileId + ".parquet");
        try (SstWriter writer = new SstWriter(IO, file, metadata, options)) {
            sorted.forEach(writer::write);
            writer.finish(fileId, 0);
        }
        return file;
    }

    static Path writeInput(Path directory, RegionMetadata metadata, List<InternalRow> rows) {
        return writeInput(directory, metadata, SstWriteOptions.DEFAULT, rows);
    }

    /** Opens {@code files}, runs the writer on them and closes them. */
    static List<WrittenSstFile> compact(FileIO io, Path directory, RegionMetadata current, List<Path> files, boolean dropDeletes,
            SstWriteOptions options, long maxOutputFileBytes) {
        List<SstReader> readers = new ArrayList<>();
        try {
            for (Path file : files) {
                readers.add(SstReader.open(IO, file));
            }
            return CompactionWriter.write(io, directory, current, readers, dropDeletes, options, maxOutputFileBytes);
        }
        finally {
            readers.forEach(SstReader::close);
        }
    }

    static List<InternalRow> readAll(Path file) {
        try (SstReader reader = SstReader.open(IO, file)) {
            List<InternalRow> rows = new ArrayList<>();
            Iterator<InternalRow> iterator = reader.read(null, null);
            iterator.forEachRemaining(rows::add);
            return rows;
        }
    }

    /** The rows of {@code outputs}, one output after the other. */
    static List<InternalRow> readAll(List<WrittenSstFile> outputs) {
        List<InternalRow> rows = new ArrayList<>();
        outputs.forEach(output -> rows.addAll(readAll(output.path())));
        return rows;
    }

    static List<Path> listFiles(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.sorted().toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
