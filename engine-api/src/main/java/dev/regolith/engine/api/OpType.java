package dev.regolith.engine.api;

/** What a row in a write batch does. Stored in SSTs as the {@code __op_type} column by {@link #code()}. */
public enum OpType {
    /** Hides every older version of the row with the same primary key and timestamp. */
    DELETE(0),
    /** Inserts or replaces the row with the same primary key and timestamp. */
    PUT(1);

    private final int code;

    OpType(int code) {
        this.code = code;
    }

    /** The stable numeric code written to disk. */
    public int code() {
        return code;
    }

    /**
     * The op type with {@code code}.
     *
     * @throws IllegalArgumentException for an unknown code
     */
    public static OpType ofCode(int code) {
        return switch (code) {
            case 0 -> DELETE;
            case 1 -> PUT;
            default -> throw new IllegalArgumentException("Unknown op type code " + code);
        };
    }
}
