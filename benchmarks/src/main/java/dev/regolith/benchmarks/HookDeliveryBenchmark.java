package dev.regolith.benchmarks;

import static dev.regolith.benchmarks.ReceiptBenchmark.METADATA;
import static dev.regolith.benchmarks.ReceiptBenchmark.REGION;

import dev.regolith.benchmarks.ReceiptBenchmark.CountingHook;
import dev.regolith.benchmarks.ReceiptBenchmark.FileChurn;
import dev.regolith.benchmarks.ReceiptBenchmark.ManifestStorage;
import dev.regolith.engine.api.HookMetrics;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.hook.HookDeliveryOptions;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.io.InMemoryFileIO;
import dev.regolith.engine.manifest.ManifestCommitter;
import dev.regolith.engine.manifest.ManifestLock;
import dev.regolith.engine.manifest.ManifestOptions;
import dev.regolith.engine.manifest.PendingManifestHook;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.RegionHook;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What hooks cost the manifest commit funnel now that they are delivered asynchronously: commit
 * throughput and manifest lock hold time with no hook ({@code hooks=none}), with 10 no-op hooks
 * ({@code noop10}) and with one hook that sleeps 50 ms in every {@code onManifestUpdated}
 * ({@code slow50ms}), and what {@link PendingManifestHook#fire()} allocates when no hook is
 * installed.
 *
 * <ul>
 *   <li>{@code commitThroughput} (ops/s): one {@link ManifestCommitter#commit} per operation:
 *       lock, write the delta, release, fire. Each operation adds one file and removes the one the
 *       previous operation added ({@link FileChurn}), so the manifest does not grow with the
 *       iteration count. {@code storage=memory} measures the engine's own work,
 *       {@code storage=local} (real fsyncs in a temporary directory) mostly the disk.</li>
 *   <li>{@code lockHold} (sample time, µs): exactly the time the manifest write lock is held:
 *       acquire, {@link ManifestCommitter#commitLocked}, release. The edit is built in a
 *       {@link Level#Invocation} setup and the receipt fired in a {@link Level#Invocation}
 *       teardown, because JMH cannot leave out part of a benchmark method. JMH warns that
 *       per-invocation fixtures distort operations of a few nanoseconds, since each call is then
 *       timed on its own; a commit takes microseconds in memory and milliseconds on disk, and
 *       sample time times individual calls anyway, so the distortion is small beside it. Hooks
 *       never run under the lock, so what this shows for {@code noop10} and {@code slow50ms} is
 *       the indirect cost: hook threads competing for the CPU (10 no-op hooks bring 20 delivery
 *       threads), and the garbage of their queues.</li>
 *   <li>{@code fireNoHooks} (average time, ns): firing a fresh receipt of a region with no hooks.
 *       Every receipt can be used once, so each one is committed under the lock in a
 *       {@link Level#Invocation} setup. For the same reason the {@code -prof gc} figure
 *       {@code gc.alloc.rate.norm} of this benchmark is <em>not</em> what {@code fire()}
 *       allocates: the GC profiler counts everything the thread allocates during an iteration,
 *       setups included, so it reports the commit's allocations. The benchmark therefore reads
 *       the thread's allocation counter right before and right after each call and reports the
 *       sum as the counter {@code fireNoHooks:fireAllocatedBytes}: the bytes allocated by all
 *       calls of the iteration together, which must be 0.</li>
 * </ul>
 *
 * <p>The slow hook cannot keep up with the commits (it returns from at most 20 calls a second),
 * so its queue fills up and further versions are merged into its last pending event, and once its
 * pending events hold more than {@code hooks.<name>.queue.actions} (default 1024) actions they
 * drop them and keep only their version ranges, to be read back from the manifest when delivered.
 * Here the committer has no hook cursors to keep deltas for (the engine sets that retention floor
 * when it opens a region), so checkpoints delete the deltas and the slow hook gets a reconcile
 * with the current state at each call: its memory stays bounded for the whole trial, as it would
 * for a hook that falls that far behind in the engine. Each trial prints the hooks' delivery
 * counters when it ends; the slow hook's deadline is raised to 1 s, so it is not reported as slow
 * on every call.
 *
 * <p>Warm-up is 10 iterations: with 10 hooks, the hook threads' code is compiled on the same two
 * cores as the benchmark's, and on the development machine {@code noop10} reached its steady
 * throughput only after 5 to 7 one-second iterations (with 5, its first measured iterations were
 * still climbing).
 * At the end of a trial the hooks get 5 s to catch up before they are closed: the no-op hooks
 * must have been delivered every version by then, the slow hook is closed with its backlog.
 *
 * <p>Run, on an otherwise idle machine:
 * {@code java -jar benchmarks/target/benchmarks.jar HookDeliveryBenchmark -prof gc}. The targets
 * of the hook delivery issue read from the output, comparing rows of the same {@code storage}:
 * <ul>
 *   <li>commit throughput with 10 hooks at least 0.95 times that with none: {@code Score} of
 *       {@code commitThroughput} with {@code hooks=noop10} divided by {@code hooks=none};</li>
 *   <li>lock hold p99 with the slow hook at most 1.1 times that with none: the
 *       {@code lockHold·p0.99} row with {@code hooks=slow50ms} divided by {@code hooks=none};</li>
 *   <li>{@code fire()} with no hooks allocates nothing: the {@code fireNoHooks:fireAllocatedBytes}
 *       row is 0, which JMH prints as {@code ≈ 0} ({@code fireNoHooks:gc.alloc.rate.norm} is not: it
 *       includes the commit made in the setup, see above).</li>
 * </ul>
 *
 * <p>JMH runs every fork of {@code hooks=none} before those of {@code hooks=noop10}. In memory
 * that does not matter; on a real disk, whose throughput can drift by a fifth within minutes, the
 * ratio of one run then mostly measures the drift. Compare {@code storage=local} with runs that
 * alternate: {@code -p storage=local -p hooks=none -f 1}, then {@code hooks=noop10}, several
 * times.
 */
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class HookDeliveryBenchmark {

    private static final int NOOP_HOOKS = 10;
    private static final Duration SLOW_CALL = Duration.ofMillis(50);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    /** A hook that takes {@link #SLOW_CALL} over every manifest update, like one that calls a remote service. */
    static final class SleepingHook implements RegionHook {
        static final String NAME = "slow50ms";

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public void onManifestUpdated(ManifestUpdatedEvent event) {
            try {
                Thread.sleep(SLOW_CALL.toMillis());
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @State(Scope.Thread)
    public static class CommitState {
        @Param({"none", "noop10", "slow50ms"})
        public String hooks;

        @Param({"memory", "local"})
        public String storage;

        ManifestCommitter committer;
        final FileChurn churn = new FileChurn();
        private final List<CountingHook> noopHooks = new ArrayList<>();
        private RegionHooks regionHooks;
        private ManifestStorage manifestStorage;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            regionHooks = switch (hooks) {
                case "none" -> RegionHooks.none();
                case "noop10" -> {
                    for (int i = 0; i < NOOP_HOOKS; i++) {
                        noopHooks.add(new CountingHook("noop-" + i));
                    }
                    yield RegionHooks.of(noopHooks);
                }
                case "slow50ms" -> RegionHooks.of(List.of(new SleepingHook()),
                        Map.of("hooks." + SleepingHook.NAME + "." + HookDeliveryOptions.DEADLINE_MS, "1000"));
                default -> throw new IllegalArgumentException("Unknown hooks " + hooks + ": use none, noop10 or slow50ms");
            };
            manifestStorage = ManifestStorage.create(storage, "regolith-hook-bench-");
            committer = ManifestCommitter.create(manifestStorage.io(), manifestStorage.directory(), METADATA, regionHooks,
                    ManifestOptions.DEFAULT);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            long head = committer.current().manifestVersion();
            regionHooks.close(CLOSE_TIMEOUT);
            if (!regionHooks.isEmpty()) {
                List<HookMetrics> metrics = regionHooks.metrics();
                // On a line of its own: JMH prints it in the middle of the iteration's result line.
                System.out.printf("%nhooks=%s storage=%s: %d versions committed; %d hooks made %d callbacks, "
                        + "coalesced %d events, left %d queued%n", hooks, storage, head, metrics.size(),
                        metrics.stream().mapToLong(HookMetrics::delivered).sum(),
                        metrics.stream().mapToLong(HookMetrics::coalesced).sum(),
                        metrics.stream().mapToLong(HookMetrics::queueDepth).sum());
            }
            for (CountingHook hook : noopHooks) {
                if (hook.lastVersion != head) {
                    throw new IllegalStateException("Hook " + hook.name() + " was delivered up to version " + hook.lastVersion
                            + " of " + head + " within " + CLOSE_TIMEOUT.toSeconds() + " s of the end of the trial");
                }
            }
            manifestStorage.delete();
        }
    }

    /** A {@link CommitState} whose edit is built before, and whose receipt is fired after, the measured call. */
    public static class LockHoldState extends CommitState {
        ManifestActionList edit;
        PendingManifestHook receipt;

        @Setup(Level.Invocation)
        public void buildEdit() {
            edit = churn.nextEdit();
        }

        @TearDown(Level.Invocation)
        public void fireReceipt() {
            receipt.fire();
            receipt = null;
        }
    }

    /**
     * A fresh receipt per call of a region without hooks, and the bytes the calls allocated. JMH
     * reports every public field of this class as a counter.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class FireState {
        private static final com.sun.management.ThreadMXBean THREADS =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        /** Bytes allocated by the benchmark thread between the setup and the teardown of each call, summed per iteration. */
        public long fireAllocatedBytes;

        ManifestCommitter committer;
        final FileChurn churn = new FileChurn();
        PendingManifestHook receipt;
        private long allocatedBefore;

        @Setup(Level.Trial)
        public void setUp() {
            if (!THREADS.isThreadAllocatedMemorySupported()) {
                throw new IllegalStateException("This JVM cannot count the bytes a thread allocates (ThreadMXBean."
                        + "isThreadAllocatedMemorySupported() is false), which fireNoHooks reports: run it on HotSpot");
            }
            THREADS.setThreadAllocatedMemoryEnabled(true);
            committer = ManifestCommitter.create(new InMemoryFileIO(), Path.of("/regolith-bench", REGION.toString(), "manifest"),
                    METADATA, RegionHooks.none(), ManifestOptions.DEFAULT);
        }

        @Setup(Level.Iteration)
        public void resetCounter() {
            fireAllocatedBytes = 0;
        }

        @Setup(Level.Invocation)
        @SuppressWarnings("try") // the held lock is the point of the try block
        public void commitUnderLock() {
            try (ManifestLock.Held held = committer.lock().acquire()) {
                receipt = committer.commitLocked(churn.nextEdit());
            }
            allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
        }

        @TearDown(Level.Invocation)
        public void countAllocation() {
            fireAllocatedBytes += THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
            receipt = null;
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long commitThroughput(CommitState state) {
        return state.committer.commit(state.churn.nextEdit());
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @SuppressWarnings("try") // the held lock is the point of the try block
    public long lockHold(LockHoldState state) {
        try (ManifestLock.Held held = state.committer.lock().acquire()) {
            state.receipt = state.committer.commitLocked(state.edit);
        }
        return state.receipt.version();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long fireNoHooks(FireState state) {
        PendingManifestHook receipt = state.receipt;
        receipt.fire();
        return receipt.version();
    }
}
