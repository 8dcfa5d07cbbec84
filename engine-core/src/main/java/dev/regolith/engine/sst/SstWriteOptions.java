package dev.regolith.engine.sst;

import static java.util.Objects.requireNonNull;

/**
 * How an {@link SstWriter} lays out a file. {@link #DEFAULT}: ZSTD, 102,400 rows per row group,
 * 1 MiB pages and dictionaries.
 *
 * @param codec how pages are compressed
 * @param rowGroupRows a row group is closed once it holds this many rows
 * @param pageSizeBytes a data page is closed once its encoded values reach about this size
 * @param dictionaryPageSizeBytes a column's dictionary may grow to this size within a row group;
 *     beyond it the column falls back to plain encoding for the rest of the row group
 */
public record SstWriteOptions(Codec codec, int rowGroupRows, int pageSizeBytes, int dictionaryPageSizeBytes) {

    /** How pages are compressed. */
    public enum Codec {
        ZSTD,
        SNAPPY,
        UNCOMPRESSED
    }

    public static final int DEFAULT_ROW_GROUP_ROWS = 102_400;
    public static final int DEFAULT_PAGE_SIZE_BYTES = 1 << 20;
    public static final int DEFAULT_DICTIONARY_PAGE_SIZE_BYTES = 1 << 20;

    /** parquet-column's smallest buffer slab; its encoders reject smaller page limits. */
    static final int MIN_PAGE_SIZE_BYTES = 64;
    /** Pages are held and compressed as byte arrays, and page sizes are 32-bit in the format. */
    static final int MAX_PAGE_SIZE_BYTES = 256 << 20;

    public static final SstWriteOptions DEFAULT = new SstWriteOptions(
            Codec.ZSTD, DEFAULT_ROW_GROUP_ROWS, DEFAULT_PAGE_SIZE_BYTES, DEFAULT_DICTIONARY_PAGE_SIZE_BYTES);

    public SstWriteOptions {
        requireNonNull(codec, "codec is null");
        if (rowGroupRows < 1) {
            throw new IllegalArgumentException("Invalid SST row group size: " + rowGroupRows + " rows (must be >= 1)");
        }
        checkSize("page size", pageSizeBytes);
        checkSize("dictionary page size", dictionaryPageSizeBytes);
    }

    public SstWriteOptions withCodec(Codec codec) {
        return new SstWriteOptions(codec, rowGroupRows, pageSizeBytes, dictionaryPageSizeBytes);
    }

    public SstWriteOptions withRowGroupRows(int rowGroupRows) {
        return new SstWriteOptions(codec, rowGroupRows, pageSizeBytes, dictionaryPageSizeBytes);
    }

    public SstWriteOptions withPageSizeBytes(int pageSizeBytes) {
        return new SstWriteOptions(codec, rowGroupRows, pageSizeBytes, dictionaryPageSizeBytes);
    }

    public SstWriteOptions withDictionaryPageSizeBytes(int dictionaryPageSizeBytes) {
        return new SstWriteOptions(codec, rowGroupRows, pageSizeBytes, dictionaryPageSizeBytes);
    }

    private static void checkSize(String what, int bytes) {
        if (bytes < MIN_PAGE_SIZE_BYTES || bytes > MAX_PAGE_SIZE_BYTES) {
            throw new IllegalArgumentException("Invalid SST " + what + ": " + bytes + " bytes (must be between " + MIN_PAGE_SIZE_BYTES + " and "
                    + MAX_PAGE_SIZE_BYTES + ")");
        }
    }
}
