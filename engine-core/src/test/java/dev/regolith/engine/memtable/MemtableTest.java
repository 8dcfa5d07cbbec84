package dev.regolith.engine.memtable;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.engine.row.InternalRow;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemtableTest {

    private static InternalRow row(String host, long ts, long sequence, OpType op) {
        return new InternalRow(new Object[] {host, op == OpType.PUT ? 1.0 : null, ts}, sequence, op);
    }

    @Test
    void keepsEveryVersionInKeyTimestampAndNewestFirstOrder() {
        Memtable memtable = new Memtable(1, metadata(REGION));

        memtable.insert(List.of(row("b", 10, 1, OpType.PUT), row("a", 20, 2, OpType.PUT), row("a", 10, 3, OpType.PUT)));
        memtable.insert(List.of(row("a", 10, 4, OpType.DELETE)));

        List<InternalRow> rows = new ArrayList<>();
        memtable.iterator().forEachRemaining(rows::add);
        assertThat(rows).extracting(InternalRow::sequence).containsExactly(4L, 3L, 2L, 1L);
        assertThat(memtable.rowCount()).isEqualTo(4);
        assertThat(memtable.maxSequence()).isEqualTo(4);
        assertThat(memtable.timeRange()).contains(new TimeRange(10, 20));
        assertThat(memtable.bytes()).isPositive();
    }

    @Test
    void emptyMemtableHasNoRange() {
        Memtable memtable = new Memtable(1, metadata(REGION));

        assertThat(memtable.isEmpty()).isTrue();
        assertThat(memtable.timeRange()).isEmpty();
        assertThat(memtable.maxSequence()).isEqualTo(-1);
    }

    @Test
    void frozenMemtableRejectsInserts() {
        Memtable memtable = new Memtable(7, metadata(REGION));
        memtable.freeze();

        assertThatThrownBy(() -> memtable.insert(List.of(row("a", 1, 1, OpType.PUT))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Memtable 7 of region 1024_0000000001 is frozen");
    }

    @Test
    void iterationSeesAConsistentPrefixWhileInsertsContinue() {
        Memtable memtable = new Memtable(1, metadata(REGION));
        memtable.insert(List.of(row("a", 1, 1, OpType.PUT)));
        Iterator<InternalRow> rows = memtable.iterator();

        memtable.insert(List.of(row("b", 1, 2, OpType.PUT)));

        assertThat(rows.next().sequence()).isEqualTo(1);
    }
}
