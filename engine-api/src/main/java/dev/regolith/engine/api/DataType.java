package dev.regolith.engine.api;

/** The type of a column's values. */
public enum DataType {
    BOOLEAN,
    INT32,
    INT64,
    FLOAT32,
    FLOAT64,
    /** UTF-8 text. */
    STRING,
    BINARY,
    /** Milliseconds since the epoch, in a {@code long}. */
    TIMESTAMP_MILLIS,
    /** Microseconds since the epoch, in a {@code long}. */
    TIMESTAMP_MICROS,
    /** Nanoseconds since the epoch, in a {@code long}. */
    TIMESTAMP_NANOS;

    /** Whether values of this type are instants since the epoch. */
    public boolean isTimestamp() {
        return this == TIMESTAMP_MILLIS || this == TIMESTAMP_MICROS || this == TIMESTAMP_NANOS;
    }
}
