package dev.regolith.engine.index;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.SemanticType;
import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.row.RowOrder;
import dev.regolith.engine.sst.SstReader;
import dev.regolith.engine.sst.SstWriteOptions;
import dev.regolith.engine.sst.SstWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import java.util.zip.CRC32C;

/** SSTs, models and file surgery for the tag index tests. */
final class TagIndexTesting {

    private TagIndexTesting() {
    }

    /** An SST written for a test: its rows in file order, and the row group each one landed in. */
    record WrittenSst(FileId fileId, Path path, RegionMetadata metadata, List<InternalRow> rows, int rowGroupRows) {

        int rowGroupOf(int row) {
            return row / rowGroupRows;
        }

        int rowGroupCount() {
            return (rows.size() + rowGroupRows - 1) / rowGroupRows;
        }

        Path indexPath() {
            return TagIndex.pathBeside(path);
        }

        /** Per value of {@code column} (null included), the row groups holding it: computed from the rows. */
        NavigableMap<Object, Set<Integer>> model(String column) {
            int position = metadata.columns().indexOf(metadata.column(column));
            NavigableMap<Object, Set<Integer>> model = new TreeMap<>(RowOrder::compareValues);
            for (int row = 0; row < rows.size(); row++) {
                model.computeIfAbsent(rows.get(row).value(position), value -> new TreeSet<>()).add(rowGroupOf(row));
            }
            return model;
        }

        /** The rows whose columns equal every value of {@code tagEquals}, as a scan filters them. */
        List<InternalRow> matching(Map<String, Object> tagEquals) {
            return rows.stream().filter(row -> matches(metadata, row, tagEquals)).toList();
        }
    }

    /**
     * Writes {@code rows} (sorted here) to a new SST in {@code directory}, {@code rowGroupRows} rows
     * per row group.
     */
    static WrittenSst writeSst(FileIO io, Path directory, RegionMetadata metadata, List<InternalRow> rows, int rowGroupRows) {
        List<InternalRow> sorted = new ArrayList<>(rows);
        sorted.sort(new RowOrder(metadata));
        FileId fileId = FileId.random();
        Path path = directory.resolve(fileId + ".parquet");
        try (SstWriter writer = new SstWriter(io, path, metadata, SstWriteOptions.DEFAULT.withRowGroupRows(rowGroupRows))) {
            sorted.forEach(writer::write);
            writer.finish(fileId, 0);
        }
        return new WrittenSst(fileId, path, metadata, List.copyOf(sorted), rowGroupRows);
    }

    /**
     * Rows of {@code metadata} with tag values drawn from {@code pools} (per column name; a null in
     * a pool gives null tags), increasing timestamps, distinct sequences, and about one delete in
     * eight. Fields get a value unless the row is a delete.
     */
    static List<InternalRow> randomRows(Random random, RegionMetadata metadata, Map<String, List<Object>> pools, int count) {
        List<ColumnSchema> columns = metadata.columns();
        List<InternalRow> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            OpType op = random.nextInt(8) == 0 ? OpType.DELETE : OpType.PUT;
            Object[] values = new Object[columns.size()];
            for (int c = 0; c < columns.size(); c++) {
                ColumnSchema column = columns.get(c);
                values[c] = switch (column.semanticType()) {
                    case TAG -> {
                        List<Object> pool = pools.get(column.name());
                        yield pool.get(random.nextInt(pool.size()));
                    }
                    case TIMESTAMP -> 1_700_000_000_000L + i;
                    case FIELD -> op == OpType.DELETE ? null : random.nextDouble();
                };
            }
            rows.add(new InternalRow(values, i, op));
        }
        return rows;
    }

    /** Whether {@code row} has every value of {@code tagEquals}, compared as the engine compares values. */
    static boolean matches(RegionMetadata metadata, InternalRow row, Map<String, Object> tagEquals) {
        for (Map.Entry<String, Object> predicate : tagEquals.entrySet()) {
            int position = metadata.columns().indexOf(metadata.column(predicate.getKey()));
            if (RowOrder.compareValues(row.value(position), predicate.getValue()) != 0) {
                return false;
            }
        }
        return true;
    }

    /** The rows of the row groups {@code filter} keeps, that match {@code tagEquals}: a pruned scan of the file. */
    static List<InternalRow> prunedScan(FileIO io, Path sst, IntPredicate filter, Map<String, Object> tagEquals) {
        List<InternalRow> rows = new ArrayList<>();
        try (SstReader reader = SstReader.open(io, sst)) {
            Iterator<InternalRow> read = reader.read(null, filter);
            read.forEachRemaining(row -> {
                if (matches(reader.metadata(), row, tagEquals)) {
                    rows.add(row);
                }
            });
        }
        return rows;
    }

    /** The ids {@code filter} accepts among {@code 0..count-1}. */
    static Set<Integer> accepted(IntPredicate filter, int count) {
        Set<Integer> accepted = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            if (filter.test(i)) {
                accepted.add(i);
            }
        }
        return accepted;
    }

    static Set<Integer> toSet(org.roaringbitmap.RoaringBitmap bitmap) {
        Set<Integer> set = new TreeSet<>();
        bitmap.forEach((int id) -> set.add(id));
        return set;
    }

    static ColumnSchema tag(String name, int id, DataType type) {
        return new ColumnSchema(name, id, type, SemanticType.TAG, true);
    }

    /**
     * {@code bytes}, a tag index file whose body was edited, with its body length and checksum made
     * to agree again, so the reader gets past the frame to the edited content.
     */
    static byte[] reseal(byte[] bytes) {
        byte[] sealed = bytes.clone();
        ByteBuffer buffer = ByteBuffer.wrap(sealed);
        buffer.putInt(8, sealed.length - TagIndexFormat.HEADER_SIZE - TagIndexFormat.TRAILER_SIZE);
        CRC32C crc = new CRC32C();
        crc.update(sealed, 0, sealed.length - TagIndexFormat.TRAILER_SIZE);
        buffer.putInt(sealed.length - TagIndexFormat.TRAILER_SIZE, (int) crc.getValue());
        return sealed;
    }
}
