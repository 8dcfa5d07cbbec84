package dev.regolith.engine.sst;

import dev.regolith.engine.api.DataType;
import dev.regolith.hooks.spi.ColumnStatistics;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.parquet.column.statistics.Statistics;

/**
 * Statistics between their three forms: parquet-column's {@link Statistics} (what the column
 * writers compute), the footer's Thrift statistics, and Java values in the engine's types.
 *
 * <p>Min and max are Parquet's: NaN is left out of them, and a zero minimum is written as -0.0
 * and a zero maximum as +0.0, so that the bounds hold for either zero.
 */
final class SstStatistics {

    private SstStatistics() {
    }

    /** The footer form: null count always, exact min/max when there is a non-null value and they are small. */
    static org.apache.parquet.format.Statistics toFormat(Statistics<?> statistics) {
        org.apache.parquet.format.Statistics format = new org.apache.parquet.format.Statistics();
        format.setNull_count(statistics.getNumNulls());
        if (statistics.isNanCountSet()) {
            format.setNan_count(statistics.getNanCount());
        }
        if (statistics.hasNonNullValue()) {
            byte[] min = statistics.getMinBytes();
            byte[] max = statistics.getMaxBytes();
            if (min.length + max.length <= SstFormat.MAX_FOOTER_STATISTICS_BYTES) {
                format.setMin_value(min);
                format.setMax_value(max);
                format.setIs_min_value_exact(true);
                format.setIs_max_value_exact(true);
            }
        }
        return format;
    }

    /** The statistics hooks receive; BINARY bounds as read-only buffers. */
    static ColumnStatistics toHook(String column, DataType type, Statistics<?> statistics) {
        if (!statistics.hasNonNullValue()) {
            return new ColumnStatistics(column, statistics.getNumNulls(), Optional.empty(), Optional.empty());
        }
        return new ColumnStatistics(column, statistics.getNumNulls(),
                Optional.of(forHook(type, statistics.getMinBytes())), Optional.of(forHook(type, statistics.getMaxBytes())));
    }

    private static Object forHook(DataType type, byte[] plain) {
        Object value = decode(type, plain);
        return value instanceof byte[] bytes ? ByteBuffer.wrap(bytes).asReadOnlyBuffer() : value;
    }

    /**
     * Decodes a plain-encoded min or max to its engine value: {@code Boolean}, {@code Integer},
     * {@code Long}, {@code Float}, {@code Double}, {@code String} or {@code byte[]}.
     *
     * @throws IllegalArgumentException if {@code plain} is not a value of {@code type}
     */
    static Object decode(DataType type, byte[] plain) {
        ByteBuffer buffer = ByteBuffer.wrap(plain).order(ByteOrder.LITTLE_ENDIAN);
        return switch (type) {
            case BOOLEAN -> {
                requireLength(type, plain, 1);
                yield plain[0] != 0;
            }
            case INT32 -> {
                requireLength(type, plain, Integer.BYTES);
                yield buffer.getInt();
            }
            case INT64, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS -> {
                requireLength(type, plain, Long.BYTES);
                yield buffer.getLong();
            }
            case FLOAT32 -> {
                requireLength(type, plain, Float.BYTES);
                yield buffer.getFloat();
            }
            case FLOAT64 -> {
                requireLength(type, plain, Double.BYTES);
                yield buffer.getDouble();
            }
            case STRING -> {
                try {
                    yield StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(buffer)
                            .toString();
                }
                catch (CharacterCodingException e) {
                    throw new IllegalArgumentException("statistics value is not UTF-8", e);
                }
            }
            case BINARY -> plain.clone();
        };
    }

    private static void requireLength(DataType type, byte[] plain, int length) {
        if (plain.length != length) {
            throw new IllegalArgumentException("a " + type + " statistics value has " + length + " bytes, not " + plain.length);
        }
    }
}
