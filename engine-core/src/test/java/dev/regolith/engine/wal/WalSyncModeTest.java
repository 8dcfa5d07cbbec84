package dev.regolith.engine.wal;

import static dev.regolith.engine.wal.WalTesting.REGION_A;
import static dev.regolith.engine.wal.WalTesting.await;
import static dev.regolith.engine.wal.WalTesting.replayedIds;
import static dev.regolith.engine.wal.WalTesting.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.wal.WalOptions.SyncMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each sync mode syncs and when, and what a failed write or fsync does to the WAL. */
class WalSyncModeTest {

    @TempDir
    Path dir;

    private Path walDir;
    private Path firstSegment;
    private TestingWalFileIO io;

    @BeforeEach
    void setUp() {
        walDir = dir.resolve("wal");
        firstSegment = WalTesting.segment(walDir, 1);
        io = new TestingWalFileIO();
    }

    private Wal open(SyncMode mode) {
        return Wal.open(io, walDir, WalOptions.DEFAULT.withSyncMode(mode));
    }

    private static List<Long> oneTo(long last) {
        return LongStream.rangeClosed(1, last).boxed().toList();
    }

    @Test
    void everyBatchSyncsEachAppendBeforeItReturns() {
        try (Wal wal = open(SyncMode.EVERY_BATCH)) {
            int syncs = io.fileSyncs();
            for (int i = 1; i <= 5; i++) {
                wal.append(REGION_A, 0, rows(i));
                assertThat(io.fileSyncs()).isEqualTo(syncs + i);
            }
        }
    }

    @Test
    void neverModeSyncsOnlyOnCloseAndLosesNothingItWrote() {
        try (Wal wal = open(SyncMode.NEVER)) {
            int syncs = io.fileSyncs();
            for (int i = 1; i <= 20; i++) {
                wal.append(REGION_A, 0, rows(i));
            }
            assertThat(io.fileSyncs()).isEqualTo(syncs);
            wal.close();
            assertThat(io.fileSyncs()).isEqualTo(syncs + 1);
        }
        try (Wal wal = open(SyncMode.NEVER)) {
            assertThat(replayedIds(wal, REGION_A, 0)).isEqualTo(oneTo(20));
        }
    }

    @Test
    void neverModeStillSyncsASegmentBeforeStartingTheNext() {
        // Otherwise a crash could tear a segment that is no longer the newest, which open refuses.
        try (Wal wal = Wal.open(io, walDir, new WalOptions(SyncMode.NEVER, Duration.ofMillis(10), 150))) {
            int syncs = io.fileSyncs();
            for (int i = 1; i <= 4; i++) {
                wal.append(REGION_A, 0, rows(i));
            }
            // Entry 4 starts the second segment: one sync to finish the first, one for the new header.
            assertThat(wal.segmentFiles()).hasSize(2);
            assertThat(io.fileSyncs()).isEqualTo(syncs + 2);
        }
    }

    @Test
    void periodicModeSyncsInTheBackground() {
        try (Wal wal = Wal.open(io, walDir, WalOptions.DEFAULT.withSyncMode(SyncMode.PERIODIC).withSyncInterval(Duration.ofMillis(1)))) {
            int syncs = io.fileSyncs();
            CountDownLatch synced = new CountDownLatch(1);
            io.beforeNextSync(synced::countDown);

            wal.append(REGION_A, 0, rows(1));

            // The append returned without a sync; the writer syncs on its own once the interval passes.
            await(synced);
            assertThat(io.fileSyncs()).isEqualTo(syncs + 1);
        }
    }

    @Test
    void periodicModeAppendsReplayAfterCloseAndReopen() {
        try (Wal wal = open(SyncMode.PERIODIC)) {
            for (int i = 1; i <= 20; i++) {
                wal.append(REGION_A, 0, rows(i));
            }
        }
        try (Wal wal = open(SyncMode.PERIODIC)) {
            assertThat(replayedIds(wal, REGION_A, 0)).isEqualTo(oneTo(20));
        }
    }

