package dev.regolith.engine.memtable;

import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.row.RowOrder;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A region's in-memory rows, sorted by {@link RowOrder} (primary key, timestamp, sequence
 * descending), every version kept. Inserts and iteration may run concurrently; iteration is
 * weakly consistent, so readers filter by the sequence they are allowed to see.
 *
 * <p>Once frozen (by the region, under its write lock) a memtable takes no more inserts and waits
 * to be flushed.
 */
public final class Memtable {

    private final long id;
    private final RegionMetadata metadata;
    private final int timeIndexColumn;
    private final ConcurrentSkipListSet<InternalRow> rows;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong minTimestamp = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong maxTimestamp = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong maxSequence = new AtomicLong(-1);
    private volatile boolean frozen;

    public Memtable(long id, RegionMetadata metadata) {
        this.id = id;
        this.metadata = metadata;
        RowOrder order = new RowOrder(metadata);
        this.timeIndexColumn = order.timeIndexColumn();
        this.rows = new ConcurrentSkipListSet<>(order);
    }

    public long id() {
        return id;
    }

    /** The schema every row in this memtable was written with. */
    public RegionMetadata metadata() {
        return metadata;
    }

    /**
     * Adds rows (already validated against {@link #metadata()}).
     *
     * @throws IllegalStateException if the memtable is frozen
     */
    public void insert(List<InternalRow> batch) {
        if (frozen) {
            throw new IllegalStateException("Memtable " + id + " of region " + metadata.regionId() + " is frozen");
        }
        long added = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        long sequence = -1;
        for (InternalRow row : batch) {
            rows.add(row);
            added += estimateBytes(row);
            long timestamp = (Long) row.value(timeIndexColumn);
            min = Math.min(min, timestamp);
            max = Math.max(max, timestamp);
            sequence = Math.max(sequence, row.sequence());
        }
        bytes.addAndGet(added);
        count.addAndGet(batch.size());
        minTimestamp.accumulateAndGet(min, Math::min);
        maxTimestamp.accumulateAndGet(max, Math::max);
        maxSequence.accumulateAndGet(sequence, Math::max);
    }

    public void freeze() {
        frozen = true;
    }

    public boolean isFrozen() {
        return frozen;
    }

    /** Every row version, in {@link RowOrder}. */
    public Iterator<InternalRow> iterator() {
        return rows.iterator();
    }

    public boolean isEmpty() {
        return count.get() == 0;
    }

    /** Rows inserted (every version counts). */
    public long rowCount() {
        return count.get();
    }

    /** An estimate of the heap the rows take. */
    public long bytes() {
        return bytes.get();
    }

    /** The largest sequence inserted, -1 if none. */
    public long maxSequence() {
        return maxSequence.get();
    }

    /** The smallest and largest timestamps inserted, empty if none. */
    public Optional<TimeRange> timeRange() {
        long min = minTimestamp.get();
        long max = maxTimestamp.get();
        return min <= max ? Optional.of(new TimeRange(min, max)) : Optional.empty();
    }

    /** Heap estimate of one row: the row, its array, its boxed values, a skip-list node. */
    static long estimateBytes(InternalRow row) {
        long size = 24 + 16 + 8L * row.size() + 40;
        for (int i = 0; i < row.size(); i++) {
            Object value = row.value(i);
            if (value instanceof String text) {
                size += 40 + text.length();
            }
            else if (value instanceof byte[] bytes) {
                size += 16 + bytes.length;
            }
            else if (value != null) {
                size += 16;
            }
        }
        return size;
    }
}
