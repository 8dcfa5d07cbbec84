package dev.regolith.engine.hook;

import dev.regolith.engine.api.HookMetrics;

/**
 * Durations in a fixed log-linear histogram: 8 buckets per power of two, so a percentile is
 * reported within 12.5% of the true value in 4 KiB, however many values are recorded. Not
 * thread-safe.
 */
final class LatencyHistogram {

    private static final int SUB_BUCKETS = 8;
    private static final int SUB_BITS = 3;
    private static final int BUCKETS = SUB_BUCKETS + (63 - SUB_BITS) * SUB_BUCKETS;

    private final long[] counts = new long[BUCKETS];
    private long count;
    private long sum;
    private long max;

    void record(long nanos) {
        long value = Math.max(0, nanos);
        counts[index(value)]++;
        count++;
        sum = sum + value < sum ? Long.MAX_VALUE : sum + value;
        max = Math.max(max, value);
    }

    HookMetrics.Latency snapshot() {
        return new HookMetrics.Latency(count, count == 0 ? 0 : sum / count, max, percentile(0.99));
    }

    /** The smallest recorded bucket bound below which at least {@code fraction} of the values lie. */
    long percentile(double fraction) {
        if (count == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(fraction * count);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(upperBound(i), max);
            }
        }
        return max;
    }

    static int index(long value) {
        if (value < SUB_BUCKETS) {
            return (int) value;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(value);
        int sub = (int) (value >>> (exponent - SUB_BITS)) & (SUB_BUCKETS - 1);
        return SUB_BUCKETS + (exponent - SUB_BITS) * SUB_BUCKETS + sub;
    }

    /** The largest value that falls into bucket {@code index}. */
    static long upperBound(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int exponent = (index - SUB_BUCKETS) / SUB_BUCKETS + SUB_BITS;
        int sub = (index - SUB_BUCKETS) % SUB_BUCKETS;
        long width = 1L << (exponent - SUB_BITS);
        long lower = (SUB_BUCKETS + sub) * width;
        return lower + (width - 1);
    }
}
