package dev.regolith.engine.hook;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.engine.io.LocalFileIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HookCursorStoreTest {

    @TempDir
    Path dir;

    @Test
    void cursorsRoundTripAndStartAtZero() {
        HookCursorStore store = new HookCursorStore(new LocalFileIO(), REGION, dir);

        assertThat(store.read("audit-log")).isZero();
        store.write("audit-log", 7);
        store.write("catalog", 3);
        store.write("audit-log", 9);

        HookCursorStore reopened = new HookCursorStore(new LocalFileIO(), REGION, dir);
        assertThat(reopened.read("audit-log")).isEqualTo(9);
        assertThat(reopened.readAll()).isEqualTo(Map.of("audit-log", 9L, "catalog", 3L));
    }

    @Test
    void damagedCursorIsReportedWithFileAndOffset() throws Exception {
        HookCursorStore store = new HookCursorStore(new LocalFileIO(), REGION, dir);
        store.write("audit-log", 7);
        Path file = dir.resolve("hooks").resolve("audit-log.cursor");
        byte[] bytes = Files.readAllBytes(file);
        bytes[10] ^= 1;
        Files.write(file, bytes);

        assertThatThrownBy(() -> store.read("audit-log"))
                .isInstanceOf(CorruptedFileException.class)
                .hasMessageStartingWith("Corrupted file " + file + " at offset 16: checksum mismatch");
        Files.write(file, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> store.read("audit-log")).hasMessageContaining("hook cursor of 3 bytes, expected 20");
    }
}
