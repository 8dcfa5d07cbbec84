package dev.regolith.engine;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionScanner;
import dev.regolith.engine.api.ScanRequest;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.sst.SstWriteOptions;
import dev.regolith.engine.sst.SstWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest of a file whose rows are out of order. Regolith's own writer refuses to write one, so
 * the file is written by parquet-mr (test scope) with the footer of a valid SST and its rows
 * reversed, as a foreign tool could.
 */
class UnsortedIngestTest {

    @TempDir
    Path dir;

    private RegolithEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void ingestOfAnUnsortedFileNamesTheFileAndRowAndCommitsNothing() throws Exception {
        engine = RegolithEngine.open(EngineOptions.of(dir.resolve("data")), RegionHooks.none());
        engine.createRegion(metadata(REGION));
        Path sorted = dir.resolve("sorted.parquet");
        try (SstWriter writer = new SstWriter(new LocalFileIO(), sorted, metadata(REGION), SstWriteOptions.DEFAULT)) {
            writer.write(new InternalRow(new Object[] {"a", 1.0, 1L}, 1, OpType.PUT));
            writer.write(new InternalRow(new Object[] {"b", 2.0, 1L}, 2, OpType.PUT));
            writer.write(new InternalRow(new Object[] {"c", 3.0, 1L}, 3, OpType.PUT));
            writer.finish(FileId.random(), 0);
        }
        Path unsorted = reversed(sorted, dir.resolve("unsorted.parquet"));
        long version = engine.manifest(REGION).manifestVersion();

        assertThatThrownBy(() -> engine.ingest(REGION, List.of(unsorted)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Region 1024_0000000001 ingest rejected: Cannot ingest " + unsorted + ": row 1 PUT@2[b, 2.0, 1] "
                        + "sorts before the row before it PUT@3[c, 3.0, 1]; rows must be in primary key and timestamp order");

        assertThat(engine.manifest(REGION).manifestVersion()).as("nothing committed").isEqualTo(version);
        try (RegionScanner scanner = engine.scan(REGION, ScanRequest.all())) {
            assertThat(scanner.hasNext()).isFalse();
        }
        try (var files = Files.list(dir.resolve("data").resolve(REGION.toString()))) {
            assertThat(files.filter(path -> path.toString().endsWith(".parquet")).toList()).as("no file left behind").isEmpty();
        }
        // The same rows in order go in.
        assertThat(engine.ingest(REGION, List.of(sorted))).hasSize(1);
    }

    /** {@code source}'s rows in reverse order, with its schema and key-value metadata, written by parquet-mr. */
    private static Path reversed(Path source, Path target) throws Exception {
        MessageType schema;
        Map<String, String> keyValues;
        List<Group> rows = new ArrayList<>();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(source))) {
            schema = reader.getFooter().getFileMetaData().getSchema();
            keyValues = reader.getFooter().getFileMetaData().getKeyValueMetaData();
            org.apache.parquet.column.page.PageReadStore rowGroup;
            while ((rowGroup = reader.readNextRowGroup()) != null) {
                RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema)
                        .getRecordReader(rowGroup, new GroupRecordConverter(schema));
                for (long i = 0; i < rowGroup.getRowCount(); i++) {
                    rows.add(records.read());
                }
            }
        }
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(target)).withType(schema)
                .withExtraMetaData(keyValues).build()) {
            for (int i = rows.size() - 1; i >= 0; i--) {
                writer.write(rows.get(i));
            }
        }
        return target;
    }
}
