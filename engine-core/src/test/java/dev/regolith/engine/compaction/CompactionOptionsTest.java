package dev.regolith.engine.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CompactionOptionsTest {

    @Test
    void defaultsFollowMito2() {
        assertThat(CompactionOptions.DEFAULT).isEqualTo(new CompactionOptions(Optional.empty(), 4, 32, 512L * 1024 * 1024));
    }

    @Test
    void invalidOptionsAreRejectedWithTheOffendingValue() {
        CompactionOptions options = CompactionOptions.DEFAULT;
        assertThatThrownBy(() -> options.withWindow(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid compaction time window: PT0S (must be a positive whole number of seconds, for example PT1H)");
        assertThatThrownBy(() -> options.withWindow(Duration.ofHours(-1)))
                .hasMessageStartingWith("Invalid compaction time window: PT-1H ");
        assertThatThrownBy(() -> options.withWindow(Duration.ofMillis(1500)))
                .hasMessageStartingWith("Invalid compaction time window: PT1.5S ");
        assertThatThrownBy(() -> options.withTriggerFiles(1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid compaction trigger: 1 files (must be >= 2)");
        assertThatThrownBy(() -> options.withMaxInputs(3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid compaction max inputs: 3 files (must be >= the trigger of 4 files, or a window that triggers cannot be"
                        + " compacted at once)");
        assertThatThrownBy(() -> options.withMaxOutputFileBytes(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid compaction max output file size: 0 bytes (must be >= 1)");
        assertThatThrownBy(() -> new CompactionOptions(null, 4, 32, 1))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("window is null");
    }

    @Test
    void withersChangeOneValue() {
        CompactionOptions options = CompactionOptions.DEFAULT.withWindow(Duration.ofHours(2)).withTriggerFiles(6).withMaxInputs(8)
                .withMaxOutputFileBytes(1024);
        assertThat(options).isEqualTo(new CompactionOptions(Optional.of(Duration.ofHours(2)), 6, 8, 1024));
    }
}
