package dev.regolith.engine.index;

import static dev.regolith.engine.index.TagIndexTesting.accepted;
import static dev.regolith.engine.index.TagIndexTesting.prunedScan;
import static dev.regolith.engine.index.TagIndexTesting.randomRows;
import static dev.regolith.engine.index.TagIndexTesting.tag;
import static dev.regolith.engine.index.TagIndexTesting.toSet;
import static dev.regolith.engine.index.TagIndexTesting.writeSst;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileIndex;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.index.TagIndexTesting.WrittenSst;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.sst.SstReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

class TagIndexTest {

    private static final RegionId REGION = RegionId.of(9, 1);
    private static final List<String> TAGS = List.of("host", "dc", "zone");

    /** Three nullable tags (STRING, INT32, BINARY), a time index and a field. */
    private static final RegionMetadata METADATA = new RegionMetadata(REGION, List.of(
            tag("host", 1, DataType.STRING),
            tag("dc", 2, DataType.INT32),
            tag("zone", 3, DataType.BINARY),
            ColumnSchema.timeIndex("ts", 4, DataType.TIMESTAMP_MILLIS),
            ColumnSchema.field("usage", 5, DataType.FLOAT64)));

    private static final Map<String, List<Object>> POOLS = Map.of(
            "host", Arrays.asList("web-1", "web-2", "db-1", "数据-1", "", null),
            "dc", Arrays.asList(-1, 0, 7, Integer.MAX_VALUE, null),
            "zone", Arrays.asList(new byte[] {1}, new byte[] {1, 2}, new byte[0], new byte[] {(byte) 0xff}, null));

    /** Values no row holds, one per column. */
    private static final Map<String, Object> ABSENT = Map.of("host", "web-9", "dc", 42, "zone", new byte[] {9, 9});

    private final LocalFileIO io = new LocalFileIO();

    @TempDir
    Path dir;

    private WrittenSst sst;
    private FileIndex built;
    private TagIndex index;

    @BeforeEach
    void writeSstAndIndex() {
        sst = writeSst(io, dir, METADATA, randomRows(new Random(11), METADATA, POOLS, 400), 16);
        built = TagIndexWriter.build(io, sst.path(), sst.indexPath());
        index = TagIndex.read(io, sst.indexPath());
    }

