package dev.regolith.benchmarks;

import dev.regolith.engine.RegolithEngine;
import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.cli.CpuDataset;
import dev.regolith.engine.hook.RegionHooks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Write throughput through the engine, in rows per second: {@link RegolithEngine#write} of
 * TSBS cpu batches of {@value #BATCH_ROWS} rows into one region, with {@code wal.sync=every_batch}
 * (a write returns once its WAL entry is fsynced) on a real directory.
 *
 * <ul>
 *   <li>{@code oneWriter}: one thread, so every batch pays its own fsync.</li>
 *   <li>{@code twoWriters}: two threads share the engine; batches that queue while an fsync is
 *       running go into the next WAL entry together (group commit), so the figure against
 *       {@code oneWriter} shows what sharing fsyncs buys.</li>
 * </ul>
 *
 * <p><b>Memory stays bounded by the engine's own limits, not by restarting it.</b> One engine lives
 * for the whole trial with {@code region.memtable.bytes} = 64 MiB (the default, about 75,000 cpu
 * rows by the memtable's estimate) and {@code write.buffer.bytes} = 256 MiB: a full memtable is
 * frozen and flushed to an SST in the background, the engine flushes its largest region at
 * 128 MiB and stalls writers at 256 MiB. The measured rate is therefore the steady state of
 * production, where flushes compete with the writer for the CPU and the disk and, when they fall
 * behind, throttle it; recreating the engine per iteration would measure an engine that never
 * flushes. Flushed WAL segments are deleted, so only the SSTs grow (a few MB per flush, no
 * compaction yet); the trial teardown prints how many were written and deletes the directory.
 *
 * <p><b>Rows.</b> The batches are generated before the trial (so generation is not measured): a
 * ring of {@value #RING_BATCHES} batches of {@link CpuDataset} with {@value #HOSTS} hosts, which is
 * 64 consecutive 10-second steps of all hosts, each batch a quarter of one step, as a TSBS load
 * sends them. Keys (host, timestamp) are distinct within the ring's 256,000 rows, more than a
 * memtable holds, so every memtable and every SST holds distinct keys. After the ring wraps, the
 * same points are written again with newer sequence numbers (an idempotent re-ingest): the write
 * path does the same work for them, and each flush still writes whole memtables of distinct
 * keys.
 *
 * <p>The data directory is a fresh directory under {@code java.io.tmpdir}; to benchmark another
 * disk, run with {@code -jvmArgsAppend -Djava.io.tmpdir=/path}. Run, for example:
 * {@code java -jar benchmarks/target/benchmarks.jar WriteBenchmark -f 1}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 10)
@Measurement(iterations = 5, time = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class WriteBenchmark {

    static final int BATCH_ROWS = 1_000;
    static final int RING_BATCHES = 256;
    static final int HOSTS = 4_000;
    private static final RegionId REGION = RegionId.of(1024, 1);

    @State(Scope.Benchmark)
    public static class EngineState {
        RegolithEngine engine;
        private Path directory;
        private WriteBatch[] ring;
        private final AtomicLong next = new AtomicLong();

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            CpuDataset dataset = new CpuDataset(HOSTS);
            ring = new WriteBatch[RING_BATCHES];
            for (int i = 0; i < RING_BATCHES; i++) {
                ring[i] = dataset.batch((long) i * BATCH_ROWS, (long) (i + 1) * BATCH_ROWS);
            }
            directory = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "regolith-write-bench-");
            EngineOptions options = new EngineOptions(directory, Map.of(
                    "wal.sync", "every_batch",
                    "region.memtable.bytes", Long.toString(64L << 20),
                    "write.buffer.bytes", Long.toString(256L << 20)));
            engine = RegolithEngine.open(options, RegionHooks.none());
            engine.createRegion(CpuDataset.metadata(REGION));
        }

        /** The next batch of the ring; threads share one cursor, so they write different batches. */
        WriteBatch nextBatch() {
            return ring[(int) (next.getAndIncrement() % RING_BATCHES)];
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            try {
                RegionManifest manifest = engine.manifest(REGION);
                long flushedRows = manifest.files().values().stream().mapToLong(FileMeta::numRows).sum();
                long sstBytes = manifest.files().values().stream().mapToLong(FileMeta::fileSize).sum();
                System.out.printf("%nWriteBenchmark trial: %,d rows written, %,d flushed into %d SSTs (%,d bytes), %,d bytes left in"
                        + " memtables%n",
                        next.get() * BATCH_ROWS, flushedRows, manifest.files().size(), sstBytes,
                        engine.region(REGION).memtableBytes());
                engine.close();
            }
            finally {
                deleteRecursively(directory);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH_ROWS)
    public long oneWriter(EngineState state) {
        return state.engine.write(REGION, state.nextBatch());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH_ROWS)
    @Threads(2)
    public long twoWriters(EngineState state) {
        return state.engine.write(REGION, state.nextBatch());
    }

    static void deleteRecursively(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
