package dev.regolith.engine.manifest;

import dev.regolith.engine.api.RegionId;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports receipts that were garbage-collected without being fired, merged or discarded: a commit
 * whose hooks were silently never told.
 *
 * <p>How many receipts are tracked is set by the system property
 * {@code regolith.receipts.leakDetection}: {@code paranoid} (every receipt; the tests use it),
 * {@code sample} (one in 64, the default, so most commits pay nothing) or {@code off}. Collected
 * receipts are reported when the next receipt is tracked, or on {@link #drain()}; no thread of its
 * own is needed.
 */
final class ReceiptLeaks {

    private static final Logger log = LoggerFactory.getLogger(ReceiptLeaks.class);
    private static final int SAMPLE_ONE_IN = 64;

    enum Mode { OFF, SAMPLE, PARANOID }

    static final Mode MODE = Mode.valueOf(
            System.getProperty("regolith.receipts.leakDetection", "sample").toUpperCase(Locale.ROOT));

    static final ReferenceQueue<Object> QUEUE = new ReferenceQueue<>();
    // Keeps the references themselves reachable until their receipt is used or collected.
    private static final Set<Tracker> LIVE = ConcurrentHashMap.newKeySet();
    private static final LongAdder LEAKS = new LongAdder();
    private static volatile Consumer<String> listener = message -> { };

    private ReceiptLeaks() {
    }

    /**
     * A receipt's "used" flag. It must not refer to the receipt, or the receipt would never become
     * unreachable.
     */
    static final class State extends AtomicBoolean {
        private final RegionId regionId;
        private final long version;

        State(RegionId regionId, long version) {
            this.regionId = regionId;
            this.version = version;
        }
    }

    /** Watches one receipt. */
    static final class Tracker extends PhantomReference<Object> {
        private final State state;

        private Tracker(Object receipt, State state) {
            super(receipt, QUEUE);
            this.state = state;
        }

        /** The receipt was used: stop watching it. */
        void close() {
            LIVE.remove(this);
            clear();
        }
    }

    /** Starts watching {@code receipt} if the mode says so; returns null if it is not watched. */
    static Tracker track(Object receipt, State state) {
        boolean tracked = switch (MODE) {
            case OFF -> false;
            case SAMPLE -> ThreadLocalRandom.current().nextInt(SAMPLE_ONE_IN) == 0;
            case PARANOID -> true;
        };
        if (!tracked) {
            return null;
        }
        drain();
        Tracker tracker = new Tracker(receipt, state);
        LIVE.add(tracker);
        return tracker;
    }

    /** Reports every watched receipt collected so far that was never used. */
    static void drain() {
        for (Reference<?> reference = QUEUE.poll(); reference != null; reference = QUEUE.poll()) {
            report(reference);
        }
    }

    /** Reports the receipt behind {@code reference}, taken off {@link #QUEUE}, if it was never used. */
    static void report(Reference<?> reference) {
        if (reference instanceof Tracker tracker && LIVE.remove(tracker) && !tracker.state.get()) {
            String message = "A manifest receipt of region " + tracker.state.regionId + " version " + tracker.state.version
                    + " was garbage-collected without being fired or discarded: its hooks were never notified";
            LEAKS.increment();
            log.error(message);
            listener.accept(message);
        }
    }

    /** How many leaked receipts were reported since the JVM started. */
    static long count() {
        return LEAKS.sum();
    }

    /** Also tells {@code consumer} of each leak. */
    static void setListener(Consumer<String> consumer) {
        listener = consumer;
    }
}