    @Test
    void buildDescribesTheIndexFile() throws IOException {
        assertThat(sst.rowGroupCount()).isEqualTo(25);
        try (SstReader reader = SstReader.open(io, sst.path())) {
            assertThat(reader.rowGroupCount()).isEqualTo(sst.rowGroupCount());
            for (int group = 0; group < reader.rowGroupCount(); group++) {
                assertThat(reader.rowGroup(group).rowCount()).isEqualTo(sst.rowGroupRows());
            }
        }
        assertThat(built).isEqualTo(new FileIndex(TAGS, Files.size(sst.indexPath()), 1));
        assertThat(index.columns()).containsExactlyElementsOf(TAGS);
        assertThat(index.rowGroupCount()).isEqualTo(sst.rowGroupCount());
        assertThat(TagIndex.FORMAT_VERSION).isEqualTo(1);
        assertThat(Files.readAllBytes(sst.indexPath())).startsWith("RGIX".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void bitmapsHoldExactlyTheRowGroupsOfEachValue() {
        for (String column : TAGS) {
            NavigableMap<Object, Set<Integer>> model = sst.model(column);
            assertThat(model.keySet()).as("every pooled value occurs").hasSameSizeAs(POOLS.get(column));
            model.forEach((value, groups) -> assertThat(toSet(index.rowGroups(column, value)))
                    .as("%s = %s", column, value instanceof byte[] bytes ? Arrays.toString(bytes) : value)
                    .isEqualTo(groups));
            assertThat(index.rowGroups(column, ABSENT.get(column)).isEmpty()).isTrue();
        }
    }

    @Test
    void nullIsAValueOfItsOwn() {
        Set<Integer> nullHosts = sst.model("host").get(null);
        assertThat(nullHosts).isNotEmpty();
        assertThat(toSet(index.rowGroups("host", null))).isEqualTo(nullHosts);

        WrittenSst noNulls = writeSst(io, dir, METADATA, rowsWithHosts("a", "b"), 1);
        TagIndexWriter.build(io, noNulls.path(), noNulls.indexPath());
        assertThat(TagIndex.read(io, noNulls.indexPath()).rowGroups("host", null).isEmpty()).isTrue();
    }

    @Test
    void byteArraysMatchByContent() {
        byte[] zone = {1, 2};
        assertThat(toSet(index.rowGroups("zone", zone))).isNotEmpty().isEqualTo(sst.model("zone").get(zone));
        assertThat(toSet(index.rowGroups("zone", new byte[] {1, 2}))).isEqualTo(sst.model("zone").get(zone));
    }

    @Test
    void filterKeepsExactlyTheRowGroupsHoldingTheValue() {
        for (String column : TAGS) {
            for (Map.Entry<Object, Set<Integer>> entry : sst.model(column).entrySet()) {
                Map<String, Object> tagEquals = new HashMap<>();
                tagEquals.put(column, entry.getKey());
                assertThat(accepted(index.rowGroupFilter(tagEquals), sst.rowGroupCount())).isEqualTo(entry.getValue());
            }
            assertThat(accepted(index.rowGroupFilter(Map.of(column, ABSENT.get(column))), sst.rowGroupCount())).isEmpty();
        }
    }

    @Test
    void filterOfSeveralColumnsKeepsRowGroupsHoldingEveryValue() {
        for (Object host : sst.model("host").keySet()) {
            for (Object dc : sst.model("dc").keySet()) {
                Map<String, Object> tagEquals = new HashMap<>();
                tagEquals.put("host", host);
                tagEquals.put("dc", dc);
                Set<Integer> expected = new TreeSet<>(sst.model("host").get(host));
                expected.retainAll(sst.model("dc").get(dc));
                assertThat(accepted(index.rowGroupFilter(tagEquals), sst.rowGroupCount())).isEqualTo(expected);
            }
        }
    }

    @Test
    void prunedReadReturnsTheSameRowsAsAFullScan() {
        List<Map<String, Object>> requests = new ArrayList<>();
        for (String column : TAGS) {
            for (Object value : sst.model(column).keySet()) {
                Map<String, Object> tagEquals = new HashMap<>();
                tagEquals.put(column, value);
                requests.add(tagEquals);
            }
        }
        Map<String, Object> hostAndZone = new HashMap<>();
        hostAndZone.put("host", "web-1");
        hostAndZone.put("zone", new byte[] {1});
        requests.add(hostAndZone);
        requests.add(Map.of("host", "web-9"));

        for (Map<String, Object> tagEquals : requests) {
            IntPredicate filter = index.rowGroupFilter(tagEquals);
            List<InternalRow> pruned = prunedScan(io, sst.path(), filter, tagEquals);
            assertThat(pruned).as("%s", tagEquals).containsExactlyElementsOf(prunedScan(io, sst.path(), null, tagEquals));
            assertThat(pruned).containsExactlyElementsOf(sst.matching(tagEquals));
        }
        // Not vacuous: the leading tag's values sit in a few row groups, so the filter skips most.
        assertThat(accepted(index.rowGroupFilter(Map.of("host", "web-1")), sst.rowGroupCount()).size())
                .isBetween(1, sst.rowGroupCount() / 2);
    }

    @Test
    void deletesCountAsOccurrences() {
        List<InternalRow> rows = new ArrayList<>(rowsWithHosts("a", "b"));
        rows.add(row("z", 10, OpType.DELETE));
        WrittenSst withDelete = writeSst(io, dir, METADATA, rows, 1);
        TagIndexWriter.build(io, withDelete.path(), withDelete.indexPath());

        TagIndex deletes = TagIndex.read(io, withDelete.indexPath());
        assertThat(toSet(deletes.rowGroups("host", "z"))).containsExactly(2);
    }

    @Test
    void columnsOutsideTheIndexDoNotRestrict() {
        assertThat(accepted(index.rowGroupFilter(Map.of("usage", 1.0, "ts", 5L)), sst.rowGroupCount()))
                .hasSize(sst.rowGroupCount());
        assertThat(accepted(index.rowGroupFilter(Map.of()), sst.rowGroupCount())).hasSize(sst.rowGroupCount());
        assertThat(accepted(index.rowGroupFilter(Map.of("nosuch", "x", "host", "web-9")), sst.rowGroupCount())).isEmpty();

        assertThatThrownBy(() -> index.rowGroups("usage", 1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Column usage is not in the tag index; indexed columns are [host, dc, zone]");
    }

    @Test
    void valueOfTheWrongTypeIsRejected() {
        assertThatThrownBy(() -> index.rowGroups("dc", 7L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid value 7 of type java.lang.Long for tag column dc of type INT32: expected Integer");
        assertThatThrownBy(() -> index.rowGroupFilter(Map.of("zone", "text")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid value text of type java.lang.String for tag column zone of type BINARY: expected byte[]");
    }

    @Test
    void rowGroupsReturnsABitmapTheCallerOwns() {
        RoaringBitmap web1 = index.rowGroups("host", "web-1");
        Set<Integer> before = toSet(web1);
        web1.add(1000);
        web1.remove(before.iterator().next());

        assertThat(toSet(index.rowGroups("host", "web-1"))).isEqualTo(before);
        assertThat(accepted(index.rowGroupFilter(Map.of("host", "web-1")), 2000)).isEqualTo(before);
    }

    @Test
    void regionWithoutTagsHasAnIndexOfNoColumns() {
        RegionMetadata noTags = new RegionMetadata(REGION, List.of(
                ColumnSchema.timeIndex("ts", 1, DataType.TIMESTAMP_MILLIS),
                ColumnSchema.field("usage", 2, DataType.FLOAT64)));
        List<InternalRow> rows = List.of(new InternalRow(new Object[] {1L, 0.5}, 1, OpType.PUT),
                new InternalRow(new Object[] {2L, 0.7}, 2, OpType.PUT));
        WrittenSst untagged = writeSst(io, dir, noTags, rows, 1);

        FileIndex result = TagIndexWriter.build(io, untagged.path(), untagged.indexPath());

        assertThat(result.columns()).isEmpty();
        TagIndex empty = TagIndex.read(io, untagged.indexPath());
        assertThat(empty.columns()).isEmpty();
        assertThat(empty.rowGroupCount()).isEqualTo(2);
        assertThat(accepted(empty.rowGroupFilter(Map.of("host", "a")), 2)).containsExactly(0, 1);
    }

    @Test
    void buildingAgainReplacesTheFileWithTheSameBytes() throws IOException {
        byte[] first = Files.readAllBytes(sst.indexPath());

        FileIndex again = TagIndexWriter.build(io, sst.path(), sst.indexPath());

        assertThat(again).isEqualTo(built);
        assertThat(Files.readAllBytes(sst.indexPath())).isEqualTo(first);
        assertThat(io.list(dir)).containsExactlyInAnyOrder(sst.path().getFileName().toString(),
                sst.indexPath().getFileName().toString());
    }

    @Test
    void indexFileIsNamedAfterTheSstFileId() {
        FileId fileId = FileId.parse("0b9c5bb4-6a73-4b4e-a8d5-8a8ea5bd2a16");

        assertThat(TagIndex.fileName(fileId)).isEqualTo("0b9c5bb4-6a73-4b4e-a8d5-8a8ea5bd2a16.index");
        assertThat(TagIndex.pathBeside(dir.resolve(fileId + ".parquet"))).isEqualTo(dir.resolve(TagIndex.fileName(fileId)));
        assertThat(sst.indexPath()).isEqualTo(dir.resolve(sst.fileId() + ".index"));
        assertThatThrownBy(() -> TagIndex.pathBeside(dir.resolve("manifest.parquet")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid SST file name " + dir.resolve("manifest.parquet") + ": expected {fileId}.{extension}");
    }

    /** One row per host, in its own row group when written one row per group. */
    private static List<InternalRow> rowsWithHosts(String... hosts) {
        List<InternalRow> rows = new ArrayList<>();
        for (int i = 0; i < hosts.length; i++) {
            rows.add(row(hosts[i], i, OpType.PUT));
        }
        return rows;
    }

    private static InternalRow row(String host, long sequence, OpType op) {
        return new InternalRow(new Object[] {host, 1, new byte[] {1}, 1_700_000_000_000L + sequence, op == OpType.PUT ? 0.5 : null},
                sequence, op);
    }
}
