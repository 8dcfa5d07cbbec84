package dev.regolith.engine.sst;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.SemanticType;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.row.RowOrder;
import dev.regolith.hooks.spi.ColumnStatistics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.Util;

/** Schemas, rows and file surgery for the SST tests. */
final class SstTesting {

    static final RegionId REGION = RegionId.of(7, 3);

    private SstTesting() {
    }

    /**
     * A region with a column of every type: two tags (one nullable STRING, one non-nullable
     * INT32), a millisecond time index, a field of every type, and a non-nullable field.
     */
    static RegionMetadata allTypes() {
        return new RegionMetadata(REGION, List.of(
                ColumnSchema.tag("host", 10, DataType.STRING),
                new ColumnSchema("dc", 11, DataType.INT32, SemanticType.TAG, false),
                ColumnSchema.timeIndex("ts", 12, DataType.TIMESTAMP_MILLIS),
                ColumnSchema.field("f_bool", 13, DataType.BOOLEAN),
                ColumnSchema.field("f_i32", 14, DataType.INT32),
                ColumnSchema.field("f_i64", 15, DataType.INT64),
                ColumnSchema.field("f_f32", 16, DataType.FLOAT32),
                ColumnSchema.field("f_f64", 17, DataType.FLOAT64),
                ColumnSchema.field("f_str", 18, DataType.STRING),
                ColumnSchema.field("f_bin", 19, DataType.BINARY),
                ColumnSchema.field("f_ts_us", 20, DataType.TIMESTAMP_MICROS),
                ColumnSchema.field("f_ts_ns", 21, DataType.TIMESTAMP_NANOS),
                new ColumnSchema("f_required", 22, DataType.FLOAT64, SemanticType.FIELD, false)), 4, Map.of("ttl", "7d"));
    }

