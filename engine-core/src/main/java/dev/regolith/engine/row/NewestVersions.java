package dev.regolith.engine.row;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * Merges sources that are each sorted by {@link RowOrder} and yields, for every primary key and
 * timestamp, only the version with the highest sequence (which may be a delete: callers that write
 * files keep it to hide older files' versions, callers that answer queries drop it).
 */
public final class NewestVersions implements Iterator<InternalRow> {

    private final RowOrder order;
    private final PriorityQueue<Source> heap;
    private InternalRow previous;
    private InternalRow next;

    public NewestVersions(RowOrder order, List<? extends Iterator<InternalRow>> sources) {
        this.order = order;
        this.heap = new PriorityQueue<>(Math.max(1, sources.size()), (left, right) -> order.compare(left.head, right.head));
        for (Iterator<InternalRow> source : sources) {
            if (source.hasNext()) {
                heap.add(new Source(source));
            }
        }
    }

    @Override
    public boolean hasNext() {
        while (next == null && !heap.isEmpty()) {
            Source source = heap.poll();
            InternalRow row = source.head;
            if (source.advance()) {
                heap.add(source);
            }
            if (previous == null || order.compareKey(previous, row) != 0) {
                previous = row;
                next = row;
            }
        }
        return next != null;
    }

    @Override
    public InternalRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        InternalRow row = next;
        next = null;
        return row;
    }

    private static final class Source {
        private final Iterator<InternalRow> rows;
        private InternalRow head;

        Source(Iterator<InternalRow> rows) {
            this.rows = rows;
            this.head = rows.next();
        }

        boolean advance() {
            if (rows.hasNext()) {
                head = rows.next();
                return true;
            }
            return false;
        }
    }
}
