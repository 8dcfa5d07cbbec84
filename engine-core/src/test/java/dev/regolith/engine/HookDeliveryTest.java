package dev.regolith.engine;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.api.HookMetrics;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.hook.HookCursorStore;
import dev.regolith.engine.hook.HookDispatcher;
import dev.regolith.engine.hook.HookMBeans;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.testing.ScriptedHook;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.ReconcileEvent;
import dev.regolith.hooks.spi.RegionHook;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The delivery guarantees of docs/hooks.md, each proven on real regions. */
class HookDeliveryTest {

    /** How long a test waits for something that should happen at once; only reached on failure. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<RegolithEngine> engines = new ArrayList<>();
    private final List<CountDownLatch> gates = new ArrayList<>();
    private long nextTs = 1_000;

    @AfterEach
    void closeEngines() {
        gates.forEach(CountDownLatch::countDown);
        engines.forEach(RegolithEngine::close);
    }

    private EngineOptions options() {
        return EngineOptions.of(dir).with("compaction.auto", "false").with("index.auto", "false");
    }

    private RegolithEngine open(EngineOptions options, RegionHook... hooks) {
        RegolithEngine engine = RegolithEngine.open(options, RegionHooks.of(List.of(hooks), options.settings()));
        engines.add(engine);
        return engine;
    }

    private void close(RegolithEngine engine) {
        engine.close();
        engines.remove(engine);
    }

    private CountDownLatch gate() {
        CountDownLatch gate = new CountDownLatch(1);
        gates.add(gate);
        return gate;
    }

    /** One write and one flush: one new manifest version. */
    private void commit(RegolithEngine engine) {
        engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put("h", 1.0, nextTs++).build());
        engine.flush(REGION);
    }

    private static HookMetrics metrics(RegolithEngine engine, String name) {
        return engine.hookMetrics().stream().filter(metrics -> metrics.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<Long> versions(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    @Test
    void blockedHookDelaysNeitherCommitsNorOtherHooksAndThenGetsEveryVersionInOrder() throws Exception {
        CountDownLatch gate = gate();
        CountDownLatch entered = new CountDownLatch(1);
        ScriptedHook blocked = new ScriptedHook("blocked").behave(event -> {
            if (event.manifestVersion() >= 2) {
                entered.countDown();
                gate.await();
            }
        });
        ScriptedHook other = new ScriptedHook("other");
        RegolithEngine engine = open(options().with("hooks.blocked.queue.size", "4"), blocked, other);
        engine.createRegion(metadata(REGION));

        // Forty commits while the blocked hook sits in its callback for version 2.
        assertTimeoutPreemptively(WAIT, () -> {
            for (int i = 0; i < 40; i++) {
                commit(engine);
            }
        });
        assertThat(entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        long head = engine.manifest(REGION).manifestVersion();
        assertThat(head).isEqualTo(41);
        assertThat(engine.hooks().drain("other", WAIT)).as("the other hook is not held up").isTrue();
        assertThat(other.versions(REGION)).isEqualTo(versions(1, head));
        assertThat(other.updates(REGION)).allSatisfy(event -> assertThat(event.firstVersion()).isEqualTo(event.manifestVersion()));
        assertThat(engine.drainHooks(Duration.ofMillis(50))).as("drain times out while a hook is blocked").isFalse();
        HookMetrics stuck = metrics(engine, "blocked");
        assertThat(stuck.coalesced()).as("the full queue merged versions").isPositive();
        // Bounded: queue size 4, plus one per region, plus the region's lifecycle note (onRegionOpened).
        assertThat(stuck.queueDepth()).isLessThanOrEqualTo(6);
        assertThat(stuck.lag()).containsEntry(REGION, head - 1);
        assertThat(stuck.deliveredVersions()).containsEntry(REGION, 1L);

        gate.countDown();

        assertThat(engine.drainHooks(WAIT)).isTrue();
        assertThat(blocked.versions(REGION)).as("every version once, in order").isEqualTo(versions(1, head));
        assertThat(blocked.updates(REGION)).anySatisfy(event -> assertThat(event.manifestVersion()).isGreaterThan(event.firstVersion()));
        assertThat(blocked.maxConcurrentCalls()).isEqualTo(1);
        HookMetrics caughtUp = metrics(engine, "blocked");
        assertThat(caughtUp.lag()).containsEntry(REGION, 0L);
        assertThat(caughtUp.queueDepth()).isZero();
        assertThat(caughtUp.quarantined()).isFalse();
    }

    private static HookDispatcher dispatcher(RegolithEngine engine, String name) {
        return engine.hooks().dispatchers().stream().filter(dispatcher -> dispatcher.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<ManifestAction> actions(List<ManifestUpdatedEvent> events) {
        return events.stream().flatMap(event -> event.actions().actions().stream()).toList();
    }

    @Test
    void hookFarBehindHoldsBoundedMemoryAndReadsItsVersionsBackFromTheManifest() throws Exception {
        CountDownLatch gate = gate();
        CountDownLatch entered = new CountDownLatch(1);
        ScriptedHook blocked = new ScriptedHook("blocked").behave(event -> {
            if (event.manifestVersion() == 2) {
                entered.countDown();
                gate.await();
            }
        });
        ScriptedHook other = new ScriptedHook("other");
        RegolithEngine engine = open(options().with("hooks.blocked.queue.actions", "3"), blocked, other);
        engine.createRegion(metadata(REGION));
        for (int i = 0; i < 40; i++) {
            commit(engine);
        }
        assertThat(entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(engine.hooks().drain("other", WAIT)).isTrue(); // every commit has reached every hook's dispatcher

        HookDispatcher behind = dispatcher(engine, "blocked");
        assertThat(behind.spills()).isPositive();
        assertThat(behind.heldActions()).as("what 39 versions pending hold in memory").isLessThanOrEqualTo(3);
        Object jmxSpills = ManagementFactory.getPlatformMBeanServer()
                .getAttribute(HookMBeans.objectName(engine.dataDirectory(), "blocked"), "Spills");
        assertThat((Long) jmxSpills).isPositive();

        gate.countDown();

        assertThat(engine.drainHooks(WAIT)).isTrue();
        long head = engine.manifest(REGION).manifestVersion();
        assertThat(blocked.versions(REGION)).as("every version once, in order").isEqualTo(versions(1, head));
        assertThat(actions(blocked.updates(REGION))).as("the actions read back are the ones committed")
                .isEqualTo(actions(other.updates(REGION)));
    }

    @Test
    void hookBehindTheRetainedDeltasGetsOneReconcileThenEveryLaterVersion() throws Exception {
        CountDownLatch gate = gate();
        CountDownLatch entered = new CountDownLatch(1);
        ScriptedHook blocked = new ScriptedHook("blocked").behave(event -> {
            if (event.manifestVersion() == 2) {
                entered.countDown();
                gate.await();
            }
        });
        // Checkpoints every 2 versions and at most 2 deltas kept: the blocked hook's versions are gone when it gets to them.
        RegolithEngine engine = open(options().with("hooks.blocked.queue.actions", "1").with("manifest.checkpoint.distance", "2")
                .with("manifest.retained.deltas.max", "2"), blocked);
        engine.createRegion(metadata(REGION));
        for (int i = 0; i < 20; i++) {
            commit(engine);
        }
        assertThat(entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        long head = engine.manifest(REGION).manifestVersion();

        gate.countDown();

        assertThat(engine.drainHooks(WAIT)).isTrue();
        assertThat(blocked.stream()).as("one reconcile in place of the lost versions").containsExactly("v1", "opened", "v2",
                "reconcile 3-" + head);
        ReconcileEvent reconcile = (ReconcileEvent) blocked.delivered().get(3);
        assertThat(reconcile.manifest()).isEqualTo(engine.manifest(REGION));
        commit(engine);
        assertThat(engine.drainHooks(WAIT)).isTrue();
        assertThat(blocked.stream()).endsWith("reconcile 3-" + head, "v" + (head + 1));
    }

    @Test
    void throwingHookIsRetriedThenQuarantinedAndTheOthersAreUntouched() throws Exception {
        ScriptedHook failing = new ScriptedHook("failing").behave(event -> {
            throw new IllegalStateException("index server unreachable");
        });
        ScriptedHook other = new ScriptedHook("other");
        RegolithEngine engine = open(options()
                .with("hooks.failing.retry.limit", "2")
                .with("hooks.failing.backoff.initial.ms", "1")
                .with("hooks.failing.backoff.max.ms", "5"), failing, other);
        engine.createRegion(metadata(REGION));
        for (int i = 0; i < 5; i++) {
            commit(engine);
        }

        assertThat(engine.drainHooks(WAIT)).as("a quarantined hook never drains").isFalse();
        HookMetrics quarantined = metrics(engine, "failing");
        assertThat(quarantined.quarantined()).isTrue();
        assertThat(quarantined.failed()).isEqualTo(3);
        assertThat(quarantined.retried()).isEqualTo(2);
        assertThat(quarantined.deliveredVersions()).containsEntry(REGION, 0L);
        assertThat(failing.updateCalls()).as("version 1, then two retries; nothing after the quarantine").isEqualTo(3);
        assertThat(engine.manifest(REGION).manifestVersion()).isEqualTo(6);
        assertThat(engine.hooks().drain("other", WAIT)).isTrue();
        assertThat(other.versions(REGION)).isEqualTo(versions(1, 6));
        HookMetrics untouched = metrics(engine, "other");
        assertThat(untouched.failed()).isZero();
        assertThat(untouched.quarantined()).isFalse();
        Object jmxQuarantined = ManagementFactory.getPlatformMBeanServer()
                .getAttribute(HookMBeans.objectName(engine.dataDirectory(), "failing"), "Quarantined");
        assertThat(jmxQuarantined).isEqualTo(true);

        failing.behave(event -> { });
        engine.reenableHook("failing");

        assertThat(engine.drainHooks(WAIT)).isTrue();
        assertThat(failing.versions(REGION)).isEqualTo(versions(1, 6));
        assertThat(metrics(engine, "failing").quarantined()).isFalse();
        assertThatThrownBy(() -> engine.reenableHook("nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("No hook named nope is installed; the hooks are [failing, other]");
    }

    @Test
    void restartDeliversWhatTheHookMissedAndAReconcileWhenTheDeltasAreGone() throws Exception {
        RegolithEngine first = open(options(), new ScriptedHook("late"));
        first.createRegion(metadata(REGION));
        commit(first);
        commit(first);
        close(first); // drains and persists the cursor: version 3
        assertThat(new HookCursorStore(new LocalFileIO(), REGION, dir.resolve(REGION.toString())).read("late")).isEqualTo(3);

        RegolithEngine without = open(options());
        without.openRegion(REGION);
        for (int i = 0; i < 3; i++) {
            commit(without);
        }
        close(without);

        ScriptedHook late = new ScriptedHook("late");
        RegolithEngine again = open(options(), late);
        again.openRegion(REGION);
        assertThat(again.drainHooks(WAIT)).isTrue();
        assertThat(late.stream()).as("the missed versions one by one, then the open").containsExactly("v4", "v5", "v6", "opened");
        commit(again);
        assertThat(again.drainHooks(WAIT)).isTrue();
        assertThat(late.versions(REGION)).isEqualTo(versions(4, 7));
        close(again);

        // Far behind: checkpoints every 2 versions, at most 2 deltas kept for hooks that are not there.
        RegolithEngine forgetful = open(options().with("manifest.checkpoint.distance", "2").with("manifest.retained.deltas.max", "2"));
        forgetful.openRegion(REGION);
        for (int i = 0; i < 6; i++) {
            commit(forgetful);
        }
        close(forgetful);

        ScriptedHook behind = new ScriptedHook("late");
        RegolithEngine reconciled = open(options(), behind);
        reconciled.openRegion(REGION);
        assertThat(reconciled.drainHooks(WAIT)).isTrue();
        assertThat(behind.stream()).containsExactly("reconcile 8-13", "opened");
        ReconcileEvent reconcile = (ReconcileEvent) behind.delivered().get(0);
        assertThat(reconcile.manifest()).isEqualTo(reconciled.manifest(REGION));
        assertThat(reconcile.idempotencyKey()).isEqualTo(REGION + "@13");
        commit(reconciled);
        assertThat(reconciled.drainHooks(WAIT)).isTrue();
        assertThat(behind.stream()).containsExactly("reconcile 8-13", "opened", "v14");
    }

    @Test
    void laggingHookKeepsTheDeltasItStillNeeds() throws Exception {
        CountDownLatch gate = gate();
        ScriptedHook slow = new ScriptedHook("slow").behave(event -> gate.await());
        EngineOptions options = options().with("manifest.checkpoint.distance", "2").with("manifest.retained.deltas.max", "100")
                .with("delivery.close.timeout.ms", "0");
        RegolithEngine engine = open(options, slow);
        engine.createRegion(metadata(REGION));
        for (int i = 0; i < 8; i++) {
            commit(engine);
        }
        close(engine); // the hook is still in version 1: its cursor stays at 0
        gate.countDown();

        ScriptedHook recovered = new ScriptedHook("slow");
        RegolithEngine reopened = open(options, recovered);
        reopened.openRegion(REGION);

        assertThat(reopened.drainHooks(WAIT)).isTrue();
        // Checkpoints at 2, 4, 6 and 8 would have deleted the early deltas, but the hook needed them.
        assertThat(recovered.versions(REGION)).isEqualTo(versions(1, 9));
        assertThat(recovered.updates(REGION)).noneMatch(event -> event.firstVersion() != event.manifestVersion());
    }

    @Test
    void droppedRegionCreatedAgainStartsOverAfterItsOldEvents() {
        ScriptedHook hook = new ScriptedHook("hook");
        RegolithEngine engine = open(options(), hook);
        engine.createRegion(metadata(REGION));
        commit(engine);
        engine.dropRegion(REGION);
        engine.createRegion(metadata(REGION));
        commit(engine);

        assertThat(engine.drainHooks(WAIT)).isTrue();
        assertThat(hook.stream()).containsExactly("v1", "opened", "v2", "v3", "dropped", "v1", "opened", "v2");
        assertThat(hook.updates(REGION).stream().map(ManifestUpdatedEvent::idempotencyKey).toList())
                .containsExactly(REGION + "@1", REGION + "@2", REGION + "@3", REGION + "@1", REGION + "@2");
    }
}
