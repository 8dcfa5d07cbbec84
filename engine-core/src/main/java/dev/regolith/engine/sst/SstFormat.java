package dev.regolith.engine.sst;

import java.nio.charset.StandardCharsets;

/**
 * Constants of the SST file layout: a Parquet file ("PAR1", column chunks, Thrift footer, 4-byte
 * little-endian footer length, "PAR1") whose footer carries the region's schema.
 */
final class SstFormat {

    static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

    /** Magic at the start; at the end, footer length then magic. */
    static final int MIN_FILE_SIZE = MAGIC.length + Integer.BYTES + MAGIC.length;

    /**
     * Parquet readers parse this as "application version semver (build hash)"; one they cannot
     * parse makes them ignore binary min/max statistics (PARQUET-251).
     */
    static final String CREATED_BY = "regolith version 0.1.0 (build sst-format-1)";

    /** Base64 of {@code RegionMetadataCodec.toBytes}: the schema the file was written with. */
    static final String REGION_METADATA_KEY = "regolith.region_metadata";

    static final String FORMAT_VERSION_KEY = "regolith.format_version";
    static final String FORMAT_VERSION = "1";

    /** The footer's {@code FileMetaData.version}. */
    static final int PARQUET_VERSION = 1;

    /**
     * Statistics larger than this are left out of the footer (the null count stays), as
     * parquet-mr does: a footer is read whole, and a huge min/max helps no reader.
     */
    static final int MAX_FOOTER_STATISTICS_BYTES = 4096;

    private SstFormat() {
    }
}
