package dev.regolith.engine.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HookDeliveryOptionsTest {

    @Test
    void missingKeysKeepDefaults() {
        HookDeliveryOptions options = HookDeliveryOptions.from("audit", Map.of("file", "/tmp/audit.log"));

        assertThat(options).isEqualTo(HookDeliveryOptions.DEFAULT);
        assertThat(options.queueSize()).isEqualTo(1024);
        assertThat(options.deadline()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.retryLimit()).isEqualTo(5);
        assertThat(options.initialBackoff()).isEqualTo(Duration.ofMillis(100));
        assertThat(options.maxBackoff()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.threads()).isEqualTo(2);
        assertThat(options.queueActions()).isEqualTo(1024);
    }

    @Test
    void readsEveryKey() {
        HookDeliveryOptions options = HookDeliveryOptions.from("audit", Map.of(
                "queue.size", "64",
                "deadline.ms", "250",
                "retry.limit", "0",
                "backoff.initial.ms", " 5 ",
                "backoff.max.ms", "40",
                "threads", "4",
                "queue.actions", "500"));

        assertThat(options).isEqualTo(new HookDeliveryOptions(64, Duration.ofMillis(250), 0, Duration.ofMillis(5),
                Duration.ofMillis(40), 4, 500));
    }

    @Test
    void initialBackoffAboveDefaultMaxRaisesMax() {
        HookDeliveryOptions options = HookDeliveryOptions.from("audit", Map.of("backoff.initial.ms", "60000"));

        assertThat(options.maxBackoff()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void rejectsValueThatIsNotANumber() {
        assertThatThrownBy(() -> HookDeliveryOptions.from("audit", Map.of("queue.size", "lots")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid hooks.audit.queue.size 'lots': expected a whole number >= 1");
        assertThatThrownBy(() -> HookDeliveryOptions.from("audit", Map.of("deadline.ms", "1.5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid hooks.audit.deadline.ms '1.5': expected a whole number >= 1");
    }

    @Test
    void rejectsValueOutOfRange() {
        assertThatThrownBy(() -> HookDeliveryOptions.from("audit", Map.of("queue.size", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid hooks.audit.queue.size '0': must be >= 1");
        assertThatThrownBy(() -> HookDeliveryOptions.from("audit", Map.of("queue.size", "3000000000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid hooks.audit.queue.size '3000000000': must be <= 2147483647");
        assertThatThrownBy(() -> HookDeliveryOptions.from("audit", Map.of("retry.limit", "-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid hooks.audit.retry.limit '-1': must be >= 0");
        assertThatThrownBy(() -> HookDeliveryOptions.from("audit", Map.of("threads", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid hooks.audit.threads '0': must be >= 1");
        assertThatThrownBy(() -> HookDeliveryOptions.from("audit", Map.of("queue.actions", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid hooks.audit.queue.actions '0': must be >= 1");
        assertThatThrownBy(() -> HookDeliveryOptions.from("audit", Map.of("deadline.ms", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid hooks.audit.deadline.ms '0': must be >= 1");
        assertThatThrownBy(() -> HookDeliveryOptions.from("audit", Map.of("backoff.max.ms", "99999999999999999")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid hooks.audit.backoff.max.ms '99999999999999999': must be <= 9223372036854");
    }

    @Test
    void rejectsMaxBackoffBelowInitial() {
        assertThatThrownBy(() -> HookDeliveryOptions.from("audit", Map.of("backoff.initial.ms", "200", "backoff.max.ms", "50")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid hooks.audit.backoff.max.ms '50': must be at least hooks.audit.backoff.initial.ms (200)");
    }

    @Test
    void constructorRejectsInvalidValues() {
        HookDeliveryOptions options = HookDeliveryOptions.DEFAULT;

        assertThatThrownBy(() -> options.withQueueSize(0))
                .hasMessage("Invalid hook queue size: 0 (must be >= 1)");
        assertThatThrownBy(() -> options.withDeadline(Duration.ZERO))
                .hasMessage("Invalid hook deadline: PT0S (must be positive)");
        assertThatThrownBy(() -> options.withRetryLimit(-1))
                .hasMessage("Invalid hook retry limit: -1 (must be >= 0)");
        assertThatThrownBy(() -> options.withBackoff(Duration.ofMillis(-1), Duration.ofMillis(1)))
                .hasMessage("Invalid hook initial backoff: PT-0.001S (must not be negative)");
        assertThatThrownBy(() -> options.withBackoff(Duration.ofMillis(2), Duration.ofMillis(1)))
                .hasMessage("Invalid hook max backoff: PT0.001S (must be >= the initial backoff of PT0.002S)");
        assertThatThrownBy(() -> options.withThreads(0))
                .hasMessage("Invalid hook thread count: 0 (must be >= 1)");
    }

    @Test
    void backoffDoublesUpToMax() {
        HookDeliveryOptions options = HookDeliveryOptions.DEFAULT.withBackoff(Duration.ofMillis(100), Duration.ofMillis(1000));

        assertThat(options.backoffNanos(1)).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(options.backoffNanos(2)).isEqualTo(Duration.ofMillis(200).toNanos());
        assertThat(options.backoffNanos(4)).isEqualTo(Duration.ofMillis(800).toNanos());
        assertThat(options.backoffNanos(5)).isEqualTo(Duration.ofMillis(1000).toNanos());
        assertThat(options.backoffNanos(1000)).isEqualTo(Duration.ofMillis(1000).toNanos());
        assertThat(HookDeliveryOptions.DEFAULT.withBackoff(Duration.ZERO, Duration.ZERO).backoffNanos(3)).isZero();
        assertThat(HookDeliveryOptions.DEFAULT.withBackoff(Duration.ofNanos(1), Duration.ofDays(365 * 1000)).backoffNanos(64))
                .isEqualTo(Long.MAX_VALUE);
    }
}
