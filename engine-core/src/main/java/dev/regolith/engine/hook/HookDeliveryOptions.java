package dev.regolith.engine.hook;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;

/**
 * How a {@link HookDispatcher} delivers events to one hook. {@link #DEFAULT}: a queue of 1024
 * events holding at most 16384 actions in memory, a 10 s deadline per callback, 5 retries with
 * backoff from 100 ms doubling up to 30 s, and 2 delivery threads.
 *
 * @param queueSize pending events at which the dispatcher starts merging a region's new events
 *     into its last pending one instead of queueing them separately (see {@link HookDispatcher}
 *     for the exact bound)
 * @param deadline how long a callback may run before it is reported as slow; it is not
 *     interrupted
 * @param retryLimit how many times a failed {@code onManifestUpdated} is retried before the hook
 *     is quarantined; 0 quarantines on the first failure
 * @param initialBackoff the wait before the first retry; each further retry waits twice as long
 * @param maxBackoff the longest wait between two retries
 * @param threads how many regions the hook is called for in parallel
 * @param queueActions how many committed actions the hook's pending events may hold in memory;
 *     beyond that, pending versions keep only their range and are read back from the region's
 *     manifest when delivered (see {@link HookDispatcher}), so a hook that falls behind costs a
 *     bounded amount of memory
 */
