package dev.regolith.engine.api;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to read from a region.
 *
 * @param projection the columns to return, in this order; empty for every column in schema order
 * @param timeRange only rows whose time index is in this inclusive range
 * @param tagEquals only rows whose tag columns have these values
 * @param limit at most this many rows
 */
public record ScanRequest(List<String> projection, Optional<TimeRange> timeRange, Map<String, Object> tagEquals, long limit) {

    public ScanRequest {
        projection = List.copyOf(requireNonNull(projection, "projection is null"));
        requireNonNull(timeRange, "timeRange is null");
        tagEquals = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(tagEquals, "tagEquals is null")));
        if (limit < 0) {
            throw new IllegalArgumentException("Invalid scan limit: " + limit);
        }
    }

    /** Every column of every row. */
    public static ScanRequest all() {
        return new ScanRequest(List.of(), Optional.empty(), Map.of(), Long.MAX_VALUE);
    }

    public ScanRequest withProjection(List<String> columns) {
        return new ScanRequest(columns, timeRange, tagEquals, limit);
    }

    public ScanRequest withTimeRange(TimeRange range) {
        return new ScanRequest(projection, Optional.of(range), tagEquals, limit);
    }

    public ScanRequest withTagEquals(String tag, Object value) {
        Map<String, Object> tags = new LinkedHashMap<>(tagEquals);
        tags.put(tag, value);
        return new ScanRequest(projection, timeRange, tags, limit);
    }

    public ScanRequest withLimit(long rows) {
        return new ScanRequest(projection, timeRange, tagEquals, rows);
    }
}
