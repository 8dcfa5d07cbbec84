package dev.regolith.engine.api;

/** The role a column plays in a time-series table. */
public enum SemanticType {
    /** Part of the primary key: identifies a series (host, region, ...). */
    TAG,
    /** A measured value. */
    FIELD,
    /** The time index; exactly one per table. */
    TIMESTAMP
}
