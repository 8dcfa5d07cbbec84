package dev.regolith.hooks.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ColumnStatisticsTest {

    @Test
    void minWithoutMaxIsRejected() {
        assertThatThrownBy(() -> new ColumnStatistics("cpu", 0, Optional.of(1.0), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid statistics for column cpu: min and max must both be present or both absent");
    }

    @Test
    void maxWithoutMinIsRejected() {
        assertThatThrownBy(() -> new ColumnStatistics("cpu", 0, Optional.empty(), Optional.of(1.0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid statistics for column cpu: min and max must both be present or both absent");
    }

    @Test
    void allNullColumnHasNeitherMinNorMax() {
        ColumnStatistics statistics = new ColumnStatistics("cpu", 1_000, Optional.empty(), Optional.empty());

        assertThat(statistics.min()).isEmpty();
        assertThat(statistics.max()).isEmpty();
        assertThat(statistics.nullCount()).isEqualTo(1_000);
    }

    @Test
    void negativeNullCountIsRejected() {
        assertThatThrownBy(() -> new ColumnStatistics("cpu", -1, Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid null count for column cpu: -1");
    }
}
