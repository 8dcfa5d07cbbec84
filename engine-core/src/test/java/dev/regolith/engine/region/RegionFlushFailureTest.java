package dev.regolith.engine.region;

import static dev.regolith.engine.testing.TestingFileIO.named;
import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.RegionScanner;
import dev.regolith.engine.api.ScanRequest;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.compaction.CompactionOptions;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.manifest.ManifestOptions;
import dev.regolith.engine.memtable.WriteBuffer;
import dev.regolith.engine.sst.SstWriteOptions;
import dev.regolith.engine.testing.RecordingHook;
import dev.regolith.engine.testing.TestingFileIO;
import dev.regolith.engine.testing.TestingFileIO.WriteFault;
import dev.regolith.engine.wal.Wal;
import dev.regolith.engine.wal.WalOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flush that fails before its commit deletes its SST file and keeps the memtable for a retry. */
class RegionFlushFailureTest {

    @TempDir
    Path dir;

    private final TestingFileIO io = new TestingFileIO();
    private final RecordingHook hook = new RecordingHook("recorder");
    private final RegionHooks hooks = RegionHooks.of(List.of(hook));

    private void drain() {
        assertThat(hooks.drain(java.time.Duration.ofSeconds(30))).as("hooks drained").isTrue();
    }
    private Wal wal;
    private Region region;

    @BeforeEach
    void createRegion() {
        wal = Wal.open(io, dir.resolve("wal"), WalOptions.DEFAULT);
        region = Region.create(metadata(REGION), dir.resolve(REGION.toString()), io, wal, hooks,
                new WriteBuffer(1L << 30, Duration.ofSeconds(1), () -> { }),
                new Region.RegionSettings(1L << 30, SstWriteOptions.DEFAULT, ManifestOptions.DEFAULT, CompactionOptions.DEFAULT,
                        ignored -> { }, ignored -> { }, ignored -> { }));
        region.write(WriteBatch.builder("hostname", "usage_user", "ts").put("a", 1.0, 1L).put("b", 2.0, 2L).build());
    }

    @AfterEach
    void closeWal() {
        wal.close();
        hooks.close();
    }

    private List<String> sstFiles() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve(REGION.toString()))) {
            return files.map(path -> path.getFileName().toString()).filter(name -> name.endsWith(".parquet")).toList();
        }
    }

    private long rows() {
        try (RegionScanner scanner = region.scan(ScanRequest.all())) {
            long count = 0;
            while (scanner.hasNext()) {
                scanner.next();
                count++;
            }
            return count;
        }
    }

    @Test
    void failedSstWriteDeletesTheFileAndKeepsTheRows() throws Exception {
        io.failNextCreate(named(".parquet"));

        assertThatThrownBy(region::flush).isInstanceOf(RegionStorageException.class).hasMessageContaining("injected fsync failure");

        assertThat(sstFiles()).isEmpty();
        assertThat(rows()).isEqualTo(2);
        drain();
        assertThat(hook.sstEvents()).isEmpty();
        region.flush();
        assertThat(sstFiles()).hasSize(1);
        assertThat(region.manifest().files()).hasSize(1);
        assertThat(rows()).isEqualTo(2);
    }

    @Test
    void failedCommitDeletesTheWrittenFileAndKeepsTheRows() throws Exception {
        io.failNextWrite(named(".delta"), WriteFault.FAIL_BEFORE_PUBLISH);

        assertThatThrownBy(region::flush).isInstanceOf(RegionStorageException.class).hasMessageContaining("could not write");

        assertThat(sstFiles()).isEmpty();
        assertThat(region.manifest().files()).isEmpty();
        assertThat(rows()).isEqualTo(2);
        // The hooks were told the file was written; no manifest update names it.
        drain();
        assertThat(hook.sstEvents()).hasSize(1);
        drain();
        assertThat(hook.versions()).containsExactly(1L);
        region.flush();
        assertThat(region.manifest().files()).hasSize(1);
        drain();
        assertThat(hook.versions()).containsExactly(1L, 2L);
    }
}
