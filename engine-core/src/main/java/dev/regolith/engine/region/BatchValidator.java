package dev.regolith.engine.region;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.SemanticType;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.row.InternalRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a {@link WriteBatch} against a region's schema and lays its rows out in schema order.
 * The whole batch is checked before any of it is written; the first problem is reported with the
 * column and row it is in.
 */
final class BatchValidator {

    private BatchValidator() {
    }

    /** A checked batch: values in the order of the schema version it was checked against, waiting for sequences. */
    record ValidatedBatch(List<Object[]> rows, List<OpType> ops, long schemaVersion) {

        int size() {
            return rows.size();
        }

        /** The rows with sequences {@code firstSequence}, {@code firstSequence + 1}, … */
        List<InternalRow> toRows(long firstSequence) {
            List<InternalRow> result = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                result.add(new InternalRow(rows.get(i), firstSequence + i, ops.get(i)));
            }
            return result;
        }
    }

    static ValidatedBatch validate(RegionMetadata metadata, WriteBatch batch) {
        List<ColumnSchema> schema = metadata.columns();
        Map<String, Integer> positions = new HashMap<>();
        for (int i = 0; i < schema.size(); i++) {
            positions.put(schema.get(i).name(), i);
        }
        int[] target = new int[batch.columns().size()];
        for (int column = 0; column < target.length; column++) {
            String name = batch.columns().get(column);
            Integer position = positions.get(name);
            if (position == null) {
                throw new IllegalArgumentException("Invalid write to region " + metadata.regionId() + ": unknown column "
                        + name + " (the region has " + schema.stream().map(ColumnSchema::name).toList() + ")");
            }
            target[column] = position;
        }
        String timeIndex = metadata.timeIndex().name();
        if (!positions.containsKey(timeIndex) || !batch.columns().contains(timeIndex)) {
            throw new IllegalArgumentException("Invalid write to region " + metadata.regionId()
                    + ": the batch has no time index column " + timeIndex);
        }

        List<Object[]> rows = new ArrayList<>(batch.size());
        List<OpType> ops = new ArrayList<>(batch.size());
        for (int row = 0; row < batch.size(); row++) {
            OpType op = batch.op(row);
            Object[] values = new Object[schema.size()];
            for (int column = 0; column < target.length; column++) {
                ColumnSchema columnSchema = schema.get(target[column]);
                if (op == OpType.DELETE && columnSchema.semanticType() == SemanticType.FIELD) {
                    continue; // a delete carries the key only
                }
                values[target[column]] = convert(metadata, columnSchema, row, batch.value(row, column));
            }
            for (int i = 0; i < schema.size(); i++) {
                ColumnSchema column = schema.get(i);
                boolean required = column.semanticType() == SemanticType.TIMESTAMP
                        || (!column.nullable() && (op == OpType.PUT || column.semanticType() == SemanticType.TAG));
                if (values[i] == null && required) {
                    throw new IllegalArgumentException("Invalid write to region " + metadata.regionId() + ": row " + row
                            + ", column " + column.name() + ": null is not allowed"
                            + (column.semanticType() == SemanticType.TIMESTAMP ? " in the time index" : ""));
                }
            }
            rows.add(values);
            ops.add(op);
        }
        return new ValidatedBatch(rows, ops, metadata.schemaVersion());
    }

    private static Object convert(RegionMetadata metadata, ColumnSchema column, int row, Object value) {
        if (value == null) {
            return null;
        }
        DataType type = column.dataType();
        Object converted = switch (type) {
            case BOOLEAN -> value instanceof Boolean ? value : null;
            case INT32 -> value instanceof Integer ? value : null;
            case INT64, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS -> value instanceof Long
                    ? value
                    : value instanceof Integer integer ? Long.valueOf(integer) : null;
            case FLOAT32 -> value instanceof Float ? value : null;
            case FLOAT64 -> value instanceof Double
                    ? value
                    : value instanceof Float single ? Double.valueOf(single) : null;
            case STRING -> value instanceof String ? value : null;
            case BINARY -> value instanceof byte[] bytes ? bytes.clone() : null;
        };
        if (converted == null) {
            throw new IllegalArgumentException("Invalid write to region " + metadata.regionId() + ": row " + row + ", column "
                    + column.name() + ": expected " + type + ", got " + value.getClass().getSimpleName() + " " + describe(value));
        }
        return converted;
    }

    private static String describe(Object value) {
        String text = value instanceof String string ? "\"" + string + "\"" : String.valueOf(value);
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
