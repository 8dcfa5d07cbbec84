package dev.regolith.engine.compaction;

import static dev.regolith.engine.compaction.CompactionTesting.IO;
import static dev.regolith.engine.compaction.CompactionTesting.V1;
import static dev.regolith.engine.compaction.CompactionTesting.V2;
import static dev.regolith.engine.compaction.CompactionTesting.compact;
import static dev.regolith.engine.compaction.CompactionTesting.delete;
import static dev.regolith.engine.compaction.CompactionTesting.listFiles;
import static dev.regolith.engine.compaction.CompactionTesting.put;
import static dev.regolith.engine.compaction.CompactionTesting.putV1;
import static dev.regolith.engine.compaction.CompactionTesting.readAll;
import static dev.regolith.engine.compaction.CompactionTesting.writeInput;
import static org.assertj.core.api.Assertions.assertThat;

import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.row.RowOrder;
import dev.regolith.engine.sst.SstWriteOptions;
import dev.regolith.hooks.spi.WrittenSstFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compacts random inputs (overlapping keys, several versions, deletes, two schema versions, random
 * row group and output sizes) and checks the output against a map of the newest version per key.
 *
 * <p>Rerun a failure with {@code -Dregolith.test.seed=<seed printed in the output>}.
 */
class CompactionWriterRandomizedTest {

    private static final String[] HOSTS = {null, "", "web-1", "web-2", "db-0", "数据"};

    @TempDir
    Path dir;

    @RepeatedTest(8)
    void outputHoldsTheNewestVersionOfEveryKey() throws IOException {
        long seed = Long.getLong("regolith.test.seed", new Random().nextLong());
        System.out.println("CompactionWriterRandomizedTest seed=" + seed);
        Random random = new Random(seed);
        Path inputDirectory = Files.createDirectories(dir.resolve("inputs"));
        Path regionDirectory = Files.createDirectories(dir.resolve("region"));

        int inputCount = 1 + random.nextInt(6);
        int totalRows = 0;
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < inputCount; i++) {
            sizes.add(1 + random.nextInt(random.nextBoolean() ? 20 : 400));
            totalRows += sizes.get(i);
        }
        // Unique sequences, spread over the inputs in any order: a later input may hold older versions.
        List<Long> sequences = new ArrayList<>();
        for (long sequence = 1; sequence <= totalRows; sequence++) {
            sequences.add(sequence);
        }
        Collections.shuffle(sequences, random);

        Map<List<Object>, InternalRow> newest = new HashMap<>();
        List<Path> inputs = new ArrayList<>();
        int next = 0;
        for (int size : sizes) {
            RegionMetadata schema = random.nextInt(3) == 0 ? V1 : V2;
            List<InternalRow> rows = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                long sequence = sequences.get(next++);
                String host = HOSTS[random.nextInt(HOSTS.length)];
                long ts = 1_700_000_000_000L + random.nextInt(40) * 1000L;
                InternalRow expected;
                if (random.nextInt(4) == 0) {
                    expected = delete(host, ts, sequence);
                    rows.add(schema == V2 ? expected : new InternalRow(new Object[] {host, null, ts, null}, sequence, OpType.DELETE));
                }
                else {
                    Double cpu = random.nextInt(5) == 0 ? null : random.nextDouble() * 100;
                    if (schema == V2) {
                        expected = put(host, ts, cpu, random.nextBoolean() ? null : "note-" + random.nextInt(1000), sequence);
                        rows.add(expected);
                    }
                    else {
                        expected = put(host, ts, cpu, null, sequence); // V1 has no note; its temp was dropped
                        rows.add(putV1(host, ts, cpu, random.nextDouble(), sequence));
                    }
                }
                newest.merge(Arrays.asList(host, ts), expected, (old, row) -> row.sequence() > old.sequence() ? row : old);
            }
            SstWriteOptions inputOptions = SstWriteOptions.DEFAULT.withRowGroupRows(1 + random.nextInt(100));
            inputs.add(writeInput(inputDirectory, schema, inputOptions, rows));
        }
        boolean dropDeletes = random.nextBoolean();
        SstWriteOptions outputOptions = SstWriteOptions.DEFAULT.withRowGroupRows(1 + random.nextInt(64))
                .withCodec(SstWriteOptions.Codec.values()[random.nextInt(SstWriteOptions.Codec.values().length)]);
        long maxOutputFileBytes = random.nextBoolean() ? Long.MAX_VALUE : 1 + random.nextInt(20_000);

        List<WrittenSstFile> outputs = compact(IO, regionDirectory, V2, inputs, dropDeletes, outputOptions, maxOutputFileBytes);

        List<InternalRow> expected = new ArrayList<>(newest.values());
        if (dropDeletes) {
            expected.removeIf(row -> row.op() == OpType.DELETE);
        }
        expected.sort(new RowOrder(V2));
        String context = "seed " + seed + ", dropDeletes " + dropDeletes + ", max output " + maxOutputFileBytes;
        assertThat(readAll(outputs)).as(context).isEqualTo(expected);
        assertThat(listFiles(regionDirectory)).as(context).containsExactlyInAnyOrderElementsOf(
                outputs.stream().map(WrittenSstFile::path).toList());
        for (WrittenSstFile output : outputs) {
            List<InternalRow> rows = readAll(output.path());
            long minTs = rows.stream().mapToLong(row -> (Long) row.value(3)).min().orElseThrow();
            long maxTs = rows.stream().mapToLong(row -> (Long) row.value(3)).max().orElseThrow();
            assertThat(output.path()).as(context).isEqualTo(regionDirectory.resolve(output.meta().fileId() + ".parquet"));
            assertThat(output.meta().level()).as(context).isEqualTo(1);
            assertThat(output.meta().numRows()).as(context).isEqualTo(rows.size());
            assertThat(output.meta().timeRange()).as(context).isEqualTo(new TimeRange(minTs, maxTs));
            assertThat(output.meta().maxSequence()).as(context)
                    .isEqualTo(rows.stream().mapToLong(InternalRow::sequence).max().orElseThrow());
            assertThat(output.meta().fileSize()).as(context).isEqualTo(Files.size(output.path()));
        }
    }
}