    @Test
    void failedFsyncFailsTheAppendAndTheWalRejectsLaterOnes() {
        try (Wal wal = open(SyncMode.EVERY_BATCH)) {
            wal.append(REGION_A, 0, rows(1));
            io.failSyncs(true);

            assertThatThrownBy(() -> wal.append(REGION_A, 0, rows(2)))
                    .isInstanceOf(RegionStorageException.class)
                    .hasMessage("WAL entry 2 of region 1024_0000000001 is not durable: failed to fsync segment " + firstSegment
                            + ": java.io.IOException: injected fsync failure on " + firstSegment + "; the WAL rejects appends "
                            + "until it is reopened");

            io.failSyncs(false);
            assertThatThrownBy(() -> wal.append(REGION_A, 0, rows(3)))
                    .isInstanceOf(RegionStorageException.class)
                    .hasMessage("The WAL rejects appends since it failed to fsync segment " + firstSegment + ": java.io.IOException: "
                            + "injected fsync failure on " + firstSegment + "; reopen it")
                    .hasCauseInstanceOf(java.io.IOException.class);
            // What was acknowledged is still readable.
            assertThat(replayedIds(wal, REGION_A, 0)).containsExactly(1L);
        }
        try (Wal wal = open(SyncMode.EVERY_BATCH)) {
            // Entry 2 was written before its fsync failed, so it may come back; it must not come back twice or out of order.
            List<Long> ids = replayedIds(wal, REGION_A, 0);
            assertThat(ids).isIn(List.of(1L), List.of(1L, 2L));
            assertThat(wal.append(REGION_A, 0, rows(3))).isGreaterThan(ids.get(ids.size() - 1));
        }
    }

    @Test
    void failedWriteFailsTheAppendAndTheWalRejectsLaterOnes() {
        try (Wal wal = open(SyncMode.NEVER)) {
            wal.append(REGION_A, 0, rows(1));
            io.failWrites(true);

            assertThatThrownBy(() -> wal.append(REGION_A, 0, rows(2)))
                    .isInstanceOf(RegionStorageException.class)
                    .hasMessageContaining("is not durable: failed to write segment " + firstSegment);
            io.failWrites(false);
            assertThatThrownBy(() -> wal.append(REGION_A, 0, rows(3)))
                    .isInstanceOf(RegionStorageException.class)
                    .hasMessageStartingWith("The WAL rejects appends since it failed to write segment " + firstSegment);
        }
        try (Wal wal = open(SyncMode.NEVER)) {
            assertThat(replayedIds(wal, REGION_A, 0)).containsExactly(1L);
        }
    }

    @Test
    void failedPeriodicSyncRejectsLaterAppends() {
        try (Wal wal = Wal.open(io, walDir, WalOptions.DEFAULT.withSyncMode(SyncMode.PERIODIC).withSyncInterval(Duration.ofMillis(1)))) {
            CountDownLatch syncAttempted = new CountDownLatch(1);
            io.failSyncs(true);
            io.beforeNextSync(syncAttempted::countDown);

            // Written, so acknowledged: PERIODIC promises no more.
            wal.append(REGION_A, 0, rows(1));
            await(syncAttempted);

            // The writer thread is past that sync before it looks at another append, so this one is rejected.
            assertThatThrownBy(() -> wal.append(REGION_A, 0, rows(2)))
                    .isInstanceOf(RegionStorageException.class)
                    .hasMessageStartingWith("The WAL rejects appends since it failed to fsync segment " + firstSegment);
        }
    }

    @Test
    void failedSyncOnCloseIsReported() {
        Wal wal = open(SyncMode.NEVER);
        wal.append(REGION_A, 0, rows(1));
        io.failSyncs(true);

        assertThatThrownBy(wal::close)
                .isInstanceOf(RegionStorageException.class)
                .hasMessage("Closing the WAL in " + walDir + " failed to fsync segment " + firstSegment + ": java.io.IOException: "
                        + "injected fsync failure on " + firstSegment);
        wal.close(); // idempotent, and quiet the second time
    }
}
