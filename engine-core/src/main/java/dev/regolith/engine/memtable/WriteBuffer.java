package dev.regolith.engine.memtable;

import dev.regolith.engine.api.exceptions.WriteRejectedException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine-wide memtable budget. Past half of it the engine flushes its largest region; at all
 * of it writers stall until flushes free memory; at twice it writes are rejected with an error that
 * says why (stalled writers that cannot get under the limit in time are rejected the same way).
 */
public final class WriteBuffer {

    private final long limit;
    private final Duration maxStall;
    private final Runnable flushLargest;
    private final AtomicLong used = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();

    /**
     * @param limit the budget in bytes
     * @param maxStall how long a writer may stall before its write is rejected
     * @param flushLargest asks the engine to flush its largest region (must not block)
     */
    public WriteBuffer(long limit, Duration maxStall, Runnable flushLargest) {
        if (limit <= 0) {
            throw new IllegalArgumentException("Invalid write buffer size: " + limit);
        }
        this.limit = limit;
        this.maxStall = maxStall;
        this.flushLargest = flushLargest;
    }

    /** The default budget: min(max heap / 8, 1 GiB). */
    public static long defaultLimit() {
        return Math.min(Runtime.getRuntime().maxMemory() / 8, 1L << 30);
    }

    public long limit() {
        return limit;
    }

    public long used() {
        return used.get();
    }

    /** Called before a write: may ask for a flush, stall, or throw {@link WriteRejectedException}. */
    public void admit() {
        long current = used.get();
        if (current >= 2 * limit) {
            flushLargest.run();
            throw new WriteRejectedException("Write rejected: memtables hold " + current + " bytes, twice the write buffer of "
                    + limit + " bytes (write.buffer.bytes); flushes are not keeping up, retry later");
        }
        if (current >= limit / 2) {
            flushLargest.run();
        }
        if (current < limit) {
            return;
        }
        long deadline = System.nanoTime() + maxStall.toNanos();
        lock.lock();
        try {
            while (used.get() >= limit) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new WriteRejectedException("Write rejected: stalled " + maxStall.toMillis() + " ms waiting for "
                            + "flushes to bring memtables (" + used.get() + " bytes) under the write buffer of " + limit
                            + " bytes (write.buffer.bytes)");
                }
                try {
                    freed.await(remaining, TimeUnit.NANOSECONDS);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new WriteRejectedException("Write interrupted while stalled on a full write buffer", e);
                }
            }
        }
        finally {
            lock.unlock();
        }
    }

    public void allocated(long bytes) {
        used.addAndGet(bytes);
    }

    public void released(long bytes) {
        used.addAndGet(-bytes);
        lock.lock();
        try {
            freed.signalAll();
        }
        finally {
            lock.unlock();
        }
    }
}
