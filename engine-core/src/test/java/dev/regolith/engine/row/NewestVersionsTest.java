package dev.regolith.engine.row;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;

import dev.regolith.engine.api.OpType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class NewestVersionsTest {

    private static final RowOrder ORDER = new RowOrder(metadata(REGION));

    private static InternalRow row(String host, long ts, long sequence, OpType op) {
        return new InternalRow(new Object[] {host, op == OpType.PUT ? (double) sequence : null, ts}, sequence, op);
    }

    @Test
    void newestVersionWinsAcrossSourcesAndDeletesAreKept() {
        List<Iterator<InternalRow>> sources = List.of(
                List.of(row("a", 1, 5, OpType.PUT), row("b", 1, 2, OpType.PUT)).iterator(),
                List.of(row("a", 1, 7, OpType.DELETE), row("a", 2, 1, OpType.PUT)).iterator(),
                List.<InternalRow>of().iterator());

        List<InternalRow> merged = new ArrayList<>();
        new NewestVersions(ORDER, sources).forEachRemaining(merged::add);

        assertThat(merged).containsExactly(row("a", 1, 7, OpType.DELETE), row("a", 2, 1, OpType.PUT), row("b", 1, 2, OpType.PUT));
    }

    @Test
    void matchesAMapModelOnRandomInput() {
        long seed = Long.getLong("regolith.test.seed", new Random().nextLong());
        System.out.println("NewestVersionsTest seed=" + seed);
        Random random = new Random(seed);
        List<List<InternalRow>> sources = new ArrayList<>();
        TreeMap<String, InternalRow> model = new TreeMap<>();
        long sequence = 0;
        for (int s = 0; s < 4; s++) {
            List<InternalRow> source = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                InternalRow row = row("h" + random.nextInt(5), random.nextInt(20), ++sequence,
                        random.nextInt(5) == 0 ? OpType.DELETE : OpType.PUT);
                source.add(row);
                model.put(row.value(0) + "/" + String.format("%05d", (Long) row.value(2)), row);
            }
            source.sort(ORDER);
            sources.add(source);
        }

        List<InternalRow> merged = new ArrayList<>();
        new NewestVersions(ORDER, sources.stream().map(List::iterator).toList()).forEachRemaining(merged::add);

        assertThat(merged).as("seed %d", seed).containsExactlyElementsOf(model.values());
    }
}