public record HookDeliveryOptions(int queueSize, Duration deadline, int retryLimit, Duration initialBackoff, Duration maxBackoff,
        int threads, int queueActions) {

    public static final String QUEUE_SIZE = "queue.size";
    public static final String DEADLINE_MS = "deadline.ms";
    public static final String RETRY_LIMIT = "retry.limit";
    public static final String BACKOFF_INITIAL_MS = "backoff.initial.ms";
    public static final String BACKOFF_MAX_MS = "backoff.max.ms";
    public static final String THREADS = "threads";
    public static final String QUEUE_ACTIONS = "queue.actions";

    private static final int DEFAULT_QUEUE_ACTIONS = 1024;

    /** The longest duration an option takes, in milliseconds: any longer would overflow nanoseconds. */
    private static final long MAX_MILLIS = Long.MAX_VALUE / 1_000_000;

    public static final HookDeliveryOptions DEFAULT = new HookDeliveryOptions(1024, Duration.ofSeconds(10), 5, Duration.ofMillis(100),
            Duration.ofSeconds(30), 2, DEFAULT_QUEUE_ACTIONS);

    public HookDeliveryOptions {
        requireNonNull(deadline, "deadline is null");
        requireNonNull(initialBackoff, "initialBackoff is null");
        requireNonNull(maxBackoff, "maxBackoff is null");
        if (queueSize < 1) {
            throw new IllegalArgumentException("Invalid hook queue size: " + queueSize + " (must be >= 1)");
        }
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("Invalid hook deadline: " + deadline + " (must be positive)");
        }
        if (retryLimit < 0) {
            throw new IllegalArgumentException("Invalid hook retry limit: " + retryLimit + " (must be >= 0)");
        }
        if (initialBackoff.isNegative()) {
            throw new IllegalArgumentException("Invalid hook initial backoff: " + initialBackoff + " (must not be negative)");
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("Invalid hook max backoff: " + maxBackoff + " (must be >= the initial backoff of "
                    + initialBackoff + ")");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("Invalid hook thread count: " + threads + " (must be >= 1)");
        }
        if (queueActions < 1) {
            throw new IllegalArgumentException("Invalid hook queue action bound: " + queueActions + " (must be >= 1)");
        }
    }

    /** The options with the default {@link #queueActions()}. */
    public HookDeliveryOptions(int queueSize, Duration deadline, int retryLimit, Duration initialBackoff, Duration maxBackoff,
            int threads) {
        this(queueSize, deadline, retryLimit, initialBackoff, maxBackoff, threads, DEFAULT_QUEUE_ACTIONS);
    }

    /**
     * Reads the delivery options among a hook's options (the engine's {@code hooks.<name>.<key>}
     * options as {@code <key>}, see {@link dev.regolith.hooks.spi.HookContext#options()}):
     * {@code queue.size}, {@code deadline.ms}, {@code retry.limit}, {@code backoff.initial.ms},
     * {@code backoff.max.ms}, {@code threads} and {@code queue.actions}. Missing keys keep their {@link #DEFAULT}; other
     * keys are the hook's own and are ignored.
     *
     * @param hookName the hook's name, for error messages
     * @throws IllegalArgumentException naming the option {@code hooks.<name>.<key>} and its value
     *     if a value is not a number or out of range
     */
    public static HookDeliveryOptions from(String hookName, Map<String, String> hookOptions) {
        requireNonNull(hookName, "hookName is null");
        requireNonNull(hookOptions, "hookOptions is null");
        OptionReader reader = new OptionReader(hookName, hookOptions);
        int queueSize = (int) reader.read(QUEUE_SIZE, DEFAULT.queueSize, 1, Integer.MAX_VALUE);
        long deadlineMs = reader.read(DEADLINE_MS, DEFAULT.deadline.toMillis(), 1, MAX_MILLIS);
        int retryLimit = (int) reader.read(RETRY_LIMIT, DEFAULT.retryLimit, 0, Integer.MAX_VALUE);
        long initialMs = reader.read(BACKOFF_INITIAL_MS, DEFAULT.initialBackoff.toMillis(), 0, MAX_MILLIS);
        // Raising only the initial backoff above the default maximum raises the maximum with it.
        long maxMs = reader.read(BACKOFF_MAX_MS, Math.max(DEFAULT.maxBackoff.toMillis(), initialMs), 0, MAX_MILLIS);
        int threads = (int) reader.read(THREADS, DEFAULT.threads, 1, Integer.MAX_VALUE);
        int queueActions = (int) reader.read(QUEUE_ACTIONS, DEFAULT.queueActions, 1, Integer.MAX_VALUE);
        if (maxMs < initialMs) {
            throw new IllegalArgumentException("Invalid " + reader.key(BACKOFF_MAX_MS) + " '" + hookOptions.get(BACKOFF_MAX_MS)
                    + "': must be at least " + reader.key(BACKOFF_INITIAL_MS) + " (" + initialMs + ")");
        }
        return new HookDeliveryOptions(queueSize, Duration.ofMillis(deadlineMs), retryLimit, Duration.ofMillis(initialMs),
                Duration.ofMillis(maxMs), threads, queueActions);
    }

    public HookDeliveryOptions withQueueSize(int queueSize) {
        return new HookDeliveryOptions(queueSize, deadline, retryLimit, initialBackoff, maxBackoff, threads, queueActions);
    }

    public HookDeliveryOptions withDeadline(Duration deadline) {
        return new HookDeliveryOptions(queueSize, deadline, retryLimit, initialBackoff, maxBackoff, threads, queueActions);
    }

    public HookDeliveryOptions withRetryLimit(int retryLimit) {
        return new HookDeliveryOptions(queueSize, deadline, retryLimit, initialBackoff, maxBackoff, threads, queueActions);
    }

    public HookDeliveryOptions withBackoff(Duration initialBackoff, Duration maxBackoff) {
        return new HookDeliveryOptions(queueSize, deadline, retryLimit, initialBackoff, maxBackoff, threads, queueActions);
    }

    public HookDeliveryOptions withThreads(int threads) {
        return new HookDeliveryOptions(queueSize, deadline, retryLimit, initialBackoff, maxBackoff, threads, queueActions);
    }

    public HookDeliveryOptions withQueueActions(int queueActions) {
        return new HookDeliveryOptions(queueSize, deadline, retryLimit, initialBackoff, maxBackoff, threads, queueActions);
    }

    /** The wait before retry number {@code retry} (1 for the first): initial * 2^(retry-1), capped. */
    long backoffNanos(int retry) {
        long initial = saturatedNanos(initialBackoff);
        long max = saturatedNanos(maxBackoff);
        int doublings = Math.max(0, retry - 1);
        if (initial == 0) {
            return 0;
        }
        if (doublings >= Long.numberOfLeadingZeros(initial)) {
            return max;
        }
        return Math.min(initial << doublings, max);
    }

    /** {@code duration} in nanoseconds, or {@link Long#MAX_VALUE} if that overflows. */
    static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        }
        catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private record OptionReader(String hookName, Map<String, String> options) {

        String key(String key) {
            return "hooks." + hookName + "." + key;
        }

        long read(String key, long defaultValue, long min, long max) {
            String text = options.get(key);
            if (text == null) {
                return defaultValue;
            }
            long value;
            try {
                value = Long.parseLong(text.trim());
            }
            catch (NumberFormatException e) {
                throw new IllegalArgumentException("Invalid " + key(key) + " '" + text + "': expected a whole number >= " + min);
            }
            if (value < min) {
                throw new IllegalArgumentException("Invalid " + key(key) + " '" + text + "': must be >= " + min);
            }
            if (value > max) {
                throw new IllegalArgumentException("Invalid " + key(key) + " '" + text + "': must be <= " + max);
            }
            return value;
        }
    }
}
