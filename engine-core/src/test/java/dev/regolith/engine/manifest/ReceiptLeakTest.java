package dev.regolith.engine.manifest;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.addFile;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;

import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.io.LocalFileIO;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@ExpectsReceiptLeaks
class ReceiptLeakTest {

    @TempDir
    Path dir;

    @AfterEach
    void removeListener() {
        ReceiptLeaks.setListener(message -> { });
    }

    @Test
    void unfiredReceiptIsReportedAndUsedOnesAreNot() {
        assertThat(ReceiptLeaks.MODE).as("surefire runs tests with -Dregolith.receipts.leakDetection=paranoid")
                .isEqualTo(ReceiptLeaks.Mode.PARANOID);
        ReceiptLeakCheck.collectLeaks();
        List<String> reports = new CopyOnWriteArrayList<>();
        ReceiptLeaks.setListener(reports::add);
        long before = ReceiptLeaks.count();
        ManifestCommitter committer = ManifestCommitter.create(new LocalFileIO(), dir.resolve("r"), metadata(REGION),
                RegionHooks.none(), ManifestOptions.DEFAULT);

        commitAndDropReceipt(committer); // version 2: leaked
        committer.commit(addFile(REGION)); // version 3: fired
        ReceiptLeakCheck.collectLeaks();

        assertThat(reports).containsExactly("A manifest receipt of region 1024_0000000001 version 2 was garbage-collected "
                + "without being fired or discarded: its hooks were never notified");
        assertThat(ReceiptLeaks.count()).isEqualTo(before + 1);
    }

    private static void commitAndDropReceipt(ManifestCommitter committer) {
        try (ManifestLock.Held ignored = committer.lock().acquire()) {
            committer.commitLocked(addFile(REGION));
        }
    }
}