    /** {@code count} random rows of {@code metadata}, sorted in {@link RowOrder}, with distinct sequences. */
    static List<InternalRow> randomRows(Random random, RegionMetadata metadata, int count) {
        List<Long> sequences = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sequences.add((long) i * 3 + random.nextInt(3));
        }
        Collections.shuffle(sequences, random);
        List<InternalRow> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            OpType op = random.nextInt(8) == 0 ? OpType.DELETE : OpType.PUT;
            List<ColumnSchema> columns = metadata.columns();
            Object[] values = new Object[columns.size()];
            for (int c = 0; c < columns.size(); c++) {
                ColumnSchema column = columns.get(c);
                boolean key = column.semanticType() != SemanticType.FIELD;
                if (!key && op == OpType.DELETE) {
                    continue;
                }
                if (column.nullable() && random.nextInt(6) == 0) {
                    continue;
                }
                values[c] = randomValue(random, column);
            }
            rows.add(new InternalRow(values, sequences.get(i), op));
        }
        rows.sort(new RowOrder(metadata));
        return rows;
    }

    private static Object randomValue(Random random, ColumnSchema column) {
        boolean tag = column.semanticType() == SemanticType.TAG;
        return switch (column.dataType()) {
            case BOOLEAN -> random.nextBoolean();
            case INT32 -> tag ? random.nextInt(5) - 2 : pick(random, random.nextInt(), 0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case INT64 -> pick(random, random.nextLong(), 0L, Long.MIN_VALUE, Long.MAX_VALUE);
            case FLOAT32 -> pick(random, random.nextFloat() * 2000 - 1000, 0.0f, -0.0f, Float.NaN, Float.NEGATIVE_INFINITY, Float.MAX_VALUE,
                    Float.MIN_VALUE);
            case FLOAT64 -> pick(random, random.nextGaussian() * 1e6, 0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, -Double.MAX_VALUE);
            case STRING -> tag
                    ? pick(random, "web-" + random.nextInt(6), "db-0", "cache-é", "", "数据-1")
                    : pick(random, randomString(random), "", "ünïcödé ✓", "😀 emoji", "zzz");
            case BINARY -> pick(random, randomBytes(random), new byte[0], new byte[] {(byte) 0xff, 0}, new byte[] {0});
            case TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS -> column.semanticType() == SemanticType.TIMESTAMP
                    ? 1_700_000_000_000L + random.nextInt(50) * 1000L
                    : pick(random, random.nextLong(), 0L, -1L);
        };
    }

    @SafeVarargs
    private static <T> T pick(Random random, T usual, T... special) {
        return random.nextInt(4) == 0 ? special[random.nextInt(special.length)] : usual;
    }

    private static String randomString(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(20);
        for (int i = 0; i < length; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(16)];
        random.nextBytes(bytes);
        return bytes;
    }

    static List<InternalRow> readAll(Iterator<InternalRow> rows) {
        List<InternalRow> all = new ArrayList<>();
        rows.forEachRemaining(all::add);
        return all;
    }

    /** {@code row} with every column outside {@code keep} set to null. */
    static InternalRow project(InternalRow row, boolean[] keep) {
        Object[] values = row.values();
        for (int i = 0; i < values.length; i++) {
            if (!keep[i]) {
                values[i] = null;
            }
        }
        return new InternalRow(values, row.sequence(), row.op());
    }

    /**
     * The statistics Parquet keeps of column {@code index} over {@code rows}: NaN is no bound, a
     * zero minimum is -0.0 and a zero maximum +0.0, strings compare as UTF-8 bytes; BINARY bounds
     * as read-only buffers, as hooks get them.
     */
    static ColumnStatistics expectedStatistics(RegionMetadata metadata, List<InternalRow> rows, int index) {
        ColumnSchema column = metadata.columns().get(index);
        long nulls = 0;
        Object min = null;
        Object max = null;
        Comparator<Object> order = parquetOrder(column.dataType());
        for (InternalRow row : rows) {
            Object value = row.value(index);
            if (value == null) {
                nulls++;
                continue;
            }
            if (value instanceof Float f && f.isNaN() || value instanceof Double d && d.isNaN()) {
                continue;
            }
            if (min == null || order.compare(value, min) < 0) {
                min = value;
            }
            if (max == null || order.compare(value, max) > 0) {
                max = value;
            }
        }
        if (min == null) {
            return new ColumnStatistics(column.name(), nulls, Optional.empty(), Optional.empty());
        }
        if (min instanceof Float f && f == 0.0f) {
            min = -0.0f;
        }
        if (max instanceof Float f && f == 0.0f) {
            max = 0.0f;
        }
        if (min instanceof Double d && d == 0.0) {
            min = -0.0;
        }
        if (max instanceof Double d && d == 0.0) {
            max = 0.0;
        }
        if (min instanceof byte[] bytes) {
            min = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
            max = ByteBuffer.wrap((byte[]) max).asReadOnlyBuffer();
        }
        return new ColumnStatistics(column.name(), nulls, Optional.of(min), Optional.of(max));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Comparator<Object> parquetOrder(DataType type) {
        return switch (type) {
            case STRING -> Comparator.comparing(value -> ((String) value).getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned);
            case BINARY -> (left, right) -> Arrays.compareUnsigned((byte[]) left, (byte[]) right);
            default -> (left, right) -> ((Comparable) left).compareTo(right);
        };
    }

    /** The offset of the footer of {@code file}: where its Thrift bytes start. */
    static long footerStart(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int length = ByteBuffer.wrap(bytes, bytes.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        return bytes.length - 8L - length;
    }

    static FileMetaData readFooter(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long start = footerStart(file);
        return Util.readFileMetaData(new ByteArrayInputStream(bytes, (int) start, bytes.length - 8 - (int) start));
    }

    /** Replaces the footer of {@code file} with {@code edit} applied to it, keeping the pages. */
    static void rewriteFooter(Path file, Consumer<FileMetaData> edit) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int start = (int) footerStart(file);
        FileMetaData footer = readFooter(file);
        edit.accept(footer);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, start);
        ByteArrayOutputStream encoded = new ByteArrayOutputStream();
        Util.writeFileMetaData(footer, encoded);
        encoded.writeTo(out);
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(encoded.size()).array());
        out.write(SstFormat.MAGIC);
        Files.write(file, out.toByteArray());
    }

    /** Overwrites {@code length} bytes at {@code offset} (negative: from the end) with {@code value}. */
    static void overwrite(Path file, long offset, byte[] value) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int at = (int) (offset < 0 ? bytes.length + offset : offset);
        System.arraycopy(value, 0, bytes, at, value.length);
        Files.write(file, bytes);
    }
}
