package dev.regolith.engine.manifest;

import dev.regolith.engine.api.RegionId;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A region's manifest write lock. Every logical change to the manifest is committed while holding
 * it, and no hook ever runs while it is held: {@link PendingManifestHook#fire()} checks.
 *
 * <pre>{@code
 * try (ManifestLock.Held held = lock.acquire()) {
 *     receipt = committer.commitLocked(actions);
 * }
 * receipt.fire();
 * }</pre>
 */
public final class ManifestLock {

    /** Proof of holding the lock; closing it releases the lock. */
    @FunctionalInterface
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    private final RegionId regionId;
    private final ReentrantLock lock = new ReentrantLock();
    private final Held held = lock::unlock;

    ManifestLock(RegionId regionId) {
        this.regionId = regionId;
    }

    /** Blocks until the lock is held by the current thread. Reentrant. */
    public Held acquire() {
        lock.lock();
        return held;
    }

    /** Acquires the lock if it becomes free within the timeout; returns whether it did. */
    public boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
        return lock.tryLock(timeout, unit);
    }

    /** Releases a hold taken by {@link #tryAcquire}. */
    public void release() {
        lock.unlock();
    }

    public boolean isHeldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    RegionId regionId() {
        return regionId;
    }

    @Override
    public String toString() {
        return "ManifestLock[" + regionId + (lock.isLocked() ? ", held]" : "]");
    }
}
