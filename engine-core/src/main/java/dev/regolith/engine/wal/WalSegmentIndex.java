package dev.regolith.engine.wal;

import dev.regolith.engine.api.RegionId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What the WAL knows about its segments without reading them: for each segment, how many bytes of
 * it hold intact records, its last entry id and, per region, the largest entry id in it; and per
 * region, the entry id up to which the region has reported its entries flushed.
 *
 * <p>The newest segment is the one being written. Thread-safe: every method holds the monitor.
 */
final class WalSegmentIndex {

    /** One segment's entry. Mutable, guarded by the index's monitor. */
    static final class Segment {
        final long firstEntryId;
        final Path file;
        private long lastEntryId;
        private long endOffset;
        private final Map<RegionId, Long> maxEntryIdByRegion = new HashMap<>();

        Segment(long firstEntryId, Path file, long endOffset) {
            this.firstEntryId = firstEntryId;
            this.file = file;
            this.endOffset = endOffset;
        }

        void add(RegionId region, long entryId) {
            maxEntryIdByRegion.merge(region, entryId, Math::max);
            lastEntryId = Math.max(lastEntryId, entryId);
        }

        boolean isEmpty() {
            return maxEntryIdByRegion.isEmpty();
        }

        long lastEntryId() {
            return lastEntryId;
        }

        void setEndOffset(long endOffset) {
            this.endOffset = endOffset;
        }

        @Override
        public String toString() {
            return file.getFileName() + "{last=" + lastEntryId + ", end=" + endOffset + ", regions=" + maxEntryIdByRegion + "}";
        }
    }

    /** Where to read a segment: its file and how many bytes of it hold intact records. */
    record ReadTarget(Path file, long endOffset) {
    }

    private final NavigableMap<Long, Segment> segments = new TreeMap<>();
    private final Map<RegionId, Long> flushedEntryIds = new HashMap<>();

    synchronized void add(Segment segment) {
        if (!segments.isEmpty() && segments.lastKey() >= segment.firstEntryId) {
            throw new IllegalStateException("WAL segment " + segment.file + " is not newer than " + segments.lastEntry().getValue().file);
        }
        segments.put(segment.firstEntryId, segment);
    }

    /** Records entries just written to the newest segment, which now ends at {@code endOffset}. */
    synchronized void recordWritten(List<PendingAppend> appends, long endOffset) {
        Segment newest = segments.lastEntry().getValue();
        for (PendingAppend append : appends) {
            newest.add(append.region(), append.entryId());
        }
        newest.endOffset = endOffset;
    }

    /** The segments that may hold entries of {@code region} after {@code afterEntryId}, oldest first. */
    synchronized List<ReadTarget> segmentsWith(RegionId region, long afterEntryId) {
        List<ReadTarget> targets = new ArrayList<>();
        for (Segment segment : segments.values()) {
            Long max = segment.maxEntryIdByRegion.get(region);
            if (max != null && max > afterEntryId) {
                targets.add(new ReadTarget(segment.file, segment.endOffset));
            }
        }
        return targets;
    }

    /** Records that {@code region}'s entries up to {@code entryId} are flushed; never lowers it. */
    synchronized void markFlushed(RegionId region, long entryId) {
        flushedEntryIds.merge(region, entryId, Math::max);
    }

    /**
     * The segments, other than the newest, whose every entry belongs to a region that has flushed
     * past it. A region that never reported keeps all of its segments.
     */
    synchronized List<Segment> obsoleteSegments() {
        List<Segment> obsolete = new ArrayList<>();
        for (Segment segment : segments.headMap(segments.lastKey(), false).values()) {
            boolean covered = segment.maxEntryIdByRegion.entrySet().stream().allMatch(entry -> {
                Long flushed = flushedEntryIds.get(entry.getKey());
                return flushed != null && flushed >= entry.getValue();
            });
            if (covered) {
                obsolete.add(segment);
            }
        }
        return obsolete;
    }

    /** Every region with entries in some segment. */
    synchronized java.util.Set<RegionId> regions() {
        java.util.Set<RegionId> regions = new java.util.TreeSet<>();
        segments.values().forEach(segment -> regions.addAll(segment.maxEntryIdByRegion.keySet()));
        return regions;
    }

    synchronized void remove(Segment segment) {
        segments.remove(segment.firstEntryId, segment);
    }

    /** The segment files, oldest first. */
    synchronized List<Path> files() {
        return segments.values().stream().map(segment -> segment.file).toList();
    }
}
