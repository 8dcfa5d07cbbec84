package dev.regolith.engine.hook;

import static dev.regolith.engine.hook.DispatchRecordingHook.assertActionsMatchVersions;
import static dev.regolith.engine.hook.DispatchRecordingHook.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.regolith.engine.api.HookMetrics;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Shuffled receipts for several regions, submitted by racing threads to a hook that fails at
 * random: every region must see every version exactly once, in order, with discarded versions
 * skipped. In half the runs the receipts come with a history and the queue holds only a few
 * actions, so most pending events drop their actions and read them back when delivered.
 *
 * <p>Rerun a failure with {@code -Dregolith.test.seed=<seed printed in the output>} (the receipts
 * and failures are reproduced; the thread interleaving is not).
 */
class HookDispatcherRandomizedTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private record Receipt(RegionId region, long first, long last, boolean discarded) {
    }

    @RepeatedTest(5)
    void everyVersionIsDeliveredOnceInOrderDespiteShuffleAndFailures() throws Exception {
        long seed = Long.getLong("regolith.test.seed", new Random().nextLong());
        System.out.println("HookDispatcherRandomizedTest seed=" + seed);
        Random random = new Random(seed);

        int regionCount = 2 + random.nextInt(5);
        List<RegionId> regions = new ArrayList<>();
        Map<RegionId, Long> lastVersions = new ConcurrentHashMap<>();
        Map<RegionId, Set<Long>> discarded = new ConcurrentHashMap<>();
        List<Receipt> receipts = new ArrayList<>();
        for (int r = 0; r < regionCount; r++) {
            RegionId region = RegionId.of(1024, r + 1);
            regions.add(region);
            long versions = 50 + random.nextInt(400);
            lastVersions.put(region, versions);
            discarded.put(region, new TreeSet<>());
            for (long first = 1; first <= versions; ) {
                long last = Math.min(versions, first + random.nextInt(3));
                boolean discard = random.nextInt(10) == 0;
                receipts.add(new Receipt(region, first, last, discard));
                if (discard) {
                    for (long version = first; version <= last; version++) {
                        discarded.get(region).add(version);
                    }
                }
                first = last + 1;
            }
        }
        Collections.shuffle(receipts, random);

        // A call fails when a seeded hash of its event and attempt says so, never three times in a row.
        int failurePercent = 5 + random.nextInt(25);
        Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        DispatchRecordingHook hook = new DispatchRecordingHook("random").behave(event -> {
            int attempt = attempts.computeIfAbsent(event.regionId() + "@" + event.firstVersion() + ".." + event.manifestVersion(),
                    key -> new AtomicInteger()).getAndIncrement();
            long hash = new Random(seed ^ event.regionId().id() * 31 ^ event.firstVersion() * 131 ^ event.manifestVersion() * 7919
                    ^ attempt).nextLong();
            if (attempt < 2 && Math.floorMod(hash, 100) < failurePercent) {
                throw new IllegalStateException("random failure of " + event.idempotencyKey() + ", attempt " + attempt);
            }
        });
        boolean readBack = random.nextBoolean();
        Map<RegionId, ManifestHistory> histories = new ConcurrentHashMap<>();
        for (RegionId region : regions) {
            histories.put(region, new ManifestHistory() {
                @Override
                public Optional<List<ManifestAction>> actionsOf(long first, long last) {
                    return Optional.of(event(region, first, last).actions().actions());
                }

                @Override
                public RegionManifest current() {
                    throw new UnsupportedOperationException("every version can be read back here");
                }
            });
        }
        HookDeliveryOptions options = HookDeliveryOptions.DEFAULT
                .withQueueActions(readBack ? 1 + random.nextInt(8) : HookDeliveryOptions.DEFAULT.queueActions())
                .withQueueSize(1 + random.nextInt(16))
                .withThreads(1 + random.nextInt(4))
                .withRetryLimit(2)
                .withBackoff(Duration.ofNanos(100_000), Duration.ofMillis(1));
        System.out.println("HookDispatcherRandomizedTest regions=" + regionCount + " receipts=" + receipts.size() + " options="
                + options + " failurePercent=" + failurePercent + " readBack=" + readBack);

        try (HookDispatcher dispatcher = new HookDispatcher(hook, hook.name(), options)) {
            regions.forEach(region -> dispatcher.start(region, 1));
            ConcurrentLinkedQueue<Receipt> queue = new ConcurrentLinkedQueue<>(receipts);
            int submitters = 1 + random.nextInt(4);
            CountDownLatch done = new CountDownLatch(submitters);
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            for (int t = 0; t < submitters; t++) {
                Thread thread = new Thread(() -> {
                    try {
                        for (Receipt receipt = queue.poll(); receipt != null; receipt = queue.poll()) {
                            if (receipt.discarded()) {
                                dispatcher.skip(receipt.region(), receipt.first(), receipt.last());
                            }
                            else {
                                dispatcher.submit(event(receipt.region(), receipt.first(), receipt.last()),
                                        readBack ? histories.get(receipt.region()) : null);
                            }
                        }
                    }
                    catch (Throwable e) {
                        errors.add(e);
                    }
                    finally {
                        done.countDown();
                    }
                }, "submitter-" + t);
                thread.start();
            }
            assertThat(done.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(errors).isEmpty();

            assertThat(dispatcher.drain(WAIT)).as("seed %s", seed).isTrue();

            HookMetrics metrics = dispatcher.metrics();
            assertThat(hook.maxInFlightPerRegion()).isEqualTo(1);
            assertThat(metrics.quarantined()).isFalse();
            assertThat(metrics.failed()).isEqualTo(metrics.retried());
            assertThat(metrics.duplicates()).isZero();
            assertThat(metrics.queueDepth()).isZero();
            assertThat(dispatcher.heldActions()).isZero();
            System.out.println("HookDispatcherRandomizedTest spills=" + dispatcher.spills());
            for (RegionId region : regions) {
                List<ManifestUpdatedEvent> delivered = hook.delivered(region);
                assertActionsMatchVersions(delivered);
                // Delivered and discarded versions together are 1..last, each once, delivered ones in order.
                List<Long> expected = new ArrayList<>();
                for (long version = 1; version <= lastVersions.get(region); version++) {
                    if (!discarded.get(region).contains(version)) {
                        expected.add(version);
                    }
                }
                assertThat(hook.deliveredVersions(region)).as("region %s, seed %s", region, seed).isEqualTo(expected);
                assertThat(metrics.deliveredVersions()).containsEntry(region, lastVersions.get(region));
                assertThat(metrics.lag()).containsEntry(region, 0L);
            }
        }
    }
}
