package dev.regolith.engine.manifest;

import dev.regolith.engine.api.RegionId;
import java.lang.ref.Cleaner;
import java.util.Locale;
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
 * {@code sample} (one in 64, the default: the cost of a {@link Cleaner} registration stays off most
 * commits) or {@code off}.
 */
final class ReceiptLeaks {

    private static final Logger log = LoggerFactory.getLogger(ReceiptLeaks.class);
    private static final int SAMPLE_ONE_IN = 64;

    enum Mode { OFF, SAMPLE, PARANOID }

    static final Mode MODE = Mode.valueOf(
            System.getProperty("regolith.receipts.leakDetection", "sample").toUpperCase(Locale.ROOT));
    static final Cleaner CLEANER = Cleaner.create(runnable -> {
        Thread thread = new Thread(runnable, "regolith-receipt-leaks");
        thread.setDaemon(true);
        return thread;
    });

    private static final LongAdder LEAKS = new LongAdder();
    private static volatile Consumer<String> listener = message -> { };

    private ReceiptLeaks() {
    }

    /**
     * A receipt's "used" flag, shared with the cleaner. It must not refer to the receipt, or the
     * receipt would never become unreachable.
     */
    static final class State extends AtomicBoolean implements Runnable {
        private final RegionId regionId;
        private final long version;

        State(RegionId regionId, long version) {
            this.regionId = regionId;
            this.version = version;
        }

        @Override
        public void run() {
            if (!get()) {
                String message = "A manifest receipt of region " + regionId + " version " + version
                        + " was garbage-collected without being fired or discarded: its hooks were never notified";
                LEAKS.increment();
                log.error(message);
                listener.accept(message);
            }
        }
    }

    /** Registers {@code receipt} for tracking if the mode says so; returns null if not tracked. */
    static Cleaner.Cleanable track(Object receipt, State state) {
        boolean tracked = switch (MODE) {
            case OFF -> false;
            case SAMPLE -> ThreadLocalRandom.current().nextInt(SAMPLE_ONE_IN) == 0;
            case PARANOID -> true;
        };
        return tracked ? CLEANER.register(receipt, state) : null;
    }

    /** How many leaked receipts were reported since the JVM started. */
    static long count() {
        return LEAKS.sum();
    }

    /** Also tells {@code consumer} of each leak (tests wait on it). */
    static void setListener(Consumer<String> consumer) {
        listener = consumer;
    }
}
