package dev.regolith.engine.index;

import static dev.regolith.engine.index.TagIndexTesting.accepted;
import static dev.regolith.engine.index.TagIndexTesting.prunedScan;
import static dev.regolith.engine.index.TagIndexTesting.randomRows;
import static dev.regolith.engine.index.TagIndexTesting.tag;
import static dev.regolith.engine.index.TagIndexTesting.toSet;
import static dev.regolith.engine.index.TagIndexTesting.writeSst;
import static org.assertj.core.api.Assertions.assertThat;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileIndex;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.index.TagIndexTesting.WrittenSst;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.row.InternalRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes SSTs of random schemas (tags of every data type), rows and row group sizes, indexes them,
 * and checks the index against a model computed from the rows: every value's row groups, the
 * filter of random predicates, and that a scan of only the row groups the filter keeps returns the
 * same rows as a scan of the whole file.
 *
 * <p>Rerun a failure with {@code -Dregolith.test.seed=<seed printed in the output>}.
 */
class TagIndexRandomizedTest {

    private final LocalFileIO io = new LocalFileIO();

    @TempDir
    Path dir;

    private Random random;

    @RepeatedTest(5)
    void indexAgreesWithTheRows() throws IOException {
        long seed = Long.getLong("regolith.test.seed", new Random().nextLong());
        System.out.println("TagIndexRandomizedTest seed=" + seed);
        random = new Random(seed);
        for (int file = 0; file < 8; file++) {
            checkOneFile();
        }
    }

    private void checkOneFile() throws IOException {
        int tagCount = 1 + random.nextInt(4);
        List<ColumnSchema> columns = new ArrayList<>();
        Map<String, List<Object>> pools = new HashMap<>();
        for (int i = 0; i < tagCount; i++) {
            DataType type = DataType.values()[random.nextInt(DataType.values().length)];
            String name = "tag_" + i;
            columns.add(tag(name, i, type));
            pools.put(name, pool(type));
        }
        columns.add(ColumnSchema.timeIndex("ts", tagCount, DataType.TIMESTAMP_MILLIS));
        columns.add(ColumnSchema.field("value", tagCount + 1, DataType.FLOAT64));
        RegionMetadata metadata = new RegionMetadata(RegionId.of(5, random.nextInt(100)), columns);
        List<String> tags = metadata.primaryKey().stream().map(ColumnSchema::name).toList();

        WrittenSst sst = writeSst(io, dir, metadata, randomRows(random, metadata, pools, 1 + random.nextInt(500)),
                1 + random.nextInt(64));
        FileIndex built = TagIndexWriter.build(io, sst.path(), sst.indexPath());
        TagIndex index = TagIndex.read(io, sst.indexPath());
        String context = metadata.columns() + ", " + sst.rows().size() + " rows, " + sst.rowGroupRows() + " per row group";

        byte[] bytes = Files.readAllBytes(sst.indexPath());
        assertThat(built).as(context).isEqualTo(new FileIndex(tags, bytes.length, TagIndex.FORMAT_VERSION));
        assertThat(TagIndexFormat.encode(TagIndexFormat.decode(sst.indexPath().toString(), bytes)))
                .as("re-encoding what was read gives the same bytes: %s", context)
                .isEqualTo(bytes);
        assertThat(index.columns()).isEqualTo(tags);
        assertThat(index.rowGroupCount()).isEqualTo(sst.rowGroupCount());

        Map<String, NavigableMap<Object, Set<Integer>>> models = new LinkedHashMap<>();
        for (ColumnSchema column : metadata.primaryKey()) {
            NavigableMap<Object, Set<Integer>> model = sst.model(column.name());
            models.put(column.name(), model);
            model.forEach((value, groups) -> assertThat(toSet(index.rowGroups(column.name(), value)))
                    .as("%s = %s in %s", column.name(), show(value), context)
                    .isEqualTo(groups));
            for (Object absent : absentValues(column.dataType(), model)) {
                assertThat(index.rowGroups(column.name(), absent).isEmpty()).as("%s = %s absent", column.name(), show(absent)).isTrue();
            }
        }

        for (int query = 0; query < 10; query++) {
            Map<String, Object> tagEquals = new HashMap<>();
            Set<Integer> expected = new TreeSet<>();
            for (int group = 0; group < sst.rowGroupCount(); group++) {
                expected.add(group);
            }
            for (ColumnSchema column : metadata.primaryKey()) {
                if (random.nextInt(3) != 0) {
                    continue;
                }
                NavigableMap<Object, Set<Integer>> model = models.get(column.name());
                List<Object> absent = absentValues(column.dataType(), model);
                Object value = random.nextInt(5) == 0 && !absent.isEmpty()
                        ? absent.get(random.nextInt(absent.size()))
                        : new ArrayList<>(model.keySet()).get(random.nextInt(model.size()));
                tagEquals.put(column.name(), value);
                expected.retainAll(model.getOrDefault(value, Set.of()));
            }
            String request = "tagEquals " + show(tagEquals) + " in " + context;
            IntPredicate filter = index.rowGroupFilter(tagEquals);
            assertThat(accepted(filter, sst.rowGroupCount())).as(request).isEqualTo(expected);
            List<InternalRow> pruned = prunedScan(io, sst.path(), filter, tagEquals);
            assertThat(pruned).as(request).containsExactlyElementsOf(prunedScan(io, sst.path(), null, tagEquals));
            assertThat(pruned).as(request).containsExactlyElementsOf(sst.matching(tagEquals));
        }
        Files.delete(sst.path());
        Files.delete(sst.indexPath());
    }

