package dev.regolith.engine.wal;

import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.row.InternalRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Rows, replay results and segment layouts for the WAL tests. */
final class WalTesting {

    static final RegionId REGION_A = RegionId.of(1024, 1);
    static final RegionId REGION_B = RegionId.of(1024, 2);
    static final RegionId REGION_C = RegionId.of(2048, 7);
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private WalTesting() {
    }

    static InternalRow put(long sequence, Object... values) {
        return new InternalRow(values, sequence, OpType.PUT);
    }

    static InternalRow delete(long sequence, Object... values) {
        return new InternalRow(values, sequence, OpType.DELETE);
    }

    /** A small cpu-like row: host tag, usage field, timestamp. */
    static List<InternalRow> rows(long sequence) {
        return List.of(put(sequence, "host-" + sequence % 7, sequence * 0.5, 1_700_000_000_000L + sequence));
    }

    /** One entry as replay delivered it. */
    record Replayed(long entryId, long schemaVersion, List<InternalRow> rows) {
    }

    static List<Replayed> replay(Wal wal, RegionId region, long afterEntryId) {
        List<Replayed> replayed = new ArrayList<>();
        wal.replay(region, afterEntryId, (entryId, schemaVersion, rows) -> replayed.add(new Replayed(entryId, schemaVersion, rows)));
        return replayed;
    }

    static List<Long> replayedIds(Wal wal, RegionId region, long afterEntryId) {
        return replay(wal, region, afterEntryId).stream().map(Replayed::entryId).toList();
    }

    /**
     * The offsets of a segment's records, parsed independently of the WAL's reader, followed by the
     * offset where the last one ends.
     */
    static List<Long> recordOffsets(Path segment) {
        try {
            ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
            List<Long> offsets = new ArrayList<>();
            int position = WalSegmentFormat.HEADER_SIZE;
            while (position < bytes.limit()) {
                offsets.add((long) position);
                position += WalSegmentFormat.FRAME_HEADER_SIZE + bytes.getInt(position);
            }
            offsets.add((long) position);
            return offsets;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path segment(Path directory, long firstEntryId) {
        return directory.resolve(WalSegmentFormat.fileName(firstEntryId));
    }

    static List<String> segmentNames(Path directory) {
        try (var files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("Timed out after " + TIMEOUT + " waiting for a latch");
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void await(CyclicBarrier barrier) {
        try {
            barrier.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        catch (BrokenBarrierException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Waits for a condition another thread makes true, for state no latch can signal (appenders
     * parked in the WAL's queue). Yields rather than sleeps.
     */
    static void awaitCondition(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + TIMEOUT + " waiting until " + what);
            }
            Thread.yield();
        }
    }
}
