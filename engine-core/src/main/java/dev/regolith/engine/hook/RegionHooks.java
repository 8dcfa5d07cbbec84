package dev.regolith.engine.hook;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.HookMetrics;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.manifest.ManifestCommitter;
import dev.regolith.hooks.spi.FilesRemovedEvent;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.ReconcileEvent;
import dev.regolith.hooks.spi.RegionClosedEvent;
import dev.regolith.hooks.spi.RegionDroppedEvent;
import dev.regolith.hooks.spi.RegionHook;
import dev.regolith.hooks.spi.RegionOpenedEvent;
import dev.regolith.hooks.spi.SstFilesWrittenEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hooks installed in an engine, in delivery order (priority, then name), each behind its own
 * {@link HookDispatcher}: every callback runs on the hook's threads, never on the engine's, in
 * per-region version order, with retries, quarantine, deadlines and bounded queues.
 *
 * <p>Besides handing events to the dispatchers, this class keeps each hook's durable cursor per
 * region ({@link HookCursorStore}): {@link #attach} reads the cursors when a region is opened and
 * queues every committed version after them again (or a reconcile, when the manifest no longer
 * holds them), the cursors are written back periodically ({@link #startCursorPersistence}), when
 * asked ({@link #persistCursors()}) and at {@link #close(Duration)}, and the manifest keeps the
 * deltas above the slowest persisted cursor.
 */
public final class RegionHooks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RegionHooks.class);
    private static final RegionHooks NONE = new RegionHooks(List.of());

    private final List<HookDispatcher> dispatchers;
    private final Map<RegionId, Attached> attached = new ConcurrentHashMap<>();
    /** Held while cursor files are written, so a region being dropped is never written to afterwards. */
    private final Object cursorWrites = new Object();
    private volatile ScheduledExecutorService cursorPersistence;

    /** Beyond this many operations in one fan-out batch, adjacent updates of a region merge. */
    static final int MERGE_BURST = 16;
    /**
     * How long the outbox lingers after a batch of more than {@link #MERGE_BURST} operations:
     * under a burst of commits, waking every hook's thread once per {@link HookDispatcher#LINGER_NANOS}
     * would cost the committers more (on a small machine the woken threads take their cores)
     * than a slightly later delivery costs the hooks.
     */
    static final long BURST_LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** Whether the last fan-out carried a burst: the next one lingers {@link #BURST_LINGER_NANOS}. */
    private volatile boolean bursting;
    /** Operations for the dispatchers, in the order they were posted; lock-free, so a committer never waits here. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Op> outbox = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Whether a fan-out task is scheduled and has not started taking operations yet. */
    private final java.util.concurrent.atomic.AtomicBoolean fanOutScheduled = new java.util.concurrent.atomic.AtomicBoolean();
    /** Guards the creation and shutdown of {@link #fanOutExecutor}. */
    private final Object fanOutExecutorLock = new Object();
    private volatile ScheduledExecutorService fanOutExecutor;
    /** Held while operations are applied to the dispatchers, so they reach them in order. */
    private final java.util.concurrent.locks.ReentrantLock fanOutLock = new java.util.concurrent.locks.ReentrantLock();
    private volatile boolean closed;
    /** Set by {@link #halt()}: no cursor is written any more. */
    private volatile boolean halted;
    /** Closed after the hooks, in reverse order: the class loaders of plugins. */
    private final List<AutoCloseable> closeAfterHooks = new java.util.concurrent.CopyOnWriteArrayList<>();

    private RegionHooks(List<HookDispatcher> dispatchers) {
        this.dispatchers = dispatchers;
    }

    /** No hooks: firing a receipt does nothing. */
    public static RegionHooks none() {
        return NONE;
    }

    /**
     * The given, already initialized hooks, sorted into delivery order, with the default
     * delivery options.
     *
     * @throws IllegalArgumentException if two hooks share a name
     */
    public static RegionHooks of(List<? extends RegionHook> hooks) {
        return of(hooks, Map.of());
    }

    /**
     * The given, already initialized hooks, sorted into delivery order, each with the delivery
     * options read from the engine options {@code hooks.<name>.*} (see
     * {@link HookDeliveryOptions#from}).
     *
     * @throws IllegalArgumentException if two hooks share a name, or a delivery option is invalid
     *     (the message names the option)
     */
    public static RegionHooks of(List<? extends RegionHook> hooks, Map<String, String> engineOptions) {
        requireNonNull(engineOptions, "engineOptions is null");
        List<RegionHook> sorted = new ArrayList<>(hooks);
        Map<RegionHook, Integer> priorities = new java.util.IdentityHashMap<>();
        for (RegionHook hook : sorted) {
            requireNonNull(hook, "hook is null");
            priorities.put(hook, priorityOf(hook, engineOptions));
        }
        sorted.sort(Comparator.<RegionHook>comparingInt(priorities::get).thenComparing(RegionHook::name));
        Set<String> names = new HashSet<>();
        List<HookDeliveryOptions> options = new ArrayList<>();
        for (RegionHook hook : sorted) {
            if (!names.add(hook.name())) {
                throw new IllegalArgumentException("Two hooks are named " + hook.name() + ": hook names must be unique");
            }
            options.add(HookDeliveryOptions.from(hook.name(), HookLoader.optionsOf(hook.name(), engineOptions)));
        }
        if (sorted.isEmpty()) {
            return NONE;
        }
        List<HookDispatcher> dispatchers = new ArrayList<>(sorted.size());
        for (int i = 0; i < sorted.size(); i++) {
            dispatchers.add(new HookDispatcher(sorted.get(i), sorted.get(i).name(), options.get(i)));
        }
        return new RegionHooks(List.copyOf(dispatchers));
    }

    /** {@code hooks.<name>.priority} if set, else the hook's own {@link RegionHook#priority()}. */
    private static int priorityOf(RegionHook hook, Map<String, String> engineOptions) {
        String key = "hooks." + hook.name() + ".priority";
        String value = engineOptions.get(key);
        if (value == null) {
            return hook.priority();
        }
        try {
            return Integer.parseInt(value.trim());
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid " + key + " '" + value + "': expected a whole number");
        }
    }

    public boolean isEmpty() {
        return dispatchers.isEmpty();
    }

    /** The hooks' names, in delivery order. */
    public List<String> names() {
        return dispatchers.stream().map(HookDispatcher::name).toList();
    }

    /** The hooks themselves, in delivery order. */
    public List<RegionHook> hooks() {
        return dispatchers.stream().map(HookDispatcher::hook).toList();
    }

    /** Each hook's dispatcher, in delivery order. */
    public List<HookDispatcher> dispatchers() {
        return dispatchers;
    }

    /**
     * Hands {@code onManifestUpdated} for committed versions {@code first} to {@code last} of
     * {@code region} to the hooks and returns: the receipt goes to the engine's hook outbox, from
     * which one fan-out thread builds the event and passes it on to every hook's dispatcher. No
     * hook code runs here, nothing is thrown, and the cost does not grow with the number of hooks.
     * {@code history} is where a hook that falls behind reads the versions back instead of keeping
     * them in memory (see {@link HookDeliveryOptions#queueActions()}).
     */
    public void deliverCommitted(RegionId region, List<dev.regolith.engine.api.ManifestAction> actions, long first, long last,
            ManifestHistory history) {
        if (!dispatchers.isEmpty()) {
            post(new Update(region, requireNonNull(actions, "actions is null"), first, last,
                    requireNonNull(history, "history is null")));
        }
    }

    /** Tells every dispatcher that versions {@code first} to {@code last} of the region will never be delivered. */
    public void skip(RegionId region, long first, long last) {
        if (!dispatchers.isEmpty()) {
            post(new Skip(region, first, last));
        }
    }

    /**
     * Calls {@code onSstFilesWritten} of every hook on the hooks' threads, all at once, and waits
     * for them until the longest deadline among them has passed (each hook at most its own
     * deadline). Failures and overruns are logged and counted, never thrown.
     */
    public void deliverSstFilesWritten(SstFilesWrittenEvent event) {
        if (dispatchers.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        HookDispatcher.SstCall[] calls = new HookDispatcher.SstCall[dispatchers.size()];
        for (int i = 0; i < calls.length; i++) {
            calls[i] = dispatchers.get(i).beginSstFilesWritten(event);
        }
        for (int i = 0; i < calls.length; i++) {
            dispatchers.get(i).awaitSstFilesWritten(calls[i], started);
        }
    }

    /** Queues {@code onRegionOpened} behind everything queued for the region so far. */
    public void deliverRegionOpened(RegionOpenedEvent event) {
        note(event);
    }

    /** Queues {@code onRegionClosed} behind everything queued for the region so far. */
    public void deliverRegionClosed(RegionClosedEvent event) {
        note(event);
    }

    /** Queues {@code onRegionDropped} behind everything queued for the region so far; its stream ends there. */
    public void deliverRegionDropped(RegionDroppedEvent event) {
        note(event);
    }

    /** Queues {@code onFilesRemoved} behind everything queued for the region so far. */
    public void deliverFilesRemoved(FilesRemovedEvent event) {
        note(event);
    }

    private void note(Object event) {
        if (!dispatchers.isEmpty()) {
            post(new Note(event));
        }
    }

    /**
     * A region is being created: its hooks start at version 1 (after the last events of an
     * earlier region with the same id, if one was dropped).
     */
    public void regionCreated(RegionId region) {
        if (!dispatchers.isEmpty()) {
            post(new Start(region));
        }
    }

    /**
     * Adds an operation to the outbox and makes sure the fan-out thread comes for it, a moment
     * later, so that one wake-up carries every commit of a burst. The committer pays one lock-free
     * enqueue; everything else happens on the fan-out thread.
     */
    private void post(Op op) {
        if (closed) {
            return;
        }
        outbox.offer(op);
        if (!fanOutScheduled.get() && fanOutScheduled.compareAndSet(false, true)) {
            try {
                fanOut().schedule(this::fanOutTask, bursting ? BURST_LINGER_NANOS : HookDispatcher.LINGER_NANOS,
                        TimeUnit.NANOSECONDS);
            }
            catch (java.util.concurrent.RejectedExecutionException e) {
                // Closed meanwhile: what a hook misses comes again from the manifest at the next open.
            }
        }
    }

    private ScheduledExecutorService fanOut() {
        ScheduledExecutorService executor = fanOutExecutor;
        if (executor == null) {
            synchronized (fanOutExecutorLock) {
                executor = fanOutExecutor;
                if (executor == null) {
                    if (closed) {
                        throw new java.util.concurrent.RejectedExecutionException("The hooks are closed");
                    }
                    executor = Executors.newSingleThreadScheduledExecutor(task -> {
                        Thread thread = new Thread(() -> {
                            HookDispatcher.markFanOutThread();
                            task.run();
                        }, "regolith-hook-fanout");
                        thread.setDaemon(true);
                        return thread;
                    });
                    fanOutExecutor = executor;
                }
            }
        }
        return executor;
    }

    private void fanOutTask() {
        // Cleared before taking operations: one posted from now on schedules the next task, or is taken by this one.
        fanOutScheduled.set(false);
        bursting = flushOutbox() > MERGE_BURST;
    }

    /**
     * Passes every operation in the outbox on to the dispatchers, in order; on the fan-out thread,
     * or on any thread that needs the dispatchers up to date (attach, drain, close). In a batch of
     * more than {@link #MERGE_BURST} operations, an update that directly follows the previous
     * update of its region is merged into it: backpressure before the hooks' own queues, so a
     * committer that outruns the hooks costs them one event per burst, not one per commit.
     *
     * @return how many operations were taken from the outbox
     */
    private int flushOutbox() {
        int taken = 0;
        fanOutLock.lock();
        try {
            while (true) {
                List<Op> batch = new ArrayList<>();
                for (Op op = outbox.poll(); op != null; op = outbox.poll()) {
                    taken++;
                    if (op instanceof Update update && batch.size() >= MERGE_BURST
                            && batch.get(batch.size() - 1) instanceof Update previous && previous.canAppend(update)) {
                        previous.append(update);
                    }
                    else {
                        batch.add(op);
                    }
                }
                if (batch.isEmpty()) {
                    return taken;
                }
                for (Op op : batch) {
                    op.prepare();
                }
                for (HookDispatcher dispatcher : dispatchers) {
                    for (Op op : batch) {
                        try {
                            op.applyTo(dispatcher);
                        }
                        catch (IllegalArgumentException | IllegalStateException e) {
                            log.error("Engine bug: {} could not be handed to hook {}", op, dispatcher.name(), e);
                        }
                    }
                }
            }
        }
        finally {
            fanOutLock.unlock();
        }
    }

    /**
     * A region was created or opened as the writer of its manifest: reads each hook's durable
     * cursor, queues every version committed after it (read back from the manifest's deltas) or,
     * when those are gone, one {@code onReconcile} with the current state; from now on the
     * hook's cursors of the region are persisted and the manifest keeps the deltas the slowest
     * of them still needs. Versions a hook already has queued or delivered in this engine are not
     * queued again.
     */
    public void attach(RegionId region, HookCursorStore cursors, ManifestCommitter committer) {
        if (dispatchers.isEmpty()) {
            return;
        }
        flushOutbox();
        fanOutLock.lock();
        try {
            attachLocked(region, cursors, committer);
        }
        finally {
            fanOutLock.unlock();
        }
    }

    private void attachLocked(RegionId region, HookCursorStore cursors, ManifestCommitter committer) {
        RegionManifest current = committer.current();
        long head = current.manifestVersion();
        Attached region0 = new Attached(cursors);
        Map<Long, Optional<List<ManifestCommitter.CommittedVersion>>> readBack = new HashMap<>();
        for (HookDispatcher dispatcher : dispatchers) {
            String name = dispatcher.name();
            long stored = readCursor(cursors, region, name);
            region0.persisted.put(name, Math.min(stored, head));
            long from = dispatcher.knownHead(region);
            if (from < 0) {
                if (stored > head) {
                    log.warn("Hook {} has cursor {} for region {}, which is only at version {}; it starts at {}", name, stored,
                            region, head, head + 1);
                }
                from = Math.min(stored, head);
                dispatcher.start(region, from + 1);
            }
            if (from >= head) {
                continue;
            }
            long after = from;
            Optional<List<ManifestCommitter.CommittedVersion>> missed = readBack.computeIfAbsent(after,
                    committer::committedAfter);
            if (missed.isPresent()) {
                log.info("Hook {} catches up on region {}: versions {} to {}, read back from the manifest", name, region, after + 1,
                        head);
                for (ManifestCommitter.CommittedVersion version : missed.get()) {
                    dispatcher.submit(new ManifestUpdatedEvent(region, version.actions(), version.version(), version.version()),
                            committer);
                }
            }
            else {
                log.warn("Hook {} is further behind region {} than the manifest keeps deltas (it was delivered up to version {}, "
                        + "the region is at {}): it gets one reconcile event with the current state", name, region, after, head);
                dispatcher.submitReconcile(new ReconcileEvent(region, current, after + 1, head));
            }
        }
        attached.put(region, region0);
        committer.setRetentionFloor(region0::retentionFloor);
    }

    private static long readCursor(HookCursorStore cursors, RegionId region, String name) {
        try {
            return cursors.read(name);
        }
        catch (RuntimeException e) {
            // At-least-once: a cursor that cannot be read means delivering again what the manifest still has.
            log.warn("The cursor of hook {} for region {} cannot be read; the hook gets every version the manifest still holds",
                    name, region, e);
            return 0;
        }
    }

    /**
     * The region was dropped: its cursors are no longer written (its directory is going away).
     * Call before deleting the directory.
     */
    public void forget(RegionId region) {
        synchronized (cursorWrites) {
            attached.remove(region);
        }
    }

    /**
     * Writes every hook cursor that moved since it was last written, for every attached region.
     * Failures are logged; the old cursor stays, so versions are delivered again after a crash,
     * never skipped.
     */
    public void persistCursors() {
        synchronized (cursorWrites) {
            if (halted) {
                return;
            }
            for (Map.Entry<RegionId, Attached> entry : attached.entrySet()) {
                RegionId region = entry.getKey();
                Attached state = entry.getValue();
                for (HookDispatcher dispatcher : dispatchers) {
                    long cursor = dispatcher.cursor(region);
                    Long persisted = state.persisted.get(dispatcher.name());
                    if (cursor < 0 || (persisted != null && cursor <= persisted)) {
                        continue;
                    }
                    try {
                        state.cursors.write(dispatcher.name(), cursor);
                        state.persisted.put(dispatcher.name(), cursor);
                    }
                    catch (RuntimeException e) {
                        log.warn("Could not persist the cursor of hook {} for region {} at version {}; it is retried, and after "
                                + "a crash the hook gets those versions again", dispatcher.name(), region, cursor, e);
                    }
                }
            }
        }
    }

    /** Persists cursors every {@code interval} on a daemon thread, until {@link #close}. */
    public synchronized void startCursorPersistence(Duration interval) {
        if (dispatchers.isEmpty() || cursorPersistence != null || closed) {
            return;
        }
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "regolith-hook-cursors");
            thread.setDaemon(true);
            return thread;
        });
        long nanos = HookDeliveryOptions.saturatedNanos(interval);
        executor.scheduleWithFixedDelay(() -> {
            try {
                persistCursors();
            }
            catch (RuntimeException e) {
                log.warn("Persisting hook cursors failed; retried at the next interval", e);
            }
        }, nanos, nanos, TimeUnit.NANOSECONDS);
        cursorPersistence = executor;
    }

    /**
     * Waits until every hook has been delivered everything queued before this call, for at most
     * {@code timeout} in total.
     *
     * @return true if every hook caught up; false on timeout, or if a hook is quarantined
     */
    public boolean drain(Duration timeout) {
        long deadline = System.nanoTime() + HookDeliveryOptions.saturatedNanos(timeout);
        flushOutbox();
        boolean drained = true;
        for (HookDispatcher dispatcher : dispatchers) {
            long remaining = Math.max(0, deadline - System.nanoTime());
            drained &= dispatcher.drain(Duration.ofNanos(remaining));
        }
        return drained;
    }

    /**
     * Waits until hook {@code name} has been delivered everything queued before this call, for
     * at most {@code timeout}.
     *
     * @return true if it caught up; false on timeout or if it is quarantined
     * @throws IllegalArgumentException if no hook has that name
     */
    public boolean drain(String name, Duration timeout) {
        flushOutbox();
        return dispatchers.stream().filter(dispatcher -> dispatcher.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No hook named " + name + " is installed; the hooks are " + names()))
                .drain(timeout);
    }

    /**
     * Lifts the quarantine of hook {@code name}.
     *
     * @return false if no hook has that name
     */
    public boolean reenable(String name) {
        for (HookDispatcher dispatcher : dispatchers) {
            if (dispatcher.name().equals(name)) {
                dispatcher.reenable();
                return true;
            }
        }
        return false;
    }

    /** Each hook's metrics, in delivery order. */
    public List<HookMetrics> metrics() {
        return dispatchers.stream().map(HookDispatcher::metrics).toList();
    }

    /** Closes after draining for at most each hook's deadline; see {@link #close(Duration)}. */
    @Override
    public void close() {
        close(dispatchers.stream().map(dispatcher -> dispatcher.options().deadline()).max(Comparator.naturalOrder())
                .orElse(Duration.ZERO));
    }

    /**
     * Waits up to {@code drainTimeout} for the hooks to catch up, persists their cursors, stops
     * their threads and closes every hook (failures logged, not thrown). Nothing is delivered
     * afterwards; what was not delivered is delivered again when its region is next opened.
     */
    public void close(Duration drainTimeout) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (dispatchers.isEmpty()) {
            return;
        }
        ScheduledExecutorService persistence = cursorPersistence;
        if (persistence != null) {
            persistence.shutdownNow();
        }
        if (!drain(drainTimeout)) {
            log.warn("Hooks did not catch up within {} ms of close; what they miss is delivered again at the next open: {}",
                    drainTimeout.toMillis(), metrics());
        }
        persistCursors();
        outbox.clear(); // what a hook missed comes again from the manifest at the next open
        shutDownFanOut();
        for (HookDispatcher dispatcher : dispatchers) {
            dispatcher.close(Duration.ZERO);
        }
        for (HookDispatcher dispatcher : dispatchers) {
            RegionHook hook = dispatcher.hook();
            try {
                HookLoader.withContextLoader(hook.getClass().getClassLoader(), () -> {
                    hook.close();
                    return null;
                });
            }
            catch (RuntimeException | LinkageError e) {
                log.warn("Hook {} failed to close", dispatcher.name(), e);
            }
        }
        for (int i = closeAfterHooks.size() - 1; i >= 0; i--) {
            try {
                closeAfterHooks.get(i).close();
            }
            catch (Exception e) {
                log.warn("Could not close {} after the hooks", closeAfterHooks.get(i), e);
            }
        }
    }

    /**
     * These hooks and {@code more}, already initialized, in one new set that takes over what
     * these close after their hooks (plugin class loaders). Use it instead of this set, which must
     * not have delivered anything.
     */
    public RegionHooks plus(List<? extends RegionHook> more, Map<String, String> engineOptions) {
        List<RegionHook> all = new ArrayList<>(hooks());
        all.addAll(more);
        RegionHooks combined = of(all, engineOptions);
        closeAfterHooks.forEach(combined::closeAfterHooks);
        closeAfterHooks.clear();
        return combined;
    }

    /**
     * Closes {@code resource} once the hooks are closed (the class loader of the plugin they come
     * from); at once if these hooks are already closed.
     */
    void closeAfterHooks(AutoCloseable resource) {
        if (this == NONE) {
            throw new IllegalStateException("No hooks: close " + resource + " yourself");
        }
        closeAfterHooks.add(requireNonNull(resource, "resource is null"));
    }

    /**
     * Stops delivery at once, as a process that dies would: nothing pending is delivered, no
     * cursor is written, the hooks are not closed (nor their plugins' class loaders). The hooks
     * get what they missed when their regions are next opened, from the cursors last written.
     * For crash tests (see {@link dev.regolith.engine.RegolithEngine#halt()}).
     */
    public void halt() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            halted = true;
        }
        ScheduledExecutorService persistence = cursorPersistence;
        if (persistence != null) {
            persistence.shutdownNow();
        }
        outbox.clear();
        shutDownFanOut();
        for (HookDispatcher dispatcher : dispatchers) {
            dispatcher.halt();
        }
    }

    private void shutDownFanOut() {
        synchronized (fanOutExecutorLock) {
            if (fanOutExecutor != null) {
                fanOutExecutor.shutdownNow();
            }
        }
    }

    /** A region whose cursors are persisted. */
    private static final class Attached {
        final HookCursorStore cursors;
        /** The cursor last written (or read) per hook. */
        final Map<String, Long> persisted = new ConcurrentHashMap<>();

        Attached(HookCursorStore cursors) {
            this.cursors = cursors;
        }

        /** The oldest version a hook still needs after a crash. */
        long retentionFloor() {
            return persisted.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE - 1) + 1;
        }
    }

    /** Something the dispatchers must be told, in order. */
    private abstract static class Op {
        /** Builds what the op hands over, once for all dispatchers. */
        void prepare() {
        }

        abstract void applyTo(HookDispatcher dispatcher);
    }

    /** A committed receipt; adjacent ones of a region merge under a burst. */
    private static final class Update extends Op {
        private final RegionId region;
        private final long first;
        private long last;
        private List<dev.regolith.engine.api.ManifestAction> actions;
        /** Where the versions can be read back from: the region's manifest. */
        private ManifestHistory history;
        /** The actions of the updates merged into this one, once there are any. */
        private List<dev.regolith.engine.api.ManifestAction> merged;
        private ManifestUpdatedEvent event;

        Update(RegionId region, List<dev.regolith.engine.api.ManifestAction> actions, long first, long last,
                ManifestHistory history) {
            this.region = region;
            this.actions = actions;
            this.first = first;
            this.last = last;
            this.history = history;
        }

        boolean canAppend(Update later) {
            return region.equals(later.region) && last + 1 == later.first;
        }

        void append(Update later) {
            if (merged == null) {
                merged = new ArrayList<>(actions);
                actions = null;
            }
            merged.addAll(later.actions);
            last = later.last;
            history = later.history; // the same region's manifest; the later one if it was reopened meanwhile
        }

        @Override
        void prepare() {
            event = new ManifestUpdatedEvent(region, new dev.regolith.engine.api.ManifestActionList(merged != null ? merged : actions),
                    first, last);
            merged = null;
            actions = null;
        }

        @Override
        void applyTo(HookDispatcher dispatcher) {
            dispatcher.submit(event, history);
        }

        @Override
        public String toString() {
            return "the update of region " + region + " versions " + first + " to " + last;
        }
    }

    private static final class Skip extends Op {
        private final RegionId region;
        private final long first;
        private final long last;

        Skip(RegionId region, long first, long last) {
            this.region = region;
            this.first = first;
            this.last = last;
        }

        @Override
        void applyTo(HookDispatcher dispatcher) {
            dispatcher.skip(region, first, last);
        }

        @Override
        public String toString() {
            return "the skip of region " + region + " versions " + first + " to " + last;
        }
    }

    private static final class Note extends Op {
        private final Object event;

        Note(Object event) {
            this.event = event;
        }

        @Override
        void applyTo(HookDispatcher dispatcher) {
            dispatcher.submitNote(event);
        }

        @Override
        public String toString() {
            return event.toString();
        }
    }

    private static final class Start extends Op {
        private final RegionId region;

        Start(RegionId region) {
            this.region = region;
        }

        @Override
        void applyTo(HookDispatcher dispatcher) {
            dispatcher.start(region, 1);
        }

        @Override
        public String toString() {
            return "the creation of region " + region;
        }
    }
}
