package dev.regolith.engine.api;

/**
 * An inclusive range of time index values, in the unit of the region's time index column.
 *
 * @param start the smallest value in the range
 * @param end the largest value in the range, {@code >= start}
 */
public record TimeRange(long start, long end) {

    public TimeRange {
        if (start > end) {
            throw new IllegalArgumentException("Invalid time range: start " + start + " is after end " + end);
        }
    }

    /** Whether the two ranges share at least one value. */
    public boolean overlaps(TimeRange other) {
        return start <= other.end && other.start <= end;
    }
}
