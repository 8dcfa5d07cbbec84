package dev.regolith.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TimeRangeTest {

    @Test
    void startAfterEndIsRejected() {
        assertThatThrownBy(() -> new TimeRange(10, 9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid time range: start 10 is after end 9");
    }

    @Test
    void singleInstantIsARange() {
        TimeRange range = new TimeRange(5, 5);

        assertThat(range.overlaps(range)).isTrue();
    }

    @Test
    void rangesSharingOnlyAnEndpointOverlap() {
        TimeRange left = new TimeRange(0, 10);
        TimeRange right = new TimeRange(10, 20);

        assertThat(left.overlaps(right)).isTrue();
        assertThat(right.overlaps(left)).isTrue();
    }

    @Test
    void adjacentRangesDoNotOverlap() {
        TimeRange left = new TimeRange(0, 9);
        TimeRange right = new TimeRange(10, 20);

        assertThat(left.overlaps(right)).isFalse();
        assertThat(right.overlaps(left)).isFalse();
    }

    @Test
    void containedRangeOverlaps() {
        TimeRange outer = new TimeRange(0, 100);
        TimeRange inner = new TimeRange(40, 60);

        assertThat(outer.overlaps(inner)).isTrue();
        assertThat(inner.overlaps(outer)).isTrue();
    }

    @Test
    void extremeRangesDoNotOverflow() {
        TimeRange all = new TimeRange(Long.MIN_VALUE, Long.MAX_VALUE);

        assertThat(all.overlaps(new TimeRange(Long.MAX_VALUE, Long.MAX_VALUE))).isTrue();
        assertThat(new TimeRange(Long.MIN_VALUE, -1).overlaps(new TimeRange(0, Long.MAX_VALUE))).isFalse();
    }
}
