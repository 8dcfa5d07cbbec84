package dev.regolith.engine.api;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A snapshot of one hook's delivery counters, taken by the engine ({@link Engine#hookMetrics()}).
 *
 * <p>{@code delivered}, {@code failed}, {@code slow} and {@code latency} count every callback the
 * hook's dispatcher ran (manifest updates, reconciles, lifecycle events and
 * {@code onSstFilesWritten}); {@code retried}, {@code duplicates}, {@code lag} and
 * {@code deliveredVersions} are about the versioned stream of manifest updates only. All counters
 * start at zero when the engine opens.
 *
 * @param name the hook's name
 * @param delivered callbacks that returned normally
 * @param failed callbacks that threw (each attempt counts)
 * @param retried retries of a failed {@code onManifestUpdated}
 * @param coalesced events merged into an adjacent pending event of their region because the queue
 *     was full (backpressure: nothing is dropped, several versions reach the hook as one event)
 * @param duplicates events ignored because every version they cover was already delivered
 * @param slow callbacks that ran longer than the deadline
 * @param quarantined whether the hook is quarantined now: nothing is delivered to it until it is
 *     re-enabled
 * @param queueDepth events waiting for delivery (not counting those being delivered)
 * @param lag per region, the highest version submitted minus the last version delivered
 * @param deliveredVersions per region, the last version delivered (or skipped): the cursor
 * @param latency how long callbacks ran, failed ones included
 */
public record HookMetrics(String name, long delivered, long failed, long retried, long coalesced, long duplicates, long slow,
        boolean quarantined, int queueDepth, Map<RegionId, Long> lag, Map<RegionId, Long> deliveredVersions, Latency latency) {

    public HookMetrics {
        requireNonNull(name, "name is null");
        lag = Map.copyOf(requireNonNull(lag, "lag is null"));
        deliveredVersions = Map.copyOf(requireNonNull(deliveredVersions, "deliveredVersions is null"));
        requireNonNull(latency, "latency is null");
    }

    /**
     * Callback durations.
     *
     * @param count callbacks measured
     * @param meanNanos their mean duration, 0 if none
     * @param maxNanos the longest, 0 if none
     * @param p99Nanos the 99th percentile, within 12.5% (from a log-linear histogram), 0 if none
     */
    public record Latency(long count, long meanNanos, long maxNanos, long p99Nanos) {
    }
}