    /** A few values of {@code type}, sometimes with null: few enough that they repeat across rows. */
    private List<Object> pool(DataType type) {
        List<Object> pool = new ArrayList<>();
        int size = 1 + random.nextInt(8);
        for (int i = 0; i < size; i++) {
            pool.add(value(type));
        }
        if (random.nextInt(3) == 0) {
            pool.add(null);
        }
        return pool;
    }

    /** Values of {@code type} that are not in {@code model}. */
    private List<Object> absentValues(DataType type, NavigableMap<Object, Set<Integer>> model) {
        List<Object> absent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Object value = value(type);
            if (!model.containsKey(value)) {
                absent.add(value);
            }
        }
        if (!model.containsKey(null)) {
            absent.add(null);
        }
        return absent;
    }

    private Object value(DataType type) {
        return switch (type) {
            case BOOLEAN -> random.nextBoolean();
            case INT32 -> pick(random.nextInt(), random.nextInt(10), 0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case INT64, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS -> pick(random.nextLong(), (long) random.nextInt(10), 0L,
                    Long.MIN_VALUE, Long.MAX_VALUE);
            case FLOAT32 -> pick(random.nextFloat() * 100, (float) random.nextInt(10), 0.0f, -0.0f, Float.NaN,
                    Float.intBitsToFloat(0x7fc00001), Float.NEGATIVE_INFINITY, Float.MAX_VALUE);
            case FLOAT64 -> pick(random.nextGaussian(), (double) random.nextInt(10), 0.0, -0.0, Double.NaN,
                    Double.longBitsToDouble(0x7ff8000000000001L), Double.POSITIVE_INFINITY, -Double.MAX_VALUE);
            case STRING -> pick("t" + random.nextInt(10), "", "é", "数据", "😀", "\uE000", "a\u0000b");
            case BINARY -> {
                byte[] bytes = new byte[random.nextInt(4)];
                random.nextBytes(bytes);
                yield pick(bytes, new byte[0], new byte[] {(byte) 0xff}, new byte[] {0});
            }
        };
    }

    @SafeVarargs
    private <T> T pick(T usual, T... special) {
        return random.nextInt(3) == 0 ? special[random.nextInt(special.length)] : usual;
    }

    private static String show(Object value) {
        if (value instanceof byte[] bytes) {
            return Arrays.toString(bytes);
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, String> shown = new LinkedHashMap<>();
            map.forEach((key, entry) -> shown.put(key, show(entry)));
            return shown.toString();
        }
        return String.valueOf(value);
    }
}
