package dev.regolith.engine.hook;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.RegionHook;
import dev.regolith.hooks.spi.SstFilesWrittenEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one hook's events on the hook's own threads: ordered per region, bounded, retried,
 * watched, never blocking the engine.
 *
 * <h2>Threads</h2>
 * The dispatcher owns {@link HookDeliveryOptions#threads()} daemon threads named
 * {@code regolith-hook-<name>-N}, which run every callback, and one scheduler thread
 * ({@code regolith-hook-<name>-scheduler}) for retry backoff and deadline watching. No method of
 * the dispatcher runs hook code on its caller's thread (except {@link #deliverSstFilesWritten}
 * called from one of the dispatcher's own threads, see there), and no internal lock is held while
 * hook code runs: {@link #submit}, {@link #start} and {@link #skip} only take the dispatcher's
 * internal lock for a few map operations and return.
 *
 * <h2>Order</h2>
 * For each region the hook receives {@code onManifestUpdated} in strictly increasing, gapless
 * version order, one callback at a time; different regions are delivered in parallel on the
 * dispatcher's threads. An event is released only once every earlier version was delivered or
 * {@link #skip skipped}: racing committers may submit version 6 before version 5, and version 6
 * then waits for 5. Receipts never overlap: an event whose versions were all delivered already
 * is ignored as a duplicate, and one that overlaps versions submitted, delivered or skipped
 * before (but not all of them delivered) is rejected with {@link IllegalArgumentException}.
 *
 * <h2>Bounds</h2>
 * Nothing is dropped, and {@link #submit} never blocks. Once {@link HookDeliveryOptions#queueSize()}
 * events are pending, a new event is merged into an adjacent pending event of its region (the
 * earlier one's actions, then the later one's; the earlier first version and the later last
 * version) and counted as {@code coalesced}. An event that has no adjacent pending event is still
 * queued on its own, so the number of pending events is at most {@code queueSize} plus, for each
 * region, one plus the number of gaps between its pending versions (receipts committed but not yet
 * submitted, at most the number of threads committing to the region at once) and of skipped ranges
 * pending. Merging bounds the number of events, not the number of actions: every committed action
 * is kept until it is delivered.
 *
 * <h2>Failures</h2>
 * A callback that throws (anything but a {@link VirtualMachineError}) is counted as failed and the
 * same event is retried after a backoff of {@code initialBackoff * 2^(n-1)}, capped at
 * {@code maxBackoff}, up to {@link HookDeliveryOptions#retryLimit()} times. Then the hook is
 * quarantined: nothing more is delivered to it, for any region, and one error is logged; its
 * cursors and pending events are kept and new events are still accepted (and merged) until
 * {@link #reenable()}, which retries the failed event first. A callback running longer than
 * {@link HookDeliveryOptions#deadline()} is logged and counted as slow once; it is not
 * interrupted, and the other threads keep delivering the hook's other regions.
 *
 * <p>A hook callback must not call {@link #drain} or {@link #close} of its own dispatcher: they
 * would wait for the callback itself until they time out.
 */
public final class HookDispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HookDispatcher.class);

    /** The dispatcher whose delivery thread the current thread is, if any. */
    private static final ThreadLocal<HookDispatcher> OWNER = new ThreadLocal<>();

    private final RegionHook hook;
    private final String name;
    private final HookDeliveryOptions options;
    private final long deadlineNanos;
    private final ThreadPoolExecutor executor;
    private final ScheduledThreadPoolExecutor scheduler;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever a cursor moves, the hook is quarantined or the dispatcher closes. */
    private final Condition progress = lock.newCondition();

    // Guarded by lock.
    private final Map<RegionId, RegionState> regions = new HashMap<>();
    private final LatencyHistogram latency = new LatencyHistogram();
    private int pendingCount;
    private boolean quarantined;
    private boolean closing;
    private boolean closed;
    private long delivered;
    private long failed;
    private long retried;
    private long coalesced;
    private long duplicates;
    private long slow;

    /**
     * A dispatcher for {@code hook}, which must already be initialized. Threads are started on
     * first use.
     *
     * @param name the hook's name, for thread names, logs and metrics
     */
    public HookDispatcher(RegionHook hook, String name, HookDeliveryOptions options) {
        this.hook = requireNonNull(hook, "hook is null");
        this.name = requireNonNull(name, "name is null");
        this.options = requireNonNull(options, "options is null");
        this.deadlineNanos = HookDeliveryOptions.saturatedNanos(options.deadline());
        this.executor = new ThreadPoolExecutor(options.threads(), options.threads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads("regolith-hook-" + name + "-", true, this));
        // A hook that hears nothing for a while holds no threads.
        executor.allowCoreThreadTimeOut(true);
        this.scheduler = new ScheduledThreadPoolExecutor(1, threads("regolith-hook-" + name + "-scheduler", false, null),
                new ThreadPoolExecutor.DiscardPolicy());
        // Every callback schedules a deadline watch and cancels it when it returns: drop those at once.
        scheduler.setRemoveOnCancelPolicy(true);
    }

    public String name() {
        return name;
    }

    public HookDeliveryOptions options() {
        return options;
    }

    /**
     * Declares the first version to deliver for {@code region}: the cursor plus one when the
     * region is opened, 1 when it is created. A region that is not started starts at the first
     * version of its first submitted event (or skip).
     *
     * <p>For a region already known, this moves its cursor (a region dropped and created again
     * starts over at 1) if nothing of it is pending or being delivered; when the cursor already
     * is there it does nothing.
     *
     * @throws IllegalArgumentException if {@code nextVersion} is below 1
     * @throws IllegalStateException if the region has events pending or being delivered and
     *     {@code nextVersion} is not its next version
     */
    public void start(RegionId region, long nextVersion) {
        requireNonNull(region, "region is null");
        if (nextVersion < 1) {
            throw new IllegalArgumentException("Invalid next version " + nextVersion + " of region " + region + " for hook " + name
                    + ": versions start at 1");
        }
        lock.lock();
        try {
            if (closed) {
                return;
            }
            RegionState state = regions.get(region);
            if (state == null) {
                regions.put(region, new RegionState(region, nextVersion));
                return;
            }
            if (state.next == nextVersion) {
                return;
            }
            if (state.inFlight != null || !state.pending.isEmpty()) {
                throw new IllegalStateException("Cannot start region " + region + " of hook " + name + " at version " + nextVersion
                        + ": versions " + state.next + " to " + state.head + " are still pending delivery");
            }
            // A fresh state, so a drain waiting for the old one's versions is not held up by the new ones.
            regions.put(region, new RegionState(region, nextVersion));
            progress.signalAll();
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Queues {@code event} for delivery and returns: never blocks, never runs hook code, never
     * drops. Ignored once the dispatcher is closed.
     *
     * @throws IllegalArgumentException if the event overlaps versions of its region submitted or
     *     skipped before, or partly delivered ones
     */
    public void submit(ManifestUpdatedEvent event) {
        requireNonNull(event, "event is null");
        lock.lock();
        try {
            if (closed) {
                return;
            }
            RegionState state = regions.computeIfAbsent(event.regionId(), id -> new RegionState(id, event.firstVersion()));
            if (event.manifestVersion() < state.next) {
                duplicates++;
                return;
            }
            enqueue(state, new Pending(event.firstVersion(), event.manifestVersion(), event));
            dispatch(state);
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Declares that versions {@code firstVersion} to {@code lastVersion} of {@code region} will
     * never be submitted (their receipt was discarded): once the versions before them are
     * delivered, the cursor moves past them without a callback, and later versions are released.
     * Versions already delivered are ignored.
     *
     * @throws IllegalArgumentException if the range is empty or overlaps versions submitted or
     *     skipped before
     */
    public void skip(RegionId region, long firstVersion, long lastVersion) {
        requireNonNull(region, "region is null");
        if (firstVersion < 1 || firstVersion > lastVersion) {
            throw new IllegalArgumentException("Invalid version range to skip for region " + region + " of hook " + name + ": "
                    + firstVersion + " to " + lastVersion);
        }
        lock.lock();
        try {
            if (closed) {
                return;
            }
            RegionState state = regions.computeIfAbsent(region, id -> new RegionState(id, firstVersion));
            if (lastVersion < state.next) {
                return;
            }
            enqueue(state, new Pending(firstVersion, lastVersion, null));
            dispatch(state);
        }
        finally {
            lock.unlock();
        }
    }

    /** Whether the hook is quarantined: it failed more often than its retry limit and gets nothing until re-enabled. */
    public boolean isQuarantined() {
        lock.lock();
        try {
            return quarantined;
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Lifts a quarantine: delivery resumes with the event that failed, every region with a fresh
     * retry budget. Does nothing if the hook is not quarantined.
     */
    public void reenable() {
        lock.lock();
        try {
            if (!quarantined || closed) {
                return;
            }
            quarantined = false;
            for (RegionState state : regions.values()) {
                state.attempts = 0;
                dispatch(state);
            }
        }
        finally {
            lock.unlock();
        }
        log.info("Hook {} is re-enabled; delivery resumes where it stopped", name);
    }

    /**
     * Waits until every event submitted (or version skipped) before this call was delivered.
     *
     * @return true if they were; false if the timeout passed first, or the hook is (or becomes)
     *     quarantined, or the dispatcher closed, or the thread was interrupted (its interrupt
     *     status is then set again)
     */
    public boolean drain(Duration timeout) {
        requireNonNull(timeout, "timeout is null");
        long remaining = HookDeliveryOptions.saturatedNanos(timeout);
        lock.lock();
        try {
            Map<RegionState, Long> targets = new IdentityHashMap<>();
            for (RegionState state : regions.values()) {
                if (state.head >= state.next) {
                    targets.put(state, state.head);
                }
            }
            while (true) {
                targets.entrySet().removeIf(target -> target.getKey().next > target.getValue());
                if (targets.isEmpty()) {
                    return true;
                }
                if (quarantined || closed || remaining <= 0) {
                    return false;
                }
                remaining = progress.awaitNanos(remaining);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Calls {@code onSstFilesWritten} on one of the hook's threads and waits for it at most the
     * deadline. A callback that overruns is logged and counted as slow and goes on in the
     * background; one that throws is logged and counted as failed. Nothing is thrown to the
     * caller, and failures are not retried. Does nothing while the hook is quarantined or after
     * close.
     *
     * <p>Called on one of the dispatcher's own threads (a hook callback that flushes), the
     * callback runs right there: that thread is the hook's already, and waiting for another one
     * could wait for itself.
     *
     * <p>The callback comes before the {@code onManifestUpdated} of the commit that follows it
     * only if it returns within the deadline; one that overruns may still be running, or not yet
     * started, when that update is delivered.
     */
    public void deliverSstFilesWritten(SstFilesWrittenEvent event) {
        requireNonNull(event, "event is null");
        lock.lock();
        try {
            if (quarantined || closed) {
                return;
            }
        }
        finally {
            lock.unlock();
        }
        if (OWNER.get() == this) {
            callSstFilesWritten(event, true);
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        try {
            executor.execute(() -> {
                try {
                    callSstFilesWritten(event, false);
                }
                finally {
                    done.countDown();
                }
            });
        }
        catch (RejectedExecutionException e) {
            return;
        }
        boolean returned;
        try {
            returned = done.await(deadlineNanos, TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (!returned) {
            countSlow();
            log.warn("Hook {} did not return from onSstFilesWritten for region {} ({} files) within its deadline of {} ms; "
                    + "the flush goes on without it", name, event.regionId(), event.files().size(), options.deadline().toMillis());
        }
    }

    /** Runs the callback, catching and counting; {@code countSlow} when no caller is timing it. */
    private void callSstFilesWritten(SstFilesWrittenEvent event, boolean countSlow) {
        long start = System.nanoTime();
        Throwable failure = null;
        try {
            hook.onSstFilesWritten(event);
        }
        catch (VirtualMachineError e) {
            throw e;
        }
        catch (Throwable e) {
            failure = e;
        }
        long nanos = System.nanoTime() - start;
        boolean overran = countSlow && nanos > deadlineNanos;
        lock.lock();
        try {
            latency.record(nanos);
            if (failure == null) {
                delivered++;
            }
            else {
                failed++;
            }
            if (overran) {
                slow++;
            }
        }
        finally {
            lock.unlock();
        }
        if (overran) {
            log.warn("Hook {} spent {} ms in onSstFilesWritten for region {}, longer than its deadline of {} ms", name,
                    TimeUnit.NANOSECONDS.toMillis(nanos), event.regionId(), options.deadline().toMillis());
        }
        if (failure != null) {
            log.warn("Hook {} threw from onSstFilesWritten for region {} ({} files); the flush goes on", name, event.regionId(),
                    event.files().size(), failure);
        }
    }

    /** A snapshot of the hook's counters, queue and cursors. */
    public HookMetrics metrics() {
        lock.lock();
        try {
            Map<RegionId, Long> lag = new HashMap<>();
            Map<RegionId, Long> cursors = new HashMap<>();
            for (RegionState state : regions.values()) {
                lag.put(state.region, state.head - (state.next - 1));
                cursors.put(state.region, state.next - 1);
            }
            return new HookMetrics(name, delivered, failed, retried, coalesced, duplicates, slow, quarantined, pendingCount, lag,
                    cursors, latency.snapshot());
        }
        finally {
            lock.unlock();
        }
    }

    /** Closes after draining for at most the deadline; see {@link #close(Duration)}. */
    @Override
    public void close() {
        close(options.deadline());
    }

    /**
     * Waits up to {@code drainTimeout} for pending events to be delivered and for running
     * callbacks to return, then stops the threads. Events still pending are not delivered (their
     * versions stay above the cursors); a callback still running is not interrupted. Afterwards
     * every method returns at once and nothing more is delivered; calling close again does
     * nothing. The hook itself is not closed: that is its owner's job, after this.
     */
    public void close(Duration drainTimeout) {
        requireNonNull(drainTimeout, "drainTimeout is null");
        long started = System.nanoTime();
        long timeoutNanos = HookDeliveryOptions.saturatedNanos(drainTimeout);
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
        }
        finally {
            lock.unlock();
        }
        boolean drained = drain(drainTimeout);
        int undelivered;
        lock.lock();
        try {
            closed = true;
            undelivered = pendingCount;
            progress.signalAll();
        }
        finally {
            lock.unlock();
        }
        executor.shutdown();
        scheduler.shutdownNow();
        boolean stopped;
        try {
            stopped = executor.awaitTermination(Math.max(0, timeoutNanos - (System.nanoTime() - started)), TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = false;
        }
        if (!drained || !stopped) {
            log.warn("Hook {} closed before it caught up (pending events: {}{}); its cursors are {}", name, undelivered,
                    stopped ? "" : ", a callback still running", metrics().deliveredVersions());
        }
    }

    /** Adds an entry to the region's pending events, merging it with a neighbour if the queue is full. */
    private void enqueue(RegionState state, Pending entry) {
        checkNoOverlap(state, entry);
        state.head = Math.max(state.head, entry.last);
        if (pendingCount >= options.queueSize() && merge(state, entry)) {
            return;
        }
        state.pending.put(entry.first, entry);
        pendingCount++;
    }

    private void checkNoOverlap(RegionState state, Pending entry) {
        String overlapped = null;
        if (entry.first < state.next) {
            overlapped = "versions up to " + (state.next - 1) + ", already delivered";
        }
        else if (state.inFlight != null && entry.first <= state.inFlight.last) {
            overlapped = "versions " + state.inFlight.first + " to " + state.inFlight.last + ", being delivered";
        }
        else {
            Map.Entry<Long, Pending> before = state.pending.floorEntry(entry.first);
            Map.Entry<Long, Pending> after = state.pending.higherEntry(entry.first);
            if (before != null && before.getValue().last >= entry.first) {
                overlapped = "versions " + before.getValue().first + " to " + before.getValue().last + ", pending";
            }
            else if (after != null && after.getKey() <= entry.last) {
                overlapped = "versions " + after.getValue().first + " to " + after.getValue().last + ", pending";
            }
        }
        if (overlapped != null) {
            throw new IllegalArgumentException("Cannot " + (entry.isSkip() ? "skip" : "submit") + " versions " + entry.first + " to "
                    + entry.last + " of region " + state.region + " for hook " + name + ": they overlap " + overlapped
                    + " (receipts never overlap)");
        }
    }

    /** Merges {@code entry} into an adjacent pending entry of its region; false if there is none. */
    private boolean merge(RegionState state, Pending entry) {
        Map.Entry<Long, Pending> before = state.pending.lowerEntry(entry.first);
        Map.Entry<Long, Pending> after = state.pending.higherEntry(entry.first);
        Pending previous = before == null ? null : before.getValue();
        Pending next = after == null ? null : after.getValue();
        if (previous != null && previous.canAppend(entry)) {
            previous.append(entry);
            countMerge(entry);
            // A late receipt that fills the gap between two pending events joins them too.
            if (next != null && previous.canAppend(next)) {
                state.pending.remove(next.first);
                pendingCount--;
                previous.append(next);
                countMerge(next);
            }
            return true;
        }
        if (next != null && entry.canAppend(next)) {
            state.pending.remove(next.first);
            entry.append(next);
            state.pending.put(entry.first, entry);
            countMerge(next);
            return true;
        }
        return false;
    }

    private void countMerge(Pending merged) {
        // Adjacent skipped ranges merge too, but they are not events.
        if (!merged.isSkip()) {
            coalesced++;
        }
    }

    /** Moves past skipped versions at the head, and hands the region to a thread if its next event is ready. */
    private void dispatch(RegionState state) {
        while (state.inFlight == null) {
            Map.Entry<Long, Pending> head = state.pending.firstEntry();
            if (head == null || head.getKey() != state.next || !head.getValue().isSkip()) {
                break;
            }
            state.pending.pollFirstEntry();
            pendingCount--;
            state.next = head.getValue().last + 1;
            progress.signalAll();
        }
        if (state.scheduled || quarantined || closed || !state.isReady()) {
            return;
        }
        state.scheduled = true;
        executor.execute(() -> deliverNext(state));
    }

    /** Runs on a delivery thread: one {@code onManifestUpdated} call for the region, then hands the region on. */
    private void deliverNext(RegionState state) {
        Pending entry;
        ManifestUpdatedEvent event;
        Call call;
        lock.lock();
        try {
            if (quarantined || closed || !state.isReady()) {
                state.scheduled = false;
                return;
            }
            if (state.inFlight == null) {
                state.inFlight = state.pending.pollFirstEntry().getValue();
                pendingCount--;
            }
            entry = state.inFlight;
            event = entry.event(state.region);
            call = new Call(state.region, entry.first, entry.last);
            call.watch = scheduler.schedule(() -> watch(call), deadlineNanos, TimeUnit.NANOSECONDS);
        }
        finally {
            lock.unlock();
        }

        long start = System.nanoTime();
        Throwable failure = null;
        try {
            hook.onManifestUpdated(event);
        }
        catch (VirtualMachineError e) {
            lock.lock();
            try {
                // The event stays in flight: the region's next submit or a re-enable hands it out again.
                call.finish();
                state.scheduled = false;
            }
            finally {
                lock.unlock();
            }
            throw e;
        }
        catch (Throwable e) {
            failure = e;
        }
        long nanos = System.nanoTime() - start;

        Outcome outcome;
        long backoffNanos = 0;
        int attempts;
        boolean slowAtEnd;
        lock.lock();
        try {
            call.finish();
            latency.record(nanos);
            // The watchdog may have been late (a busy scheduler): an overrun is counted either way, once.
            slowAtEnd = !call.reportedSlow && nanos > deadlineNanos;
            if (slowAtEnd) {
                call.reportedSlow = true;
                slow++;
            }
            if (failure == null) {
                delivered++;
                state.next = entry.last + 1;
                state.inFlight = null;
                state.attempts = 0;
                state.scheduled = false;
                progress.signalAll();
                dispatch(state);
                outcome = Outcome.DELIVERED;
                attempts = 0;
            }
            else {
                failed++;
                attempts = ++state.attempts;
                if (quarantined || closed) {
                    state.scheduled = false;
                    outcome = Outcome.HELD;
                }
                else if (attempts <= options.retryLimit()) {
                    retried++;
                    backoffNanos = options.backoffNanos(attempts);
                    // The region stays scheduled through the backoff, so nothing overtakes the failed event.
                    scheduler.schedule(() -> executor.execute(() -> deliverNext(state)), backoffNanos, TimeUnit.NANOSECONDS);
                    outcome = Outcome.RETRY;
                }
                else {
                    quarantined = true;
                    state.scheduled = false;
                    progress.signalAll();
                    outcome = Outcome.QUARANTINED;
                }
            }
        }
        finally {
            lock.unlock();
        }
        if (slowAtEnd) {
            log.warn("Hook {} spent {} ms in onManifestUpdated for region {} versions {} to {}, longer than its deadline of {} ms",
                    name, TimeUnit.NANOSECONDS.toMillis(nanos), state.region, entry.first, entry.last, options.deadline().toMillis());
        }
        switch (outcome) {
            case DELIVERED -> {
            }
            case RETRY -> {
                String message = "Hook {} threw from onManifestUpdated for region {} versions {} to {} (attempt {} of {}); "
                        + "retrying in {} ms";
                long backoffMs = TimeUnit.NANOSECONDS.toMillis(backoffNanos);
                // The stack trace once per event: a hook that is down would repeat it on every retry.
                if (attempts == 1) {
                    log.warn(message, name, state.region, entry.first, entry.last, attempts, options.retryLimit() + 1, backoffMs, failure);
                }
                else {
                    log.warn(message + ": {}", name, state.region, entry.first, entry.last, attempts, options.retryLimit() + 1, backoffMs,
                            failure.toString());
                }
            }
            case HELD -> log.warn("Hook {} threw from onManifestUpdated for region {} versions {} to {}; the hook is quarantined "
                    + "or closed, so the event is kept undelivered", name, state.region, entry.first, entry.last, failure);
            case QUARANTINED -> log.error("Hook {} is QUARANTINED: onManifestUpdated for region {} versions {} to {} failed {} times "
                    + "(hooks.{}.retry.limit={}). Nothing more is delivered to this hook, for any region, until it is re-enabled; "
                    + "its cursors and pending events are kept. Last failure:", name, state.region, entry.first, entry.last,
                    attempts, name, options.retryLimit(), failure);
        }
    }

    /** Runs on the scheduler when a callback reaches its deadline. */
    private void watch(Call call) {
        lock.lock();
        try {
            if (call.finished || call.reportedSlow) {
                return;
            }
            call.reportedSlow = true;
            slow++;
        }
        finally {
            lock.unlock();
        }
        log.warn("Hook {} has been in onManifestUpdated for region {} versions {} to {} longer than its deadline of {} ms; "
                + "its other regions go on", name, call.region, call.first, call.last, options.deadline().toMillis());
    }

    private void countSlow() {
        lock.lock();
        try {
            slow++;
        }
        finally {
            lock.unlock();
        }
    }

    /** Daemon threads; those of {@code owner} are marked as such for {@link #deliverSstFilesWritten}. */
    private static ThreadFactory threads(String prefix, boolean numbered, HookDispatcher owner) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(() -> {
                OWNER.set(owner);
                task.run();
            }, numbered ? prefix + count.incrementAndGet() : prefix);
            thread.setDaemon(true);
            return thread;
        };
    }

    private enum Outcome { DELIVERED, RETRY, HELD, QUARANTINED }

    /** Delivery state of one region. Guarded by the dispatcher's lock. */
    private static final class RegionState {
        final RegionId region;
        /** The next version to deliver: the cursor plus one. */
        long next;
        /** The highest version submitted or skipped, or the cursor if higher. */
        long head;
        /** Events and skipped ranges not yet delivered, by first version; they never overlap. */
        final TreeMap<Long, Pending> pending = new TreeMap<>();
        /** The event being delivered, or failed and awaiting its retry. */
        Pending inFlight;
        /** Failed attempts of {@link #inFlight}. */
        int attempts;
        /** Whether a delivery task for the region is queued, running or waiting for its backoff. */
        boolean scheduled;

        RegionState(RegionId region, long next) {
            this.region = region;
            this.next = next;
            this.head = next - 1;
        }

        boolean isReady() {
            if (inFlight != null) {
                return true;
            }
            Map.Entry<Long, Pending> head = pending.firstEntry();
            return head != null && head.getKey() == next && !head.getValue().isSkip();
        }
    }

    /**
     * Versions {@code first} to {@code last} of a region: an event as submitted, several adjacent
     * events merged, or a skipped range (no actions). Guarded by the dispatcher's lock.
     */
    private static final class Pending {
        final long first;
        long last;
        /** The event as submitted, until another is merged in (then null), or the event built for delivery. */
        ManifestUpdatedEvent event;
        /** The merged actions, once another event was merged in. */
        List<ManifestAction> actions;
        private final boolean skip;

        Pending(long first, long last, ManifestUpdatedEvent event) {
            this.first = first;
            this.last = last;
            this.event = event;
            this.skip = event == null;
        }

        boolean isSkip() {
            return skip;
        }

        boolean canAppend(Pending later) {
            return skip == later.skip && last + 1 == later.first;
        }

        void append(Pending later) {
            if (!skip) {
                if (actions == null) {
                    actions = new ArrayList<>(event.actions().actions());
                    event = null;
                }
                actions.addAll(later.actions == null ? later.event.actions().actions() : later.actions);
            }
            last = later.last;
        }

        /** The event to deliver; built once, so a retry delivers the same object. */
        ManifestUpdatedEvent event(RegionId region) {
            if (event == null) {
                event = new ManifestUpdatedEvent(region, new ManifestActionList(actions), first, last);
                actions = null;
            }
            return event;
        }
    }

    /** One running callback, watched for its deadline. Guarded by the dispatcher's lock. */
    private static final class Call {
        final RegionId region;
        final long first;
        final long last;
        ScheduledFuture<?> watch;
        boolean finished;
        boolean reportedSlow;

        Call(RegionId region, long first, long last) {
            this.region = region;
            this.first = first;
            this.last = last;
        }

        void finish() {
            finished = true;
            watch.cancel(false);
        }
    }
}
