package dev.regolith.engine.index;

import static dev.regolith.engine.index.TagIndexTesting.randomRows;
import static dev.regolith.engine.index.TagIndexTesting.tag;
import static dev.regolith.engine.index.TagIndexTesting.writeSst;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.index.TagIndexTesting.WrittenSst;
import dev.regolith.engine.io.PublishStateUnknownException;
import dev.regolith.engine.testing.TestingFileIO;
import dev.regolith.engine.testing.TestingFileIO.WriteFault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How building an index fails: the error says what went wrong, and no half-written index is left. */
class TagIndexWriterTest {

    private static final RegionMetadata METADATA = new RegionMetadata(RegionId.of(9, 3), List.of(
            tag("host", 1, DataType.STRING),
            ColumnSchema.timeIndex("ts", 2, DataType.TIMESTAMP_MILLIS)));

    private final TestingFileIO io = new TestingFileIO();

    @TempDir
    Path dir;

    private WrittenSst sst;

    @BeforeEach
    void writeSstFile() {
        sst = writeSst(io, dir, METADATA, randomRows(new Random(5), METADATA, Map.of("host", Arrays.asList("a", "b")), 20), 4);
    }

    @Test
    void corruptedSstIsReportedAndNoIndexIsWritten() throws IOException {
        byte[] bytes = Files.readAllBytes(sst.path());
        bytes[0] = 'X';
        Files.write(sst.path(), bytes);

        assertThatThrownBy(() -> TagIndexWriter.build(io, sst.path(), sst.indexPath()))
                .isInstanceOfSatisfying(CorruptedFileException.class, e -> {
                    assertThat(e.file()).isEqualTo(sst.path().toString());
                    assertThat(e.offset()).isZero();
                });
        assertThat(io.exists(sst.indexPath())).isFalse();
    }

    @Test
    void missingSstIsAStorageError() {
        Path missing = dir.resolve("missing.parquet");
        assertThatThrownBy(() -> TagIndexWriter.build(io, missing, dir.resolve("missing.index")))
                .isInstanceOf(RegionStorageException.class)
                .hasMessageStartingWith("Failed to open SST file " + missing);
    }

    @Test
    void failedWritePublishesNothing() throws IOException {
        io.failNextWrite(TestingFileIO.named(".index"), WriteFault.FAIL_BEFORE_PUBLISH);

        assertThatThrownBy(() -> TagIndexWriter.build(io, sst.path(), sst.indexPath()))
                .isInstanceOf(RegionStorageException.class)
                .hasMessageStartingWith("Failed to write tag index file " + sst.indexPath() + " of SST file " + sst.path() + ": ")
                .hasCauseInstanceOf(IOException.class);
        assertThat(io.exists(sst.indexPath())).isFalse();
    }

    @Test
    void writeOfUnknownOutcomeSaysSo() {
        io.failNextWrite(TestingFileIO.named(".index"), WriteFault.FAIL_AFTER_PUBLISH);

        assertThatThrownBy(() -> TagIndexWriter.build(io, sst.path(), sst.indexPath()))
                .isInstanceOf(RegionStorageException.class)
                .hasMessageContaining("; it may or may not exist now: ")
                .hasCauseInstanceOf(PublishStateUnknownException.class);
        // Whatever did land is a whole index.
        assertThat(TagIndex.read(io, sst.indexPath()).columns()).containsExactly("host");
    }
}
