package dev.regolith.engine.hook;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.HookMetrics;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.hooks.spi.FilesRemovedEvent;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.ReconcileEvent;
import dev.regolith.hooks.spi.RegionClosedEvent;
import dev.regolith.hooks.spi.RegionDroppedEvent;
import dev.regolith.hooks.spi.RegionHook;
import dev.regolith.hooks.spi.RegionOpenedEvent;
import dev.regolith.hooks.spi.SstFilesWrittenEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
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
 * {@code regolith-hook-<name>-N}, which run every callback but {@code onSstFilesWritten}, one
 * thread {@code regolith-hook-<name>-sst} for that one, and one scheduler thread
 * ({@code regolith-hook-<name>-scheduler}) for retry backoff and deadline watching. No method of
 * the dispatcher runs hook code on its caller's thread (except {@link #beginSstFilesWritten}
 * called from one of the dispatcher's own threads, see there), and no internal lock is held while
 * hook code runs: {@link #submit}, {@link #submitNote}, {@link #start} and {@link #skip} only take
 * the dispatcher's internal lock for a few map operations and return.
 *
 * <h2>Order</h2>
 * For each region the hook receives {@code onManifestUpdated} (or {@code onReconcile}) in strictly
 * increasing, gapless version order, one callback at a time; different regions are delivered in
 * parallel on the dispatcher's threads. An event is released only once every earlier version was
 * delivered or {@link #skip skipped}: racing committers may submit version 6 before version 5, and
 * version 6 then waits for 5. Receipts never overlap: an event whose versions were all delivered
 * already is ignored as a duplicate, and one that overlaps versions submitted, delivered or skipped
 * before (but not all of them delivered) is rejected with {@link IllegalArgumentException}.
 *
 * <p>Region lifecycle events ({@code onRegionOpened}, {@code onRegionClosed},
 * {@code onRegionDropped}, {@code onFilesRemoved}) are <em>notes</em> in the same per-region
 * stream: a note is delivered after every version up to the highest one submitted when it was
 * submitted, and before any later version. A region dropped and created again starts a new
 * stream ({@link #start}) that waits until the old one, which ends with its
 * {@code onRegionDropped}, is delivered.
 *
 * <h2>Bounds</h2>
 * Nothing is dropped, and {@link #submit} never blocks. Once {@link HookDeliveryOptions#queueSize()}
 * events are pending, a new event is merged into an adjacent pending event of its region (the
 * earlier one's actions, then the later one's; the earlier first version and the later last
 * version) and counted as {@code coalesced}, and a new {@code onFilesRemoved} note is merged into
 * the region's last pending one. An event that has no adjacent pending event is still queued on
 * its own, so the number of pending events is at most {@code queueSize} plus, for each region, one
 * plus the number of gaps between its pending versions (receipts committed but not yet submitted,
 * at most the number of threads committing to the region at once), of skipped ranges pending and
 * of lifecycle notes pending (a handful).
 *
 * <p>Merging bounds the number of events, not the number of actions. What bounds the actions is
 * {@link HookDeliveryOptions#queueActions()}: once the pending events hold more committed actions
 * than that, every pending event submitted with a {@link ManifestHistory} (every receipt of a
 * region's manifest) drops its actions and keeps only its version range. When such an event's
 * turn comes, its actions are read back from the region's manifest, on the delivery thread, and
 * delivered as one event for its versions; if the manifest no longer holds those deltas, the hook
 * gets one {@code onReconcile} with the region's current state instead, covering every version up
 * to that state's, and pending or later-submitted versions it covers are not delivered again. A
 * hook that falls behind thus costs memory for its version ranges, not for the changes.
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

    /**
     * How long an event of an idle region waits before a delivery thread is woken for it. Waking a
     * thread per commit would cost the committer more than the commit at high rates; lingering
     * lets one wake-up deliver every event committed meanwhile, for at most this much latency.
     */
    static final long LINGER_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    /** How many events of one region a thread delivers before it lets other regions have it. */
    private static final int BATCH = 256;

    /** The dispatcher whose delivery thread the current thread is, if any. */
    private static final ThreadLocal<HookDispatcher> OWNER = new ThreadLocal<>();

    /** Set on the engine's fan-out thread, which hands over batches that already waited. */
    private static final ThreadLocal<Boolean> FAN_OUT = new ThreadLocal<>();

    /** Marks the current thread as {@link RegionHooks}' fan-out thread: submits from it wake a delivery thread at once. */
    static void markFanOutThread() {
        FAN_OUT.set(Boolean.TRUE);
    }

    private final RegionHook hook;
    private final String name;
    private final HookDeliveryOptions options;
    private final long deadlineNanos;
    private final ThreadPoolExecutor executor;
    private final ThreadPoolExecutor sstExecutor;
    private final ScheduledThreadPoolExecutor scheduler;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever a cursor moves, a note is delivered, the hook is quarantined or the dispatcher closes. */
    private final Condition progress = lock.newCondition();

    // Guarded by lock.
    private final Map<RegionId, RegionState> regions = new HashMap<>();
    private final LatencyHistogram latency = new LatencyHistogram();
    private int pendingCount;
    /** The committed actions held by pending events (not by the one in flight); see {@link HookDeliveryOptions#queueActions()}. */
    private long heldActions;
    /** How many times pending events were made to drop their actions. */
    private long spills;
    /** {@link #heldActions} right after the last spill: what events submitted without a history hold. */
    private long unspillable;
    /** {@code onSstFilesWritten} calls that overran their deadline and have not returned yet. */
    private int sstOverrunning;
    private boolean quarantined;
    private boolean closing;
    private boolean closed;
    /** Set by {@link #halt()}. */
    private volatile boolean halted;
    private long delivered;
    private long failed;
    private long retried;
    private long coalesced;
    private long duplicates;
    private long slow;
    /** The callbacks running now, for the deadline watchdog. */
    private final List<Call> running = new ArrayList<>();
    private boolean watching;

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
        // Its own thread, so a hook whose manifest deliveries block does not make every flush wait its deadline.
        this.sstExecutor = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                threads("regolith-hook-" + name + "-sst", false, this));
        sstExecutor.allowCoreThreadTimeOut(true);
        this.scheduler = new ScheduledThreadPoolExecutor(1, threads("regolith-hook-" + name + "-scheduler", false, null),
                new ThreadPoolExecutor.DiscardPolicy());
    }

    public String name() {
        return name;
    }

    public HookDeliveryOptions options() {
        return options;
    }

    /** The hook this dispatcher calls. */
    public RegionHook hook() {
        return hook;
    }

    /**
     * Declares the first version to deliver for {@code region}: the cursor plus one when the
     * region is opened, 1 when it is created. A region that is not started starts at the first
     * version of its first submitted event (or skip).
     *
     * <p>For a region already known, this moves its cursor if nothing of it is pending or being
     * delivered; when the cursor already is there it does nothing. For a region whose
     * {@code onRegionDropped} was submitted (it is being created again), it starts a new stream
     * that is delivered once the old one is.
     *
     * @throws IllegalArgumentException if {@code nextVersion} is below 1
     * @throws IllegalStateException if the region (not dropped) has events pending or being
     *     delivered and {@code nextVersion} is not its next version
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
                regions.put(region, new RegionState(region, nextVersion, true));
                return;
            }
            if (state.next == nextVersion && !state.ended) {
                state.started = true;
                return;
            }
            RegionState fresh = new RegionState(region, nextVersion, true);
            if (!state.isIdle()) {
                if (!state.ended) {
                    throw new IllegalStateException("Cannot start region " + region + " of hook " + name + " at version "
                            + nextVersion + ": versions " + state.next + " to " + state.head + " are still pending delivery");
                }
                // The new incarnation waits for the old one's last events, onRegionDropped included.
                fresh.predecessor = state;
                state.successor = fresh;
            }
            // A fresh state, so a drain waiting for the old one's versions is not held up by the new ones.
            regions.put(region, fresh);
            progress.signalAll();
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * The highest version of {@code region} submitted or skipped (or its cursor, if higher), or -1
     * if the dispatcher does not know the region or it was dropped: everything up to it is
     * delivered or on its way.
     */
    public long knownHead(RegionId region) {
        lock.lock();
        try {
            RegionState state = regions.get(region);
            return state == null || state.ended || !state.started ? -1 : state.head;
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
        submit(event, null);
    }

    /**
     * Like {@link #submit(ManifestUpdatedEvent)}, for an event whose versions {@code history} (the
     * region's manifest) can read back: when the pending events hold more actions than
     * {@link HookDeliveryOptions#queueActions()}, this one drops its actions until it is delivered.
     * Null {@code history} keeps the actions in memory until delivery.
     */
    public void submit(ManifestUpdatedEvent event, ManifestHistory history) {
        requireNonNull(event, "event is null");
        Pending entry = new Pending(Kind.UPDATE, event.firstVersion(), event.manifestVersion(), event);
        entry.history = history;
        entry.held = event.actions().actions().size();
        submitVersions(event.regionId(), entry);
    }

    /**
     * Queues an {@code onReconcile} in place of versions {@code event.firstVersion()} to
     * {@code event.manifestVersion()}, which are gone from the manifest; ordered like an update.
     */
    public void submitReconcile(ReconcileEvent event) {
        requireNonNull(event, "event is null");
        submitVersions(event.regionId(), new Pending(Kind.RECONCILE, event.firstVersion(), event.manifestVersion(), event));
    }

    private void submitVersions(RegionId region, Pending entry) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            RegionState state = stateFor(region, entry.first);
            if (entry.first >= state.reconciledFrom && entry.first <= state.reconciledTo) {
                // A reconcile read back from the manifest covered these versions already (or is about to).
                if (entry.last <= state.reconciledTo) {
                    countMerge(entry);
                    return;
                }
                entry.trimFirst(state.reconciledTo + 1);
            }
            if (entry.last < state.next) {
                if (entry.kind != Kind.SKIP) {
                    duplicates++;
                }
                return;
            }
            enqueue(state, entry);
            dispatch(state);
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Queues a lifecycle event of a region ({@link RegionOpenedEvent}, {@link RegionClosedEvent},
     * {@link RegionDroppedEvent} or {@link FilesRemovedEvent}): delivered after every version of
     * the region submitted so far and before any later one. After an {@code onRegionDropped} the
     * region's stream ends; see {@link #start}.
     *
     * @throws IllegalArgumentException if {@code event} is not one of those types
     */
    public void submitNote(Object event) {
        requireNonNull(event, "event is null");
        RegionId region;
        if (event instanceof RegionOpenedEvent opened) {
            region = opened.regionId();
        }
        else if (event instanceof RegionClosedEvent closedEvent) {
            region = closedEvent.regionId();
        }
        else if (event instanceof RegionDroppedEvent dropped) {
            region = dropped.regionId();
        }
        else if (event instanceof FilesRemovedEvent removed) {
            region = removed.regionId();
        }
        else {
            throw new IllegalArgumentException("Not a region lifecycle event: " + event.getClass().getName());
        }
        lock.lock();
        try {
            if (closed) {
                return;
            }
            RegionState state = regions.computeIfAbsent(region, id -> new RegionState(id, 1, false));
            Pending last = state.notes.peekLast();
            if (pendingCount >= options.queueSize() && event instanceof FilesRemovedEvent removed && last != null
                    && last.payload instanceof FilesRemovedEvent earlier) {
                // Later is fine for a deletion, earlier is not: the merged note moves to the current head.
                List<FileId> files = new ArrayList<>(earlier.fileIds());
                files.addAll(removed.fileIds());
                last.payload = new FilesRemovedEvent(region, files);
                last.first = state.head;
                last.last = state.head;
                coalesced++;
            }
            else {
                state.notes.addLast(new Pending(Kind.NOTE, state.head, state.head, event));
                state.notesQueued++;
                pendingCount++;
            }
            if (event instanceof RegionDroppedEvent) {
                state.ended = true;
            }
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
        submitVersions(region, new Pending(Kind.SKIP, firstVersion, lastVersion, null));
    }

    /** The region's state; one not started yet starts at {@code firstVersion}. */
    private RegionState stateFor(RegionId region, long firstVersion) {
        RegionState state = regions.computeIfAbsent(region, id -> new RegionState(id, firstVersion, true));
        if (!state.started) {
            // Known from a note only: versions start with this one.
            state.started = true;
            state.next = firstVersion;
            state.head = Math.max(state.head, firstVersion - 1);
        }
        return state;
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
            for (RegionState state : List.copyOf(regions.values())) {
                for (RegionState each = state; each != null; each = each.predecessor) {
                    each.attempts = 0;
                    dispatch(each);
                }
            }
        }
        finally {
            lock.unlock();
        }
        log.info("Hook {} is re-enabled; delivery resumes where it stopped", name);
    }

    /**
     * Waits until every event and note submitted (or version skipped) before this call was
     * delivered.
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
            Map<RegionState, long[]> targets = new IdentityHashMap<>();
            for (RegionState newest : regions.values()) {
                for (RegionState state = newest; state != null; state = state.predecessor) {
                    if (state.head >= state.next || state.notesQueued > state.notesDelivered) {
                        targets.put(state, new long[] {state.head, state.notesQueued});
                    }
                }
            }
            while (true) {
                targets.entrySet().removeIf(target -> target.getKey().next > target.getValue()[0]
                        && target.getKey().notesDelivered >= target.getValue()[1]);
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
     * Calls {@code onSstFilesWritten} on the hook's thread and waits for it at most the deadline;
     * see {@link #beginSstFilesWritten}. Nothing is thrown to the caller.
     */
    public void deliverSstFilesWritten(SstFilesWrittenEvent event) {
        awaitSstFilesWritten(beginSstFilesWritten(event), System.nanoTime());
    }

    /**
     * Starts {@code onSstFilesWritten} on the hook's {@code -sst} thread and returns a call to wait
     * for with {@link #awaitSstFilesWritten}, so a flush can start it on every hook first and then
     * wait for all of them within one deadline. A callback that throws is logged and counted as
     * failed, and not retried. Returns null (nothing to wait for) while the hook is quarantined,
     * after close, and while an earlier call of the hook overruns its deadline: then the callback
     * is queued behind it (up to the queue size, beyond which it is dropped, logged and counted)
     * and the flush does not wait.
     *
     * <p>Called on one of the dispatcher's own threads (a hook callback that flushes), the
     * callback runs right there and null is returned: that thread is the hook's already, and
     * waiting for another one could wait for itself.
     */
    public SstCall beginSstFilesWritten(SstFilesWrittenEvent event) {
        requireNonNull(event, "event is null");
        boolean wait;
        lock.lock();
        try {
            if (quarantined || closed) {
                return null;
            }
            wait = sstOverrunning == 0;
            if (!wait && sstExecutor.getQueue().size() >= options.queueSize()) {
                failed++;
                log.warn("Hook {} has {} onSstFilesWritten calls queued behind one that overran its deadline; the call for "
                        + "region {} ({} files) is dropped", name, sstExecutor.getQueue().size(), event.regionId(),
                        event.files().size());
                return null;
            }
        }
        finally {
            lock.unlock();
        }
        if (OWNER.get() == this) {
            callSstFilesWritten(event, null);
            return null;
        }
        SstCall call = new SstCall(event);
        try {
            sstExecutor.execute(() -> {
                try {
                    callSstFilesWritten(event, call);
                }
                finally {
                    call.done.countDown();
                }
            });
        }
        catch (RejectedExecutionException e) {
            return null;
        }
        return wait ? call : null;
    }

    /**
     * Waits for a call from {@link #beginSstFilesWritten} until its deadline, counted from
     * {@code startedNanos} ({@link System#nanoTime()}). One that overruns is logged and counted as
     * slow and goes on in the background. Does nothing for null.
     */
    public void awaitSstFilesWritten(SstCall call, long startedNanos) {
        if (call == null) {
            return;
        }
        boolean returned;
        try {
            long remaining = deadlineNanos - (System.nanoTime() - startedNanos);
            returned = call.done.await(Math.max(0, remaining), TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (returned) {
            return;
        }
        lock.lock();
        try {
            if (call.done.getCount() == 0) {
                return; // returned just now
            }
            call.overran = true;
            sstOverrunning++;
            slow++;
        }
        finally {
            lock.unlock();
        }
        log.warn("Hook {} did not return from onSstFilesWritten for region {} ({} files) within its deadline of {} ms; "
                + "the flush goes on without it", name, call.event.regionId(), call.event.files().size(),
                options.deadline().toMillis());
    }

    /** Runs the callback, catching and counting; {@code call} is null when no caller is timing it. */
    private void callSstFilesWritten(SstFilesWrittenEvent event, SstCall call) {
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
        boolean overran = call == null && nanos > deadlineNanos;
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
            if (call != null && call.overran) {
                sstOverrunning--;
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

    /**
     * How many committed actions the pending events hold in memory now: at most
     * {@link HookDeliveryOptions#queueActions()} once every event was submitted with a history.
     */
    public long heldActions() {
        lock.lock();
        try {
            return heldActions;
        }
        finally {
            lock.unlock();
        }
    }

    /** How many times the pending events dropped their actions because they held too many. */
    public long spills() {
        lock.lock();
        try {
            return spills;
        }
        finally {
            lock.unlock();
        }
    }

    /** A snapshot of the hook's counters, queue and cursors. */
    public HookMetrics metrics() {
        lock.lock();
        try {
            Map<RegionId, Long> lag = new HashMap<>();
            Map<RegionId, Long> cursors = new HashMap<>();
            for (RegionState state : regions.values()) {
                if (state.started) {
                    lag.put(state.region, state.head - (state.next - 1));
                    cursors.put(state.region, state.next - 1);
                }
            }
            return new HookMetrics(name, delivered, failed, retried, coalesced, duplicates, slow, quarantined, pendingCount, lag,
                    cursors, latency.snapshot());
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * The last version of {@code region} delivered (or skipped) to the hook, or -1 if the
     * dispatcher does not know the region (or it was dropped).
     */
    public long cursor(RegionId region) {
        lock.lock();
        try {
            RegionState state = regions.get(region);
            return state == null || !state.started || state.ended ? -1 : state.next - 1;
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
        sstExecutor.shutdown();
        scheduler.shutdownNow();
        boolean stopped;
        try {
            // Idle threads exit at shutdown, but not instantly: give them a moment even when the budget is spent.
            long grace = drained ? TimeUnit.MILLISECONDS.toNanos(200) : 0;
            stopped = executor.awaitTermination(Math.max(grace, timeoutNanos - (System.nanoTime() - started)), TimeUnit.NANOSECONDS)
                    && sstExecutor.awaitTermination(Math.max(grace, timeoutNanos - (System.nanoTime() - started)),
                            TimeUnit.NANOSECONDS);
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

    /**
     * Stops at once, as a process that dies would: nothing pending is delivered, a running
     * callback is interrupted and its outcome ignored, nothing is waited for. For crash tests.
     */
    public void halt() {
        halted = true;
        lock.lock();
        try {
            closing = true;
            closed = true;
            progress.signalAll();
        }
        finally {
            lock.unlock();
        }
        executor.shutdownNow();
        sstExecutor.shutdownNow();
        scheduler.shutdownNow();
    }

    /** Adds an entry to the region's pending events, merging it with a neighbour if the queue is full. */
    private void enqueue(RegionState state, Pending entry) {
        checkNoOverlap(state, entry);
        state.head = Math.max(state.head, entry.last);
        heldActions += entry.held;
        if (pendingCount < options.queueSize()) {
            state.pending.put(entry.first, entry);
            pendingCount++;
        }
        else {
            if (!merge(state, entry)) {
                state.pending.put(entry.first, entry);
                pendingCount++;
            }
            collapse(state);
        }
        if (heldActions - unspillable > options.queueActions()) {
            spill();
        }
    }

    /**
     * The pending events hold more actions than the bound: every one that can be read back from
     * its region's manifest drops its actions. Requires the lock.
     */
    private void spill() {
        long before = heldActions;
        for (RegionState newest : regions.values()) {
            for (RegionState state = newest; state != null; state = state.predecessor) {
                for (Pending entry : state.pending.values()) {
                    heldActions -= entry.spill();
                }
            }
        }
        unspillable = Math.max(0, heldActions);
        if (spills++ == 0) {
            log.info("Hook {} is behind: its pending events held {} actions, more than hooks.{}.{}={}; pending versions are "
                    + "read back from the manifest when their turn comes", name, before, name, HookDeliveryOptions.QUEUE_ACTIONS,
                    options.queueActions());
        }
    }

    /**
     * The queue is full: merges every run of adjacent pending events of the region into one, so
     * the hook's next callback takes all of them. Without this, a hook slower than the commits
     * would be handed the oldest small events one by one while the newest one grew without end;
     * with it, what is pending is at most what was committed during one callback, plus the queue.
     */
    private void collapse(RegionState state) {
        Pending run = null;
        java.util.Iterator<Pending> pending = state.pending.values().iterator();
        while (pending.hasNext()) {
            Pending next = pending.next();
            if (run != null && canAppend(state, run, next)) {
                heldActions -= run.append(next);
                pending.remove();
                pendingCount--;
                countMerge(next);
            }
            else {
                run = next;
            }
        }
    }

    private void checkNoOverlap(RegionState state, Pending entry) {
        String overlapped = null;
        if (entry.first < state.next) {
            overlapped = "versions up to " + (state.next - 1) + ", already delivered";
        }
        else if (state.inFlight != null && state.inFlight.kind != Kind.NOTE && entry.first <= state.inFlight.last) {
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
            throw new IllegalArgumentException("Cannot " + (entry.kind == Kind.SKIP ? "skip" : "submit") + " versions " + entry.first
                    + " to " + entry.last + " of region " + state.region + " for hook " + name + ": they overlap " + overlapped
                    + " (receipts never overlap)");
        }
    }

    /** Merges {@code entry} into an adjacent pending entry of its region; false if there is none. */
    private boolean merge(RegionState state, Pending entry) {
        Map.Entry<Long, Pending> before = state.pending.lowerEntry(entry.first);
        Map.Entry<Long, Pending> after = state.pending.higherEntry(entry.first);
        Pending previous = before == null ? null : before.getValue();
        Pending next = after == null ? null : after.getValue();
        if (previous != null && canAppend(state, previous, entry)) {
            heldActions -= previous.append(entry);
            countMerge(entry);
            // A late receipt that fills the gap between two pending events joins them too.
            if (next != null && canAppend(state, previous, next)) {
                state.pending.remove(next.first);
                pendingCount--;
                heldActions -= previous.append(next);
                countMerge(next);
            }
            return true;
        }
        if (next != null && canAppend(state, entry, next)) {
            state.pending.remove(next.first);
            heldActions -= entry.append(next);
            state.pending.put(entry.first, entry);
            countMerge(next);
            return true;
        }
        return false;
    }

    /** Whether {@code later} can join {@code earlier}: adjacent, mergeable, and no note due between them. */
    private static boolean canAppend(RegionState state, Pending earlier, Pending later) {
        if (earlier.kind != later.kind || earlier.kind == Kind.RECONCILE || earlier.last + 1 != later.first) {
            return false;
        }
        if ((earlier.spilled || later.spilled) && (earlier.history == null || later.history == null)) {
            return false; // a merged event without its actions must be able to read all of them back
        }
        for (Pending note : state.notes) {
            if (note.first == earlier.last) {
                return false;
            }
        }
        return true;
    }

    private void countMerge(Pending merged) {
        // Adjacent skipped ranges merge too, but they are not events.
        if (merged.kind != Kind.SKIP) {
            coalesced++;
        }
    }

    /**
     * Moves past skipped versions at the head, hands the region to a thread if its next event is
     * ready, and hands over to the region's next incarnation once it is done.
     */
    private void dispatch(RegionState state) {
        if (advance(state)) {
            return;
        }
        if (state.scheduled || quarantined || closed || !state.isReady()) {
            return;
        }
        state.scheduled = true;
        if (OWNER.get() == this || FAN_OUT.get() != null) {
            executor.execute(() -> deliver(state)); // a delivery thread, awake anyway, or a batch that lingered already
        }
        else {
            // From a committer: wait a moment so one thread hand-off delivers the whole burst that follows.
            scheduler.schedule(() -> executor.execute(() -> deliver(state)), LINGER_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Moves the cursor past skipped versions at the head; hands over to the region's next
     * incarnation if this one is done (then returns true: this state has nothing more to do).
     */
    private boolean advance(RegionState state) {
        while (state.inFlight == null) {
            Map.Entry<Long, Pending> head = state.pending.firstEntry();
            if (head == null || head.getKey() != state.next || head.getValue().kind != Kind.SKIP || state.noteDue()) {
                break;
            }
            state.pending.pollFirstEntry();
            pendingCount--;
            state.next = head.getValue().last + 1;
            progress.signalAll();
        }
        if (state.successor != null && state.isIdle()) {
            RegionState successor = state.successor;
            state.successor = null;
            successor.predecessor = null;
            dispatch(successor);
            return true;
        }
        return false;
    }

    /**
     * Runs on a delivery thread: the region's ready events, one callback at a time, up to
     * {@link #BATCH} of them; then the region goes back to the executor's queue so other regions
     * get the thread too. Delivering what is ready in one go means a busy hook costs one thread
     * hand-off per burst, not one per event.
     */
    private void deliver(RegionState state) {
        for (int delivered = 0; delivered < BATCH; delivered++) {
            if (!deliverOne(state)) {
                return;
            }
        }
        lock.lock();
        try {
            state.scheduled = false;
            dispatch(state);
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * One callback for the region. Returns true if it succeeded and the region's next event is
     * ready, the region staying scheduled on this thread; false if the region was let go
     * (nothing ready, a retry scheduled, quarantine, close).
     */
    private boolean deliverOne(RegionState state) {
        Pending entry;
        Object event;
        Call call;
        lock.lock();
        try {
            if (quarantined || closed || !state.isReady()) {
                state.scheduled = false;
                return false;
            }
            if (state.inFlight == null) {
                state.inFlight = state.noteDue() ? state.notes.pollFirst() : state.pending.pollFirstEntry().getValue();
                pendingCount--;
                heldActions -= state.inFlight.held;
            }
            entry = state.inFlight;
        }
        finally {
            lock.unlock();
        }
        if (entry.spilled && entry.payload == null) {
            // Only this thread delivers the region, so the entry is ours to complete, outside the lock: it reads files.
            Object readBack = readBack(state.region, entry);
            lock.lock();
            try {
                install(state, entry, readBack);
            }
            finally {
                lock.unlock();
            }
        }
        lock.lock();
        try {
            event = entry.event(state.region);
            call = new Call(state.region, entry, System.nanoTime());
            running.add(call);
            watchOverruns();
        }
        finally {
            lock.unlock();
        }

        Throwable failure = null;
        try {
            entry.kind.deliver(hook, event);
        }
        catch (VirtualMachineError e) {
            lock.lock();
            try {
                // The event stays in flight: the region's next submit or a re-enable hands it out again.
                running.remove(call);
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
        long nanos = System.nanoTime() - call.started;

        Outcome outcome;
        long backoffNanos = 0;
        int attempts;
        boolean slowAtEnd;
        boolean goOn = false;
        lock.lock();
        try {
            running.remove(call);
            latency.record(nanos);
            // The watchdog may not have come round yet: an overrun is counted either way, once.
            slowAtEnd = !call.reportedSlow && nanos > deadlineNanos;
            if (slowAtEnd) {
                call.reportedSlow = true;
                slow++;
            }
            if (failure == null) {
                delivered++;
                if (entry.kind == Kind.NOTE) {
                    state.notesDelivered++;
                }
                else {
                    state.next = entry.last + 1;
                }
                state.inFlight = null;
                state.attempts = 0;
                progress.signalAll();
                if (!advance(state) && !quarantined && !closed && state.isReady()) {
                    goOn = true; // stays scheduled: this thread delivers the next event
                }
                else {
                    state.scheduled = false;
                    dispatch(state);
                }
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
                    scheduler.schedule(() -> executor.execute(() -> deliver(state)), backoffNanos, TimeUnit.NANOSECONDS);
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
            log.warn("Hook {} spent {} ms in {} for {}, longer than its deadline of {} ms", name, TimeUnit.NANOSECONDS.toMillis(nanos),
                    call.callback(), call.subject(), options.deadline().toMillis());
        }
        switch (outcome) {
            case DELIVERED -> {
            }
            case RETRY -> {
                String message = "Hook {} threw from {} for {} (attempt {} of {}); retrying in {} ms";
                long backoffMs = TimeUnit.NANOSECONDS.toMillis(backoffNanos);
                // The stack trace once per event: a hook that is down would repeat it on every retry.
                if (attempts == 1) {
                    log.warn(message, name, call.callback(), call.subject(), attempts, options.retryLimit() + 1, backoffMs, failure);
                }
                else {
                    log.warn(message + ": {}", name, call.callback(), call.subject(), attempts, options.retryLimit() + 1, backoffMs,
                            failure.toString());
                }
            }
            case HELD -> {
                if (!halted) { // a halted engine is a dead process: it reports nothing
                    log.warn("Hook {} threw from {} for {}; the hook is quarantined or closed, so the event is kept "
                            + "undelivered", name, call.callback(), call.subject(), failure);
                }
            }
            case QUARANTINED -> log.error("Hook {} is QUARANTINED: {} for {} failed {} times (hooks.{}.retry.limit={}). Nothing "
                    + "more is delivered to this hook, for any region, until it is re-enabled; its cursors and pending events are "
                    + "kept. Last failure:", name, call.callback(), call.subject(), attempts, name, options.retryLimit(), failure);
        }
        return goOn;
    }

    /**
     * The event for a pending entry that dropped its actions: its versions read back from the
     * region's manifest, or, if the manifest no longer holds them (or cannot be read), a reconcile
     * with the region's current state. Runs on the delivery thread, without the lock.
     */
    private Object readBack(RegionId region, Pending entry) {
        try {
            Optional<List<ManifestAction>> actions = entry.history.actionsOf(entry.first, entry.last);
            if (actions.isPresent()) {
                return new ManifestUpdatedEvent(region, new ManifestActionList(actions.get()), entry.first, entry.last);
            }
            log.warn("Hook {} is further behind region {} than the manifest keeps deltas (versions {} to {} are gone): it gets "
                    + "one reconcile event with the current state", name, region, entry.first, entry.last);
        }
        catch (RuntimeException e) {
            log.warn("Hook {} could not read versions {} to {} of region {} back from the manifest: it gets one reconcile event "
                    + "with the current state instead", name, entry.first, entry.last, region, e);
        }
        RegionManifest current = entry.history.current();
        return new ReconcileEvent(region, current, entry.first, current.manifestVersion());
    }

    /**
     * Makes {@code built} the event of the region's entry in flight. A reconcile covers every
     * version up to its state's: pending entries it covers are dropped, one it covers in part
     * keeps only its later versions, and versions it covers that are submitted later are ignored.
     * Requires the lock.
     */
    private void install(RegionState state, Pending entry, Object built) {
        entry.payload = built;
        if (!(built instanceof ReconcileEvent reconcile)) {
            return;
        }
        long through = reconcile.manifestVersion();
        entry.kind = Kind.RECONCILE;
        entry.last = through;
        state.head = Math.max(state.head, through);
        state.reconciledFrom = entry.first;
        state.reconciledTo = through;
        while (true) {
            Map.Entry<Long, Pending> first = state.pending.firstEntry();
            if (first == null || first.getKey() > through) {
                break;
            }
            Pending covered = state.pending.pollFirstEntry().getValue();
            heldActions -= covered.held;
            if (covered.last <= through) {
                pendingCount--;
                countMerge(covered);
            }
            else {
                covered.trimFirst(through + 1);
                heldActions += covered.held;
                state.pending.put(covered.first, covered);
            }
        }
        progress.signalAll();
    }

    /**
     * Starts the deadline watchdog on first use: a periodic check, every quarter deadline (between
     * 1 ms and 1 s), of the callbacks running, rather than a timer per callback. Requires the lock.
     */
    private void watchOverruns() {
        if (watching || closed) {
            return;
        }
        watching = true;
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(deadlineNanos / 4, TimeUnit.SECONDS.toNanos(1)));
        scheduler.scheduleWithFixedDelay(this::reportOverruns, period, period, TimeUnit.NANOSECONDS);
    }

    /** Runs on the scheduler: counts and logs, once each, callbacks running past their deadline. */
    private void reportOverruns() {
        List<Call> overdue = new ArrayList<>();
        lock.lock();
        try {
            long now = System.nanoTime();
            for (Call call : running) {
                if (!call.reportedSlow && now - call.started > deadlineNanos) {
                    call.reportedSlow = true;
                    slow++;
                    overdue.add(call);
                }
            }
        }
        finally {
            lock.unlock();
        }
        for (Call call : overdue) {
            log.warn("Hook {} has been in {} for {} longer than its deadline of {} ms; its other regions go on", name,
                    call.callback(), call.subject(), options.deadline().toMillis());
        }
    }

    /** Daemon threads; those of {@code owner} are marked as such for {@link #beginSstFilesWritten}. */
    private static ThreadFactory threads(String prefix, boolean numbered, HookDispatcher owner) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(() -> {
                OWNER.set(owner);
                task.run();
            }, numbered ? prefix + count.incrementAndGet() : prefix);
            thread.setDaemon(true);
            if (owner != null) { // every callback runs with the hook's loader as the context loader
                thread.setContextClassLoader(owner.hook.getClass().getClassLoader());
            }
            return thread;
        };
    }

    private enum Outcome { DELIVERED, RETRY, HELD, QUARANTINED }

    /** What a pending entry is, and how it reaches the hook. */
    private enum Kind {
        UPDATE, SKIP, RECONCILE, NOTE;

        void deliver(RegionHook hook, Object event) {
            if (event instanceof ManifestUpdatedEvent updated) {
                hook.onManifestUpdated(updated);
            }
            else if (event instanceof ReconcileEvent reconcile) {
                hook.onReconcile(reconcile);
            }
            else if (event instanceof RegionOpenedEvent opened) {
                hook.onRegionOpened(opened);
            }
            else if (event instanceof RegionClosedEvent closedEvent) {
                hook.onRegionClosed(closedEvent);
            }
            else if (event instanceof RegionDroppedEvent dropped) {
                hook.onRegionDropped(dropped);
            }
            else {
                hook.onFilesRemoved((FilesRemovedEvent) event);
            }
        }

        String callback(Object event) {
            if (event instanceof ManifestUpdatedEvent) {
                return "onManifestUpdated";
            }
            if (event instanceof ReconcileEvent) {
                return "onReconcile";
            }
            if (event instanceof RegionOpenedEvent) {
                return "onRegionOpened";
            }
            if (event instanceof RegionClosedEvent) {
                return "onRegionClosed";
            }
            return event instanceof RegionDroppedEvent ? "onRegionDropped" : "onFilesRemoved";
        }
    }

    /** Waiting for one {@code onSstFilesWritten} call; see {@link #beginSstFilesWritten}. */
    public static final class SstCall {
        final SstFilesWrittenEvent event;
        final CountDownLatch done = new CountDownLatch(1);
        /** Guarded by the dispatcher's lock. */
        boolean overran;

        SstCall(SstFilesWrittenEvent event) {
            this.event = event;
        }
    }

    /** Delivery state of one region (one incarnation of it). Guarded by the dispatcher's lock. */
    private static final class RegionState {
        final RegionId region;
        /** The next version to deliver: the cursor plus one. */
        long next;
        /** The highest version submitted or skipped, or the cursor if higher. */
        long head;
        /** Whether versions were started or submitted; a state known from notes alone is not. */
        boolean started;
        /** Events and skipped ranges not yet delivered, by first version; they never overlap. */
        final TreeMap<Long, Pending> pending = new TreeMap<>();
        /** Lifecycle notes not yet delivered, in order; each due once versions up to its {@code first} are delivered. */
        final ArrayDeque<Pending> notes = new ArrayDeque<>();
        long notesQueued;
        long notesDelivered;
        /** The event being delivered, or failed and awaiting its retry. */
        Pending inFlight;
        /** Failed attempts of {@link #inFlight}. */
        int attempts;
        /** Whether a delivery task for the region is queued, running or waiting for its backoff. */
        boolean scheduled;
        /** The versions of the last reconcile read back in place of dropped actions; none at first. */
        long reconciledFrom = Long.MAX_VALUE;
        long reconciledTo = -1;
        /** Whether the region's onRegionDropped was submitted: its stream ends there. */
        boolean ended;
        /** The earlier incarnation this one waits for, and the later one waiting for this. */
        RegionState predecessor;
        RegionState successor;

        RegionState(RegionId region, long next, boolean started) {
            this.region = region;
            this.next = next;
            this.head = next - 1;
            this.started = started;
        }

        boolean noteDue() {
            Pending note = notes.peekFirst();
            return note != null && note.first < next;
        }

        boolean isReady() {
            if (predecessor != null) {
                return false;
            }
            if (inFlight != null || noteDue()) {
                return true;
            }
            Map.Entry<Long, Pending> head = pending.firstEntry();
            return head != null && head.getKey() == next && head.getValue().kind != Kind.SKIP;
        }

        boolean isIdle() {
            return inFlight == null && pending.isEmpty() && notes.isEmpty();
        }
    }

    /**
     * Versions {@code first} to {@code last} of a region: an event as submitted, several adjacent
     * events merged, a skipped range (no actions), a reconcile, or a lifecycle note (due after
     * version {@code first}). Guarded by the dispatcher's lock.
     */
    private static final class Pending {
        /** Final but for an update whose read-back became a reconcile. */
        Kind kind;
        long first;
        long last;
        /** The event as submitted, until another is merged in (then null), or the event built for delivery. */
        Object payload;
        /** The merged actions, once another event was merged in. */
        List<ManifestAction> actions;
        /** Where an update's actions can be read back from; null if they must stay in memory. */
        ManifestHistory history;
        /** Whether an update dropped its actions: they are read back from {@link #history} when delivered. */
        boolean spilled;
        /** How many actions this entry holds in memory. */
        int held;

        Pending(Kind kind, long first, long last, Object payload) {
            this.kind = kind;
            this.first = first;
            this.last = last;
            this.payload = payload;
        }

        /** Appends {@code later}'s versions; returns how many fewer actions the two now hold in memory. */
        int append(Pending later) {
            int before = held + later.held;
            if (kind == Kind.UPDATE) {
                if (spilled || later.spilled) {
                    history = later.history;
                    dropActions();
                }
                else {
                    if (actions == null) {
                        actions = new ArrayList<>(((ManifestUpdatedEvent) payload).actions().actions());
                        payload = null;
                    }
                    actions.addAll(later.actions == null ? ((ManifestUpdatedEvent) later.payload).actions().actions()
                            : later.actions);
                    held += later.held;
                    history = history == null || later.history == null ? null : later.history;
                }
            }
            last = later.last;
            return before - held;
        }

        /** Drops the actions of an update that can read them back; returns how many it held. */
        int spill() {
            if (kind != Kind.UPDATE || spilled || history == null) {
                return 0;
            }
            int released = held;
            dropActions();
            return released;
        }

        private void dropActions() {
            spilled = true;
            payload = null;
            actions = null;
            held = 0;
        }

        /**
         * Leaves out the versions before {@code version}, which a reconcile covered: an update
         * reads the rest back from its history (one that has none keeps its actions, which only
         * events submitted without a history, never the engine's, could mix with a reconcile).
         */
        void trimFirst(long version) {
            if (kind == Kind.UPDATE && history != null) {
                dropActions();
            }
            first = version;
        }

        /** The event to deliver; built once, so a retry delivers the same object. */
        Object event(RegionId region) {
            if (payload == null) {
                payload = new ManifestUpdatedEvent(region, new ManifestActionList(actions), first, last);
                actions = null;
            }
            return payload;
        }

        String describe(RegionId region) {
            return kind == Kind.NOTE ? "region " + region : "region " + region + " versions " + first + " to " + last;
        }
    }

    /** One running callback, watched for its deadline. Guarded by the dispatcher's lock. */
    private static final class Call {
        final RegionId region;
        final Pending entry;
        final long started;
        boolean reportedSlow;

        Call(RegionId region, Pending entry, long started) {
            this.region = region;
            this.entry = entry;
            this.started = started;
        }

        /** For log lines only: built when one is written. */
        String callback() {
            return entry.kind.callback(entry.payload);
        }

        String subject() {
            return entry.describe(region);
        }
    }
}
