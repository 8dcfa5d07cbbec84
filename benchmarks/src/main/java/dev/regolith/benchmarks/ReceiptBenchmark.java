package dev.regolith.benchmarks;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.ManifestAction.Edit;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.io.InMemoryFileIO;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.manifest.ManifestCommitter;
import dev.regolith.engine.manifest.ManifestLock;
import dev.regolith.engine.manifest.ManifestOptions;
import dev.regolith.engine.manifest.PendingManifestHook;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.RegionHook;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * The receipt path of the manifest commit funnel: what a commit costs end to end, and what
 * merging the receipts of a multi-step commit costs.
 *
 * <ul>
 *   <li>{@code commitAndFire}: one {@link ManifestCommitter#commit} per operation (lock, write the
 *       delta, swap the state, release, fire to {@code hooks} no-op hooks). Each operation adds one
 *       file and removes the one the previous operation added, so the manifest stays one file
 *       large and the cost does not drift with the iteration count. {@code storage=memory} uses
 *       {@link InMemoryFileIO} (the engine's own work); {@code storage=local} uses
 *       {@link LocalFileIO} in a temporary directory with real fsyncs, so it mostly measures the
 *       disk. Checkpoints (every {@link ManifestOptions#DEFAULT 10} versions) are part of the
 *       average, as they are part of a real commit stream.</li>
 *   <li>{@code mergeReceipts}: folds {@code receipts} receipts with
 *       {@link PendingManifestHook#merge}, starting from {@link ManifestCommitter#emptyReceipt()},
 *       and fires the result with no hooks installed.</li>
 * </ul>
 *
 * <p>{@code mergeReceipts} needs fresh, unused receipts for every operation (a receipt can be
 * used once), and the only way to get one is to commit under the lock. That is done in a
 * {@link Level#Invocation} setup, which JMH excludes from the measured time. JMH warns that
 * per-invocation fixtures distort operations that take nanoseconds, because each invocation is
 * timestamped separately; here the setup commits up to 128 versions and the measured fold copies
 * the growing action list on each merge, which is in the microseconds for 16 and 128 receipts, so
 * the timestamping overhead (tens of nanoseconds) is small beside it. For {@code receipts=2} the
 * operation is only a few hundred nanoseconds, so read that figure as an upper bound. Keeping the
 * per-invocation setup also keeps every merged receipt a freshly committed one, as in the engine.
 *
 * <p>Run, for example: {@code java -jar benchmarks/target/benchmarks.jar ReceiptBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class ReceiptBenchmark {

    static final RegionId REGION = RegionId.of(1024, 1);
    static final RegionMetadata METADATA = new RegionMetadata(REGION, List.of(
            ColumnSchema.tag("host", 1, DataType.STRING),
            ColumnSchema.field("cpu", 2, DataType.FLOAT64),
            ColumnSchema.timeIndex("ts", 0, DataType.TIMESTAMP_MILLIS)));

    /** A hook that only records what it was told, so delivery cannot be optimized away. */
    public static final class CountingHook implements RegionHook {
        private final String name;
        long delivered;
        /** Versions covered by the events delivered: more than {@code delivered} when events were merged. */
        long covered;
        long lastVersion;

        CountingHook(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void onManifestUpdated(ManifestUpdatedEvent event) {
            delivered++;
            covered += event.manifestVersion() - event.firstVersion() + 1;
            lastVersion = event.manifestVersion();
        }
    }

    /**
     * Adds one file per call and removes the one the previous call added. File ids come from a
     * counter rather than {@link FileId#random()}, which would put {@code SecureRandom} into the
     * measured time.
     */
    static final class FileChurn {
        private long next;
        private FileMeta previous;

        ManifestActionList nextEdit() {
            long n = ++next;
            FileMeta added = new FileMeta(REGION, new FileId(new UUID(0x5265_676f_6c69_7468L, n)), new TimeRange(n, n + 1_000),
                    0, 4_096, 1_000, 1, n, Optional.empty());
            List<FileMeta> removed = previous == null ? List.of() : List.of(previous);
            previous = added;
            return ManifestActionList.of(Edit.ofFiles(List.of(added), removed));
        }
    }

    @State(Scope.Thread)
    public static class CommitState {
        @Param({"0", "1", "10"})
        public int hooks;

        @Param({"memory", "local"})
        public String storage;

        ManifestCommitter committer;
        final FileChurn churn = new FileChurn();
        private final List<CountingHook> installed = new ArrayList<>();
        private RegionHooks regionHooks;
        private ManifestStorage manifestStorage;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            for (int i = 0; i < hooks; i++) {
                installed.add(new CountingHook("noop-" + i));
            }
            manifestStorage = ManifestStorage.create(storage, "regolith-receipt-bench-");
            regionHooks = RegionHooks.of(installed);
            committer = ManifestCommitter.create(manifestStorage.io(), manifestStorage.directory(), METADATA, regionHooks,
                    ManifestOptions.DEFAULT);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            // Hooks run on their own threads: let them catch up, then every version, creation
            // included, must have reached every hook exactly once (some merged into one event).
            boolean drained = regionHooks.drain(java.time.Duration.ofSeconds(30));
            long versions = committer.current().manifestVersion();
            for (CountingHook hook : installed) {
                if (!drained || hook.covered != versions || hook.lastVersion != versions) {
                    throw new IllegalStateException("Hook " + hook.name() + " was delivered " + hook.covered + " versions in "
                            + hook.delivered + " events up to version " + hook.lastVersion + ", expected " + versions);
                }
            }
            regionHooks.close();
            manifestStorage.delete();
        }
    }

    @State(Scope.Thread)
    public static class MergeState {
        @Param({"2", "16", "128"})
        public int receipts;

        ManifestCommitter committer;
        final FileChurn churn = new FileChurn();
        PendingManifestHook[] pending;

        @Setup(Level.Trial)
        public void setUp() {
            committer = ManifestCommitter.create(new InMemoryFileIO(), Path.of("/regolith-bench", REGION.toString(), "manifest"),
                    METADATA, RegionHooks.none(), ManifestOptions.DEFAULT);
            pending = new PendingManifestHook[receipts];
        }

        @Setup(Level.Invocation)
        @SuppressWarnings("try") // the held lock is the point of the try block
        public void commitUnderOneLock() {
            try (ManifestLock.Held held = committer.lock().acquire()) {
                for (int i = 0; i < receipts; i++) {
                    pending[i] = committer.commitLocked(churn.nextEdit());
                }
            }
        }
    }

    @Benchmark
    public long commitAndFire(CommitState state) {
        return state.committer.commit(state.churn.nextEdit());
    }

    @Benchmark
    public PendingManifestHook mergeReceipts(MergeState state) {
        PendingManifestHook merged = state.committer.emptyReceipt();
        PendingManifestHook[] pending = state.pending;
        for (int i = 0; i < pending.length; i++) {
            merged = merged.merge(pending[i]);
            pending[i] = null;
        }
        merged.fire();
        return merged;
    }

    /**
     * Where a benchmark keeps its region's manifest: {@code memory} ({@link InMemoryFileIO}) or
     * {@code local} ({@link LocalFileIO} in a fresh temporary directory, removed by
     * {@link #delete()}).
     *
     * @param temporaryDirectory the directory to remove afterwards; null for {@code memory}
     */
    record ManifestStorage(FileIO io, Path directory, Path temporaryDirectory) {

        ManifestStorage {
            requireNonNull(io, "io is null");
            requireNonNull(directory, "directory is null");
        }

        static ManifestStorage create(String storage, String temporaryPrefix) throws IOException {
            return switch (storage) {
                case "memory" -> new ManifestStorage(new InMemoryFileIO(),
                        Path.of("/regolith-bench", REGION.toString(), "manifest"), null);
                case "local" -> {
                    Path temporary = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), temporaryPrefix);
                    yield new ManifestStorage(new LocalFileIO(), temporary.resolve(REGION.toString()).resolve("manifest"),
                            temporary);
                }
                default -> throw new IllegalArgumentException("Unknown storage " + storage + ": use memory or local");
            };
        }

        void delete() throws IOException {
            if (temporaryDirectory == null) {
                return;
            }
            try (Stream<Path> paths = Files.walk(temporaryDirectory)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }
}
