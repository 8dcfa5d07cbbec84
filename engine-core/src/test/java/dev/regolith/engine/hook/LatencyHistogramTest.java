package dev.regolith.engine.hook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.regolith.engine.api.HookMetrics;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void emptyHistogramReportsZeros() {
        assertThat(new LatencyHistogram().snapshot()).isEqualTo(new HookMetrics.Latency(0, 0, 0, 0));
    }

    @Test
    void reportsCountMeanMaxAndP99() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (int i = 1; i <= 1000; i++) {
            histogram.record(i * 1000L);
        }

        HookMetrics.Latency latency = histogram.snapshot();

        assertThat(latency.count()).isEqualTo(1000);
        assertThat(latency.meanNanos()).isEqualTo(500_500);
        assertThat(latency.maxNanos()).isEqualTo(1_000_000);
        // The true p99 is 990,000 ns; buckets are at most 12.5% wide.
        assertThat(latency.p99Nanos()).isBetween(990_000L, 990_000L * 9 / 8);
    }

    @Test
    void everyValueFallsIntoABucketThatHoldsIt() {
        long seed = Long.getLong("regolith.test.seed", new Random().nextLong());
        System.out.println("LatencyHistogramTest seed=" + seed);
        Random random = new Random(seed);
        for (int i = 0; i < 100_000; i++) {
            long value = (random.nextLong() >>> 1) >>> random.nextInt(63);
            int index = LatencyHistogram.index(value);
            assertThat(LatencyHistogram.upperBound(index)).as("value %s", value).isGreaterThanOrEqualTo(value);
            if (index > 0) {
                assertThat(LatencyHistogram.upperBound(index - 1)).as("value %s", value).isLessThan(value);
            }
            assertThat(LatencyHistogram.upperBound(index) - value).as("value %s", value).isLessThanOrEqualTo(value / 8);
        }
        assertThat(LatencyHistogram.upperBound(LatencyHistogram.index(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
    }
}
