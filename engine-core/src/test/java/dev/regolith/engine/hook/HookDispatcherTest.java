package dev.regolith.engine.hook;

import static dev.regolith.engine.hook.DispatchRecordingHook.assertActionsMatchVersions;
import static dev.regolith.engine.hook.DispatchRecordingHook.event;
import static dev.regolith.engine.testing.TestingRegions.addFile;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.regolith.engine.api.HookMetrics;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.io.InMemoryFileIO;
import dev.regolith.engine.manifest.ManifestCommitter;
import dev.regolith.engine.manifest.ManifestOptions;
import dev.regolith.hooks.spi.FilesRemovedEvent;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.RegionClosedEvent;
import dev.regolith.hooks.spi.RegionDroppedEvent;
import dev.regolith.hooks.spi.SstFilesWrittenEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HookDispatcherTest {

    /** How long a test waits for something that should happen at once; only reached on failure. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static final RegionId A = RegionId.of(1024, 1);
    private static final RegionId B = RegionId.of(1024, 2);
    private static final RegionId C = RegionId.of(1024, 3);
    private static final RegionId D = RegionId.of(1024, 4);

    private final List<HookDispatcher> dispatchers = new ArrayList<>();
    private final List<CountDownLatch> gates = new ArrayList<>();

    @AfterEach
    void releaseAndClose() {
        gates.forEach(CountDownLatch::countDown);
        dispatchers.forEach(dispatcher -> dispatcher.close(Duration.ofSeconds(5)));
    }

    private HookDispatcher dispatcher(DispatchRecordingHook hook, HookDeliveryOptions options) {
        HookDispatcher dispatcher = new HookDispatcher(hook, hook.name(), options);
        dispatchers.add(dispatcher);
        return dispatcher;
    }

    /** A latch a blocked hook waits on; released after the test at the latest. */
    private CountDownLatch gate() {
        CountDownLatch gate = new CountDownLatch(1);
        gates.add(gate);
        return gate;
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(WAIT.toMillis(), MILLISECONDS)).as("waited for a latch").isTrue();
    }

    private static List<Long> versions(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    private static SstFilesWrittenEvent sstEvent(RegionId region) {
        return new SstFilesWrittenEvent(region, metadata(region), SstFilesWrittenEvent.Reason.FLUSH, List.of());
    }

    /** A hook whose every callback signals {@code entered}, then waits for {@code gate}. */
    private static DispatchRecordingHook blockedOn(CountDownLatch gate, CountDownLatch entered) {
        return new DispatchRecordingHook("test").behave(event -> {
            entered.countDown();
            gate.await();
        });
    }

    /** A hook whose callback for version 1 signals {@code entered}, then waits for {@code gate}; later ones run through. */
    private static DispatchRecordingHook blockedOnVersionOne(CountDownLatch gate, CountDownLatch entered) {
        return new DispatchRecordingHook("test").behave(event -> {
            if (event.manifestVersion() == 1) {
                entered.countDown();
                gate.await();
            }
        });
    }

    @Test
    void deliversOutOfOrderSubmissionsInVersionOrder() throws Exception {
        CountDownLatch deliveredB = new CountDownLatch(1);
        DispatchRecordingHook hook = new DispatchRecordingHook("test").behave(event -> {
            if (event.regionId().equals(B)) {
                deliveredB.countDown();
            }
        });
        // One thread takes regions in the order they became ready.
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT.withThreads(1));
        dispatcher.start(A, 1);

        dispatcher.submit(event(A, 3));
        dispatcher.submit(event(B, 1));
        // Had version 3 been released, it would have been delivered before region B.
        await(deliveredB);
        HookMetrics waiting = dispatcher.metrics();
        assertThat(hook.calls()).containsExactly(event(B, 1));
        assertThat(waiting.queueDepth()).isEqualTo(1);
        assertThat(waiting.lag()).containsEntry(A, 3L);
        assertThat(waiting.deliveredVersions()).containsEntry(A, 0L);
        dispatcher.submit(event(A, 1));
        dispatcher.submit(event(A, 2));

        assertThat(dispatcher.drain(WAIT)).isTrue();
        assertThat(hook.delivered(A)).containsExactly(event(A, 1), event(A, 2), event(A, 3));
        HookMetrics metrics = dispatcher.metrics();
        assertThat(metrics.name()).isEqualTo("test");
        assertThat(metrics.delivered()).isEqualTo(4);
        assertThat(metrics.queueDepth()).isZero();
        assertThat(metrics.lag()).containsEntry(A, 0L);
        assertThat(metrics.deliveredVersions()).containsEntry(A, 3L);
        assertThat(metrics.latency().count()).isEqualTo(4);
        assertThat(metrics.latency().maxNanos()).isGreaterThanOrEqualTo(metrics.latency().meanNanos());
        assertThat(hook.threads())
                .allSatisfy(thread -> assertThat(thread).startsWith("regolith-hook-test-"))
                .doesNotContain(Thread.currentThread().getName());
    }

    @Test
    void regionNotStartedStartsAtItsFirstSubmittedVersion() {
        DispatchRecordingHook hook = new DispatchRecordingHook("test");
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT);

        dispatcher.submit(event(A, 10));
        dispatcher.submit(event(A, 11, 12));

        assertThat(dispatcher.drain(WAIT)).isTrue();
        assertThat(hook.deliveredVersions(A)).isEqualTo(versions(10, 12));
        assertThat(dispatcher.metrics().deliveredVersions()).containsEntry(A, 12L);
    }

    @Test
    void regionsAreDeliveredInParallel() {
        CyclicBarrier bothInside = new CyclicBarrier(2);
        // Each region's first callback returns only once the other region's is running too.
        DispatchRecordingHook hook = new DispatchRecordingHook("test").behave(event -> bothInside.await(WAIT.toMillis(), MILLISECONDS));
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT.withThreads(2).withRetryLimit(0));

        dispatcher.submit(event(A, 1));
        dispatcher.submit(event(B, 1));

        assertThat(dispatcher.drain(WAIT)).isTrue();
        assertThat(dispatcher.metrics().failed()).isZero();
        assertThat(hook.deliveredVersions(A)).containsExactly(1L);
        assertThat(hook.deliveredVersions(B)).containsExactly(1L);
    }

    @Test
    void oneRegionNeverHasTwoCallbacksAtOnce() throws Exception {
        DispatchRecordingHook hook = new DispatchRecordingHook("test").behave(event -> Thread.yield());
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT.withThreads(4).withQueueSize(64));
        List<RegionId> regions = List.of(A, B, C, D);
        regions.forEach(region -> dispatcher.start(region, 1));
        int versions = 2_000;
        int submitters = 8;

        // Submitter t commits every version v with v % submitters == t: they race, so versions arrive out of order.
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        for (int t = 0; t < submitters; t++) {
            int submitter = t;
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                    for (long version = 1; version <= versions; version++) {
                        if (version % submitters == submitter) {
                            for (RegionId region : regions) {
                                dispatcher.submit(event(region, version));
                            }
                        }
                    }
                }
                catch (Throwable e) {
                    errors.add(e);
                }
            }, "submitter-" + t);
            thread.start();
            threads.add(thread);
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join(WAIT.toMillis());
        }

        assertThat(errors).isEmpty();
        assertThat(dispatcher.drain(WAIT)).isTrue();
        assertThat(hook.maxInFlightPerRegion()).isEqualTo(1);
        for (RegionId region : regions) {
            assertThat(hook.deliveredVersions(region)).as("region %s", region).isEqualTo(versions(1, versions));
            assertActionsMatchVersions(hook.delivered(region));
        }
    }

    @Test
    void blockedHookDoesNotBlockSubmitAndCoalescingBoundsTheQueue() throws Exception {
        CountDownLatch gate = gate();
        DispatchRecordingHook hook = new DispatchRecordingHook("test").behave(event -> gate.await());
        int queueSize = 16;
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT.withQueueSize(queueSize).withThreads(2));
        List<RegionId> regions = List.of(A, B, C);
        regions.forEach(region -> dispatcher.start(region, 1));
        int perRegion = 3_334;

        int maxDepth = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            int max = 0;
            for (long version = 1; version <= perRegion; version++) {
                for (RegionId region : regions) {
                    dispatcher.submit(event(region, version));
                    max = Math.max(max, dispatcher.metrics().queueDepth());
                }
            }
            return max;
        }, "submit blocked on a blocked hook");

        // Each region adds at most one event beyond the queue size: the one after its blocked or running event.
        assertThat(maxDepth).isLessThanOrEqualTo(queueSize + regions.size());
        assertThat(hook.calls()).hasSizeLessThanOrEqualTo(2);
        HookMetrics blocked = dispatcher.metrics();
        assertThat(blocked.coalesced()).isPositive();
        assertThat(blocked.lag().values()).allSatisfy(lag -> assertThat(lag).isEqualTo(perRegion));

        gate.countDown();
        assertThat(dispatcher.drain(WAIT)).isTrue();
        int deliveredEvents = 0;
        for (RegionId region : regions) {
            assertThat(hook.deliveredVersions(region)).as("region %s", region).isEqualTo(versions(1, perRegion));
            assertActionsMatchVersions(hook.delivered(region));
            deliveredEvents += hook.delivered(region).size();
        }
        HookMetrics metrics = dispatcher.metrics();
        assertThat(deliveredEvents).isEqualTo(regions.size() * perRegion - metrics.coalesced());
        assertThat(metrics.delivered()).isEqualTo(deliveredEvents);
        assertThat(metrics.lag().values()).containsOnly(0L);
    }

    @Test
    void lateReceiptJoinsItsPendingNeighboursWhenTheQueueIsFull() throws Exception {
        CountDownLatch gate = gate();
        CountDownLatch entered = new CountDownLatch(1);
        DispatchRecordingHook hook = blockedOnVersionOne(gate, entered);
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT.withQueueSize(1));
        dispatcher.start(A, 1);
        dispatcher.submit(event(A, 1));
        await(entered);

        dispatcher.submit(event(A, 3));
        dispatcher.submit(event(A, 5));
        // Full, but 5 cannot join 3 while 4 is missing.
        assertThat(dispatcher.metrics().queueDepth()).isEqualTo(2);
        dispatcher.submit(event(A, 4));
        assertThat(dispatcher.metrics().queueDepth()).isEqualTo(1);
        assertThat(dispatcher.metrics().coalesced()).isEqualTo(2);
        dispatcher.submit(event(A, 2));
        assertThat(dispatcher.metrics().queueDepth()).isEqualTo(1);
        assertThat(dispatcher.metrics().coalesced()).isEqualTo(3);
        gate.countDown();

        assertThat(dispatcher.drain(WAIT)).isTrue();
        assertThat(hook.delivered(A)).containsExactly(event(A, 1), event(A, 2, 5));
    }

    @Test
    void pendingActionsBeyondTheBoundAreReadBackFromTheManifest() throws Exception {
        CountDownLatch gate = gate();
        CountDownLatch entered = new CountDownLatch(1);
        DispatchRecordingHook hook = blockedOnVersionOne(gate, entered);
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT.withQueueActions(3));
        // No checkpoint in the test's versions, so every delta is still there to read back.
        ManifestCommitter manifest = ManifestCommitter.create(new InMemoryFileIO(), Path.of("/manifest"), metadata(A),
                RegionHooks.none(), new ManifestOptions(100));
        dispatcher.submit(new ManifestUpdatedEvent(A, ManifestActionList.of(new ManifestAction.Change(metadata(A))), 1, 1),
                manifest);
        await(entered);
        List<ManifestActionList> committed = new ArrayList<>();
        for (long version = 2; version <= 11; version++) {
            ManifestActionList actions = addFile(A);
            manifest.commit(actions);
            committed.add(actions);
            dispatcher.submit(new ManifestUpdatedEvent(A, actions, version, version), manifest);
            assertThat(dispatcher.heldActions()).as("held after version %d", version).isLessThanOrEqualTo(3);
        }
        assertThat(dispatcher.spills()).isPositive();

        gate.countDown();

        assertThat(dispatcher.drain(WAIT)).isTrue();
        assertThat(hook.deliveredVersions(A)).isEqualTo(versions(1, 11));
        assertThat(hook.delivered(A).subList(1, hook.delivered(A).size()))
                .as("each version with the actions it committed, read back or kept")
                .map(ManifestUpdatedEvent::actions).isEqualTo(committed);
    }

    @Test
    void versionsWhoseDeltasAreGoneBecomeOneReconcileThatLaterReceiptsDoNotRepeat() throws Exception {
        CountDownLatch gate = gate();
        CountDownLatch entered = new CountDownLatch(1);
        DispatchRecordingHook hook = blockedOnVersionOne(gate, entered);
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT.withQueueActions(1));
        // Checkpoints every 2 versions keep only the last 2 deltas: the early ones are gone when the hook gets to them.
        ManifestCommitter manifest = ManifestCommitter.create(new InMemoryFileIO(), Path.of("/manifest"), metadata(A),
                RegionHooks.none(), new ManifestOptions(2, 2));
        dispatcher.submit(new ManifestUpdatedEvent(A, ManifestActionList.of(new ManifestAction.Change(metadata(A))), 1, 1),
                manifest);
        await(entered);
        List<ManifestActionList> committed = new ArrayList<>();
        for (long version = 2; version <= 8; version++) {
            ManifestActionList actions = addFile(A);
            manifest.commit(actions);
            committed.add(actions);
        }
        for (long version = 2; version <= 4; version++) {
            dispatcher.submit(new ManifestUpdatedEvent(A, committed.get((int) version - 2), version, version), manifest);
        }
        assertThat(manifest.actionsOf(2, 2)).isEmpty();

        gate.countDown();
        assertThat(dispatcher.drain(WAIT)).isTrue();
        assertThat(hook.stream(A)).containsExactly("v1", "reconcile 2-8");
        assertThat(dispatcher.cursor(A)).isEqualTo(8);

        // Receipts still on their way: one the reconcile covers is ignored, one that straddles it keeps its later versions.
        ManifestActionList ninth = addFile(A);
        manifest.commit(ninth);
        List<ManifestAction> straddling = new ArrayList<>(committed.get(5).actions());
        straddling.addAll(committed.get(6).actions());
        straddling.addAll(ninth.actions());
        dispatcher.submit(new ManifestUpdatedEvent(A, committed.get(3), 5, 5), manifest);
        dispatcher.submit(new ManifestUpdatedEvent(A, new ManifestActionList(straddling), 7, 9), manifest);
        assertThat(dispatcher.drain(WAIT)).isTrue();
        assertThat(hook.stream(A)).containsExactly("v1", "reconcile 2-8", "v9");
        assertThat(hook.delivered(A).get(hook.delivered(A).size() - 1).actions()).isEqualTo(ninth);
        assertThat(dispatcher.metrics().failed()).isZero();
    }

    @Test
    void failingHookIsRetriedWithBackoffThenQuarantinedUntilReenabled() {
        AtomicBoolean failing = new AtomicBoolean(true);
        List<Long> attemptTimes = new CopyOnWriteArrayList<>();
        DispatchRecordingHook hook = new DispatchRecordingHook("test").behave(event -> {
            if (event.regionId().equals(A) && event.manifestVersion() == 2) {
                attemptTimes.add(System.nanoTime());
                if (failing.get()) {
                    throw new IllegalStateException("index service down");
                }
            }
        });
        DispatchRecordingHook healthyHook = new DispatchRecordingHook("healthy");
        HookDeliveryOptions options = HookDeliveryOptions.DEFAULT.withRetryLimit(3).withBackoff(Duration.ofMillis(10), Duration.ofMillis(40));
        HookDispatcher dispatcher = dispatcher(hook, options);
        HookDispatcher healthy = dispatcher(healthyHook, options);
        for (long version = 1; version <= 5; version++) {
            dispatcher.submit(event(A, version));
            healthy.submit(event(A, version));
        }

        // drain gives up as soon as the hook is quarantined.
        assertThat(dispatcher.drain(WAIT)).isFalse();
        assertThat(dispatcher.isQuarantined()).isTrue();
        HookMetrics quarantined = dispatcher.metrics();
        assertThat(quarantined.quarantined()).isTrue();
        assertThat(quarantined.failed()).isEqualTo(4);
        assertThat(quarantined.retried()).isEqualTo(3);
        assertThat(quarantined.delivered()).isEqualTo(1);
        assertThat(quarantined.deliveredVersions()).containsEntry(A, 1L);
        assertThat(quarantined.queueDepth()).isEqualTo(3);
        // Backoff 10, 20, then 40 ms (the cap) between the four attempts of the same event.
        assertThat(attemptTimes).hasSize(4);
        long[] backoffs = {10, 20, 40};
        for (int retry = 0; retry < backoffs.length; retry++) {
            assertThat(attemptTimes.get(retry + 1) - attemptTimes.get(retry))
                    .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(backoffs[retry]));
        }
        List<ManifestUpdatedEvent> attempts = hook.calls().stream().filter(event -> event.manifestVersion() == 2).toList();
        assertThat(attempts).hasSize(4).allSatisfy(event -> assertThat(event).isSameAs(attempts.get(0)));

        // The other hook is unaffected.
        assertThat(healthy.drain(WAIT)).isTrue();
        assertThat(healthyHook.deliveredVersions(A)).isEqualTo(versions(1, 5));
        assertThat(healthy.isQuarantined()).isFalse();

        // A quarantined hook still accepts events but delivers nothing, for any region.
        dispatcher.submit(event(B, 1));
        assertThat(dispatcher.drain(WAIT)).isFalse();
        assertThat(hook.delivered(B)).isEmpty();

        failing.set(false);
        dispatcher.reenable();

        assertThat(dispatcher.isQuarantined()).isFalse();
        assertThat(dispatcher.drain(WAIT)).isTrue();
        assertThat(hook.deliveredVersions(A)).isEqualTo(versions(1, 5));
        assertThat(hook.deliveredVersions(B)).containsExactly(1L);
        assertThat(attempts.get(0)).isSameAs(hook.delivered(A).get(1));
        HookMetrics metrics = dispatcher.metrics();
        assertThat(metrics.quarantined()).isFalse();
        assertThat(metrics.failed()).isEqualTo(4);
        assertThat(metrics.delivered()).isEqualTo(6);
    }

    @Test
    void skippedVersionsLetLaterVersionsThrough() {
        DispatchRecordingHook hook = new DispatchRecordingHook("test");
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT);
        dispatcher.start(A, 1);

        dispatcher.submit(event(A, 1));
        dispatcher.submit(event(A, 4));
        dispatcher.skip(A, 2, 3);
        // A region not started starts at the skipped versions.
        dispatcher.skip(B, 1, 2);
        dispatcher.submit(event(B, 3));

        assertThat(dispatcher.drain(WAIT)).isTrue();
        assertThat(hook.deliveredVersions(A)).containsExactly(1L, 4L);
        assertThat(hook.deliveredVersions(B)).containsExactly(3L);
        HookMetrics metrics = dispatcher.metrics();
        assertThat(metrics.deliveredVersions()).containsEntry(A, 4L).containsEntry(B, 3L);
        assertThat(metrics.lag()).containsEntry(A, 0L).containsEntry(B, 0L);
        assertThat(metrics.queueDepth()).isZero();
    }

    @Test
    void drainWaitsForDeliveryAndTimesOutWhileHookIsBlocked() throws Exception {
        CountDownLatch gate = gate();
        CountDownLatch entered = new CountDownLatch(1);
        DispatchRecordingHook hook = blockedOn(gate, entered);
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT);
        assertThat(dispatcher.drain(Duration.ZERO)).isTrue();
        dispatcher.submit(event(A, 1));
        await(entered);

        long start = System.nanoTime();
        assertThat(dispatcher.drain(Duration.ofMillis(50))).isFalse();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(MILLISECONDS.toNanos(50));

        gate.countDown();
        assertThat(dispatcher.drain(WAIT)).isTrue();
        assertThat(hook.deliveredVersions(A)).containsExactly(1L);
    }

    @Test
    void slowCallbackIsCountedWhileAnotherRegionIsDelivered() throws Exception {
        Duration deadline = Duration.ofMillis(200);
        CountDownLatch releaseA = gate();
        CountDownLatch enteredA = new CountDownLatch(1);
        CountDownLatch deliveredB = new CountDownLatch(3);
        DispatchRecordingHook hook = new DispatchRecordingHook("test").behave(event -> {
            if (event.regionId().equals(A)) {
                long start = System.nanoTime();
                enteredA.countDown();
                releaseA.await();
                // Slowness is what this test is about: make sure the call overran its deadline.
                long left = deadline.toNanos() * 5 / 4 - (System.nanoTime() - start);
                if (left > 0) {
                    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                }
            }
            else {
                deliveredB.countDown();
            }
        });
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT.withDeadline(deadline).withThreads(2));

        dispatcher.submit(event(A, 1));
        await(enteredA);
        for (long version = 1; version <= 3; version++) {
            dispatcher.submit(event(B, version));
        }
        // B is delivered on the other thread while A's callback is stuck.
        await(deliveredB);
        releaseA.countDown();

        assertThat(dispatcher.drain(WAIT)).isTrue();
        HookMetrics metrics = dispatcher.metrics();
        assertThat(metrics.slow()).isEqualTo(1);
        assertThat(metrics.delivered()).isEqualTo(4);
        assertThat(metrics.latency().maxNanos()).isGreaterThan(deadline.toNanos());
        assertThat(hook.deliveredVersions(B)).isEqualTo(versions(1, 3));
    }

    @Test
    void sstFilesWrittenReturnsAfterTheDeadlineWhileTheHookBlocks() throws Exception {
        CountDownLatch gate = gate();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        DispatchRecordingHook hook = new DispatchRecordingHook("test").behaveOnSst(event -> {
            entered.countDown();
            gate.await();
            finished.countDown();
        });
        Duration deadline = Duration.ofMillis(50);
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT.withDeadline(deadline));

        long start = System.nanoTime();
        assertTimeoutPreemptively(WAIT, () -> dispatcher.deliverSstFilesWritten(sstEvent(A)));

        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(deadline.toNanos());
        await(entered);
        assertThat(dispatcher.metrics().slow()).isEqualTo(1);
        assertThat(dispatcher.metrics().delivered()).isZero();
        // The callback goes on in the background and is counted when it returns.
        gate.countDown();
        await(finished);
        dispatcher.close(WAIT);
        assertThat(dispatcher.metrics().delivered()).isEqualTo(1);
        assertThat(dispatcher.metrics().slow()).isEqualTo(1);
        assertThat(hook.threads()).allSatisfy(thread -> assertThat(thread).startsWith("regolith-hook-test-"));
    }

    @Test
    void sstFilesWrittenSwallowsExceptions() {
        DispatchRecordingHook hook = new DispatchRecordingHook("test").behaveOnSst(event -> {
            throw new IllegalStateException("boom");
        });
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT.withRetryLimit(0));

        dispatcher.deliverSstFilesWritten(sstEvent(A));

        HookMetrics metrics = dispatcher.metrics();
        assertThat(metrics.failed()).isEqualTo(1);
        assertThat(metrics.slow()).isZero();
        // Not retried, and no reason to quarantine.
        assertThat(metrics.retried()).isZero();
        assertThat(metrics.quarantined()).isFalse();
    }

    @Test
    void sstFilesWrittenFromAHookCallbackRunsOnThatThread() {
        AtomicReference<HookDispatcher> self = new AtomicReference<>();
        AtomicReference<String> manifestThread = new AtomicReference<>();
        AtomicReference<String> sstThread = new AtomicReference<>();
        // With one thread, waiting for another delivery thread would wait for itself until the deadline.
        DispatchRecordingHook hook = new DispatchRecordingHook("test")
                .behave(event -> {
                    manifestThread.set(Thread.currentThread().getName());
                    self.get().deliverSstFilesWritten(sstEvent(event.regionId()));
                })
                .behaveOnSst(event -> sstThread.set(Thread.currentThread().getName()));
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT.withThreads(1).withDeadline(WAIT));
        self.set(dispatcher);

        dispatcher.submit(event(A, 1));

        assertThat(dispatcher.drain(WAIT)).isTrue();
        assertThat(sstThread.get()).isEqualTo(manifestThread.get()).startsWith("regolith-hook-test-");
        assertThat(dispatcher.metrics().slow()).isZero();
        assertThat(dispatcher.metrics().delivered()).isEqualTo(2);
    }

    @Test
    void duplicatesAreIgnoredAndOverlapsRejected() {
        DispatchRecordingHook hook = new DispatchRecordingHook("test");
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT);
        dispatcher.start(A, 5);

        dispatcher.submit(event(A, 3));
        assertThat(dispatcher.metrics().duplicates()).isEqualTo(1);
        assertThatThrownBy(() -> dispatcher.submit(event(A, 4, 6)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot submit versions 4 to 6 of region 1024_0000000001 for hook test: they overlap versions up to 4, "
                        + "already delivered (receipts never overlap)");
        dispatcher.submit(event(A, 7));
        assertThatThrownBy(() -> dispatcher.submit(event(A, 6, 7)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot submit versions 6 to 7 of region 1024_0000000001 for hook test: they overlap versions 7 to 7, "
                        + "pending (receipts never overlap)");
        assertThatThrownBy(() -> dispatcher.skip(A, 7, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot skip versions 7 to 8 of region 1024_0000000001 for hook test: they overlap versions 7 to 7, "
                        + "pending (receipts never overlap)");
        assertThatThrownBy(() -> dispatcher.skip(A, 9, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid version range to skip for region 1024_0000000001 of hook test: 9 to 8");
        assertThatThrownBy(() -> dispatcher.start(A, 9))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Cannot start region 1024_0000000001 of hook test at version 9: versions 5 to 7 are still pending delivery");
        assertThatThrownBy(() -> dispatcher.start(B, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid next version 0 of region 1024_0000000002 for hook test: versions start at 1");

        dispatcher.submit(event(A, 5, 6));
        assertThat(dispatcher.drain(WAIT)).isTrue();
        assertThat(hook.deliveredVersions(A)).isEqualTo(versions(5, 7));
        assertThat(dispatcher.metrics().duplicates()).isEqualTo(1);

        // Nothing pending: a region dropped and created again starts over.
        dispatcher.start(A, 1);
        dispatcher.submit(event(A, 1));
        assertThat(dispatcher.drain(WAIT)).isTrue();
        assertThat(hook.deliveredVersions(A)).isEqualTo(List.of(5L, 6L, 7L, 1L));
        assertThat(dispatcher.metrics().deliveredVersions()).containsEntry(A, 1L);
    }

    @Test
    void closeDrainsThenIgnoresLaterCalls() throws Exception {
        DispatchRecordingHook hook = new DispatchRecordingHook("test");
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT);
        for (long version = 1; version <= 3; version++) {
            dispatcher.submit(event(A, version));
        }

        dispatcher.close(WAIT);

        assertThat(hook.deliveredVersions(A)).isEqualTo(versions(1, 3));
        dispatcher.submit(event(A, 4));
        dispatcher.skip(A, 5, 6);
        dispatcher.start(B, 1);
        dispatcher.deliverSstFilesWritten(sstEvent(A));
        dispatcher.close();
        assertThat(dispatcher.drain(WAIT)).isTrue();
        assertThat(hook.calls()).hasSize(3);
        assertThat(dispatcher.metrics().deliveredVersions()).containsOnlyKeys(A).containsEntry(A, 3L);
    }

    @Test
    void closeGivesUpOnABlockedHookAfterItsTimeout() throws Exception {
        CountDownLatch gate = gate();
        CountDownLatch entered = new CountDownLatch(1);
        DispatchRecordingHook hook = blockedOn(gate, entered);
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT);
        dispatcher.submit(event(A, 1));
        dispatcher.submit(event(A, 2));
        await(entered);

        long start = System.nanoTime();
        assertTimeoutPreemptively(WAIT, () -> dispatcher.close(Duration.ofMillis(50)));

        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(MILLISECONDS.toNanos(50));
        // Version 2 stays undelivered, above the cursor, and nothing waits for it any more.
        assertThat(dispatcher.drain(WAIT)).isFalse();
        assertThat(dispatcher.metrics().deliveredVersions()).containsEntry(A, 0L);
        assertThat(hook.calls()).containsExactly(event(A, 1));
    }

    private static FilesRemovedEvent removed(RegionId region, int files) {
        return new FilesRemovedEvent(region, java.util.stream.IntStream.range(0, files).mapToObj(i -> FileId.random()).toList());
    }

    @Test
    void lifecycleNotesKeepTheirPlaceInTheRegionsStream() throws Exception {
        CountDownLatch gate = gate();
        CountDownLatch entered = new CountDownLatch(1);
        DispatchRecordingHook hook = blockedOnVersionOne(gate, entered);
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT);
        dispatcher.start(A, 1);
        dispatcher.submit(event(A, 1));
        await(entered);

        dispatcher.submitNote(removed(A, 1)); // after version 1
        dispatcher.submit(event(A, 2));
        dispatcher.submitNote(removed(A, 2)); // after version 2
        dispatcher.submit(event(A, 4)); // 3 is still being committed
        dispatcher.submitNote(new RegionClosedEvent(A, 4)); // after version 4, so after 3 as well
        dispatcher.submit(event(A, 3));
        gate.countDown();

        assertThat(dispatcher.drain(WAIT)).isTrue();
        assertThat(hook.stream(A)).containsExactly("v1", "removed1", "v2", "removed2", "v3", "v4", "closed");
        assertThat(dispatcher.metrics().delivered()).isEqualTo(7);
    }

    @Test
    void fullQueueMergesFilesRemovedNotesButNeverUpdatesAcrossANote() throws Exception {
        CountDownLatch gate = gate();
        CountDownLatch entered = new CountDownLatch(1);
        DispatchRecordingHook hook = blockedOn(gate, entered);
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT.withQueueSize(1));
        dispatcher.submit(event(A, 1));
        await(entered);

        dispatcher.submit(event(A, 2));
        dispatcher.submitNote(removed(A, 1)); // after 2: version 3 must not merge into 2
        dispatcher.submit(event(A, 3));
        dispatcher.submit(event(A, 4)); // merges into 3
        dispatcher.submitNote(removed(A, 2)); // merges into the first note, which moves to after 4
        dispatcher.submitNote(removed(A, 3));
        gate.countDown();

        assertThat(dispatcher.drain(WAIT)).isTrue();
        assertThat(hook.stream(A)).containsExactly("v1", "v2", "v3-4", "removed6");
        assertThat(dispatcher.metrics().coalesced()).isEqualTo(3);
        assertActionsMatchVersions(hook.delivered(A));
    }

    @Test
    void regionCreatedAgainAfterADropWaitsForTheOldStream() throws Exception {
        CountDownLatch gate = gate();
        CountDownLatch entered = new CountDownLatch(1);
        DispatchRecordingHook hook = blockedOn(gate, entered);
        HookDispatcher dispatcher = dispatcher(hook, HookDeliveryOptions.DEFAULT);
        dispatcher.start(A, 1);
        dispatcher.submit(event(A, 1));
        await(entered);
        dispatcher.submit(event(A, 2));
        dispatcher.submitNote(new RegionDroppedEvent(A, 2));
        assertThat(dispatcher.knownHead(A)).as("a dropped region is not known to an open").isEqualTo(-1);

        dispatcher.start(A, 1); // created again
        dispatcher.submit(event(A, 1));
        dispatcher.submitNote(new RegionClosedEvent(A, 1));
        assertThat(dispatcher.drain(Duration.ofMillis(20))).as("the old stream is still blocked").isFalse();
        gate.countDown();

        assertThat(dispatcher.drain(WAIT)).isTrue();
        assertThat(hook.stream(A)).containsExactly("v1", "v2", "dropped", "v1", "closed");
        assertThat(hook.maxInFlightPerRegion()).isEqualTo(1);
        assertThat(dispatcher.metrics().deliveredVersions()).containsEntry(A, 1L);
        assertThat(dispatcher.knownHead(A)).isEqualTo(1);
    }

    @Test
    void sstCallsOfSeveralHooksShareOneDeadline() {
        List<HookDispatcher> blocked = new ArrayList<>();
        CountDownLatch gate = gate();
        Duration deadline = Duration.ofMillis(600);
        for (int i = 0; i < 3; i++) {
            DispatchRecordingHook hook = new DispatchRecordingHook("blocked-" + i).behaveOnSst(event -> gate.await());
            blocked.add(dispatcher(hook, HookDeliveryOptions.DEFAULT.withDeadline(deadline)));
        }
        SstFilesWrittenEvent event = sstEvent(A);

        long start = System.nanoTime();
        List<HookDispatcher.SstCall> calls = blocked.stream().map(dispatcher -> dispatcher.beginSstFilesWritten(event)).toList();
        for (int i = 0; i < calls.size(); i++) {
            blocked.get(i).awaitSstFilesWritten(calls.get(i), start);
        }
        long elapsed = System.nanoTime() - start;

        // One after the other they would take three deadlines.
        assertThat(elapsed).isBetween(deadline.toNanos(), 2 * deadline.toNanos());
        assertThat(blocked).allSatisfy(dispatcher -> assertThat(dispatcher.metrics().slow()).isEqualTo(1));
        // While the first call overruns, later calls are queued behind it and nobody waits for them.
        long again = System.nanoTime();
        blocked.get(0).deliverSstFilesWritten(event);
        assertThat(System.nanoTime() - again).isLessThan(deadline.toNanos());
        assertThat(blocked.get(0).metrics().slow()).isEqualTo(1);
    }
}
