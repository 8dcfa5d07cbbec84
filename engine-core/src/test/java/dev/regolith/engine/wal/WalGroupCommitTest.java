package dev.regolith.engine.wal;

import static dev.regolith.engine.wal.WalTesting.REGION_A;
import static dev.regolith.engine.wal.WalTesting.REGION_B;
import static dev.regolith.engine.wal.WalTesting.REGION_C;
import static dev.regolith.engine.wal.WalTesting.await;
import static dev.regolith.engine.wal.WalTesting.awaitCondition;
import static dev.regolith.engine.wal.WalTesting.put;
import static dev.regolith.engine.wal.WalTesting.replay;
import static dev.regolith.engine.wal.WalTesting.replayedIds;
import static dev.regolith.engine.wal.WalTesting.rows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.wal.WalTesting.Replayed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent appends share writes and fsyncs, and each one is logged exactly once. */
class WalGroupCommitTest {

    private static final int THREADS = 8;
    private static final int APPENDS_PER_THREAD = 200;
    private static final RegionId[] REGIONS = {REGION_A, REGION_B, REGION_C};

    @TempDir
    Path dir;

    private final ExecutorService executor = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void stopThreads() {
        executor.shutdownNow();
    }

    @Test
    void concurrentAppendsShareFsyncsAndEachIsLoggedOnce() throws Exception {
        TestingWalFileIO io = new TestingWalFileIO();
        Path walDir = dir.resolve("wal");
        Map<Long, InternalRow> appended = new HashMap<>();
        int syncsForAppends;
        try (Wal wal = Wal.open(io, walDir, WalOptions.DEFAULT)) {
            int syncsAtOpen = io.fileSyncs();
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<Map<Long, InternalRow>>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                results.add(executor.submit(() -> {
                    Map<Long, InternalRow> mine = new HashMap<>();
                    await(start);
                    long previous = 0;
                    for (int i = 0; i < APPENDS_PER_THREAD; i++) {
                        // The row says who appended it, so a replayed row can be traced to its append.
                        InternalRow row = put(thread * 1_000_000L + i, "thread-" + thread, i, (long) thread);
                        long entryId = wal.append(REGIONS[(thread + i) % REGIONS.length], thread, List.of(row));
                        assertThat(entryId).as("ids of one thread's appends increase").isGreaterThan(previous);
                        previous = entryId;
                        mine.put(entryId, row);
                    }
                    return mine;
                }));
            }
            for (Future<Map<Long, InternalRow>> result : results) {
                for (Map.Entry<Long, InternalRow> entry : result.get().entrySet()) {
                    assertThat(appended.put(entry.getKey(), entry.getValue())).as("entry id %s handed out twice", entry.getKey())
                            .isNull();
                }
            }
            syncsForAppends = io.fileSyncs() - syncsAtOpen;
            assertReplaysEachAppendOnce(wal, appended);
        }
        int appends = THREADS * APPENDS_PER_THREAD;
        System.out.printf("WalGroupCommitTest: %d appends from %d threads took %d fsyncs (%.1f appends per fsync)%n", appends,
                THREADS, syncsForAppends, (double) appends / syncsForAppends);
        assertThat(appended).hasSize(appends);
        assertThat(syncsForAppends).isPositive().isLessThan(appends);

        try (Wal wal = Wal.open(io, walDir, WalOptions.DEFAULT)) {
            assertReplaysEachAppendOnce(wal, appended);
        }
    }

    private static void assertReplaysEachAppendOnce(Wal wal, Map<Long, InternalRow> appended) {
        Map<Long, InternalRow> replayed = new HashMap<>();
        for (RegionId region : REGIONS) {
            long previous = 0;
            for (Replayed entry : replay(wal, region, 0)) {
                assertThat(entry.entryId()).isGreaterThan(previous);
                previous = entry.entryId();
                assertThat(entry.rows()).hasSize(1);
                assertThat(replayed.put(entry.entryId(), entry.rows().get(0))).isNull();
            }
        }
        assertThat(replayed).isEqualTo(appended);
    }

    @Test
    void appendsQueuedDuringAnFsyncShareTheNextOne() throws Exception {
        TestingWalFileIO io = new TestingWalFileIO();
        try (Wal wal = Wal.open(io, dir.resolve("wal"), WalOptions.DEFAULT)) {
            int syncsAtOpen = io.fileSyncs();
            CountDownLatch syncing = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            io.beforeNextSync(() -> {
                syncing.countDown();
                await(release);
            });
            Future<Long> first = executor.submit(() -> wal.append(REGION_A, 0, rows(0)));
            await(syncing);
            List<Future<Long>> queued = new ArrayList<>();
            for (int i = 1; i < THREADS; i++) {
                int sequence = i;
                queued.add(executor.submit(() -> wal.append(REGION_B, 0, rows(sequence))));
            }
            awaitCondition("the other appends are queued", () -> wal.queuedAppends() == THREADS - 1);
            release.countDown();

            assertThat(first.get()).isEqualTo(1);
            List<Long> ids = new ArrayList<>();
            for (Future<Long> append : queued) {
                ids.add(append.get());
            }
            assertThat(ids).containsExactlyInAnyOrder(2L, 3L, 4L, 5L, 6L, 7L, 8L);
            // One fsync for the first append, one for the seven that waited behind it.
            assertThat(io.fileSyncs() - syncsAtOpen).isEqualTo(2);
            assertThat(replayedIds(wal, REGION_B, 0)).containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L);
        }
    }

    @Test
    void failedFsyncFailsEveryAppendOfItsGroup() throws Exception {
        TestingWalFileIO io = new TestingWalFileIO();
        Path walDir = dir.resolve("wal");
        try (Wal wal = Wal.open(io, walDir, WalOptions.DEFAULT)) {
            CountDownLatch syncing = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            io.beforeNextSync(() -> {
                syncing.countDown();
                await(release);
            });
            Future<Long> first = executor.submit(() -> wal.append(REGION_A, 0, rows(0)));
            await(syncing);
            List<Future<Long>> group = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int sequence = i;
                group.add(executor.submit(() -> wal.append(REGION_A, 0, rows(sequence))));
            }
            awaitCondition("the group is queued", () -> wal.queuedAppends() == 3);
            // The held sync has already started and succeeds; the group's sync fails.
            io.failSyncs(true);
            release.countDown();

            assertThat(first.get()).isEqualTo(1);
            for (Future<Long> append : group) {
                assertThat(append).failsWithin(WalTesting.TIMEOUT).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                        .havingCause()
                        .isInstanceOf(RegionStorageException.class)
                        .withMessageContaining("is not durable: failed to fsync segment " + walDir.resolve("00000000000000000001.wal"));
            }
        }
        try (Wal wal = Wal.open(new TestingWalFileIO(), walDir, WalOptions.DEFAULT)) {
            // The group was written before its fsync failed, so it may be there; the first append must be.
            List<Long> ids = replayedIds(wal, REGION_A, 0);
            assertThat(ids).startsWith(1L).isSubsetOf(1L, 2L, 3L, 4L);
            assertThat(wal.append(REGION_A, 0, rows(9))).isGreaterThan(ids.get(ids.size() - 1));
        }
    }
}
