package dev.regolith.engine.sst;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.column.statistics.SizeStatistics;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.column.statistics.geospatial.GeospatialStatistics;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DictionaryPageHeader;
import org.apache.parquet.format.PageEncodingStats;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.Util;

/**
 * One column's chunk of the row group being written: the pages the column writer hands over,
 * compressed and framed (Thrift page header with a CRC32 of the compressed body) in memory.
 *
 * <p>Pages of all columns arrive interleaved, and the dictionary page arrives last, after the
 * data pages it serves, while in the file a chunk is contiguous and starts with its dictionary.
 * So chunks are held until the row group is complete and then written in column order
 * ({@link #writeTo}), dictionary first.
 */
final class ColumnChunkBuffer implements PageWriter {

    private final ColumnDescriptor column;
    private final PageCompression compression;
    private final ByteArrayOutputStream dataPages = new ByteArrayOutputStream();
    private ByteArrayOutputStream dictionaryPage;
    private final Statistics<?> statistics;
    private final Set<org.apache.parquet.format.Encoding> encodings = new LinkedHashSet<>();
    private final Map<org.apache.parquet.format.Encoding, Integer> dataPageEncodings = new LinkedHashMap<>();
    private org.apache.parquet.format.Encoding dictionaryEncoding;
    private long valueCount;
    private long uncompressedBytes;
    private long compressedBytes;

    ColumnChunkBuffer(ColumnDescriptor column, PageCompression compression) {
        this.column = column;
        this.compression = compression;
        this.statistics = Statistics.createStats(column.getPrimitiveType());
    }

    // ColumnWriterV1 calls the overload with size and geospatial statistics; the others are here
    // because the interface requires them or, as defaults, would throw.

    @Override
    public void writePage(
            BytesInput bytes,
            int valueCount,
            int rowCount,
            Statistics<?> statistics,
            SizeStatistics sizeStatistics,
            GeospatialStatistics geospatialStatistics,
            Encoding rlEncoding,
            Encoding dlEncoding,
            Encoding valuesEncoding)
            throws IOException {
        writeDataPage(bytes, valueCount, statistics, rlEncoding, dlEncoding, valuesEncoding);
    }

    @Override
    @Deprecated
    public void writePage(
            BytesInput bytes,
            int valueCount,
            int rowCount,
            Statistics<?> statistics,
            SizeStatistics sizeStatistics,
            Encoding rlEncoding,
            Encoding dlEncoding,
            Encoding valuesEncoding)
            throws IOException {
        writeDataPage(bytes, valueCount, statistics, rlEncoding, dlEncoding, valuesEncoding);
    }

    @Override
    public void writePage(
            BytesInput bytes,
            int valueCount,
            int rowCount,
            Statistics<?> statistics,
            Encoding rlEncoding,
            Encoding dlEncoding,
            Encoding valuesEncoding)
            throws IOException {
        writeDataPage(bytes, valueCount, statistics, rlEncoding, dlEncoding, valuesEncoding);
    }

    @Override
    @Deprecated
    public void writePage(
            BytesInput bytes,
            int valueCount,
            Statistics<?> statistics,
            Encoding rlEncoding,
            Encoding dlEncoding,
            Encoding valuesEncoding)
            throws IOException {
        writeDataPage(bytes, valueCount, statistics, rlEncoding, dlEncoding, valuesEncoding);
    }

    @Override
    public void writePageV2(
            int rowCount,
            int nullCount,
            int valueCount,
            BytesInput repetitionLevels,
            BytesInput definitionLevels,
            Encoding dataEncoding,
            BytesInput data,
            Statistics<?> statistics) {
        throw new UnsupportedOperationException("SSTs are written with v1 data pages");
    }

    @Override
    public void writePageV2(
            int rowCount,
            int nullCount,
            int valueCount,
            BytesInput repetitionLevels,
            BytesInput definitionLevels,
            Encoding dataEncoding,
            BytesInput data,
            Statistics<?> statistics,
            SizeStatistics sizeStatistics,
            GeospatialStatistics geospatialStatistics) {
        throw new UnsupportedOperationException("SSTs are written with v1 data pages");
    }

    private void writeDataPage(
            BytesInput bytes,
            int valueCount,
            Statistics<?> pageStatistics,
            Encoding rlEncoding,
            Encoding dlEncoding,
            Encoding valuesEncoding)
            throws IOException {
        PageHeader header = new PageHeader(PageType.DATA_PAGE, 0, 0);
        header.setData_page_header(new DataPageHeader(valueCount, format(valuesEncoding), format(dlEncoding), format(rlEncoding)));
        // The column writer reuses its buffers once this returns: frame the bytes now.
        frame(header, bytes, dataPages);
        this.valueCount += valueCount;
        encodings.add(format(rlEncoding));
        encodings.add(format(dlEncoding));
        encodings.add(format(valuesEncoding));
        dataPageEncodings.merge(format(valuesEncoding), 1, Integer::sum);
        if (pageStatistics != null) {
            statistics.mergeStatistics(pageStatistics);
        }
    }

    @Override
    public void writeDictionaryPage(DictionaryPage page) throws IOException {
        if (dictionaryPage != null) {
            throw new IllegalStateException("A second dictionary page for column " + column + " in one row group");
        }
        PageHeader header = new PageHeader(PageType.DICTIONARY_PAGE, 0, 0);
        dictionaryEncoding = format(page.getEncoding());
        header.setDictionary_page_header(new DictionaryPageHeader(page.getDictionarySize(), dictionaryEncoding));
        dictionaryPage = new ByteArrayOutputStream();
        frame(header, page.getBytes(), dictionaryPage);
        encodings.add(dictionaryEncoding);
    }

    /** Compresses {@code page} and appends header and body to {@code target}. */
    private void frame(PageHeader header, BytesInput page, ByteArrayOutputStream target) throws IOException {
        int uncompressedSize = Math.toIntExact(page.size());
        PageCompression.Slice compressed = compression.compress(page);
        header.setUncompressed_page_size(uncompressedSize);
        CRC32 crc = new CRC32();
        crc.update(compressed.array(), compressed.offset(), compressed.length());
        header.setCompressed_page_size(compressed.length());
        header.setCrc((int) crc.getValue());
        int before = target.size();
        Util.writePageHeader(header, target);
        int headerSize = target.size() - before;
        target.write(compressed.array(), compressed.offset(), compressed.length());
        uncompressedBytes += headerSize + uncompressedSize;
        compressedBytes += headerSize + compressed.length();
    }

    /** The chunk's statistics over all its pages. */
    Statistics<?> statistics() {
        return statistics;
    }

    long uncompressedBytes() {
        return uncompressedBytes;
    }

    long compressedBytes() {
        return compressedBytes;
    }

    /** Writes the chunk, dictionary page first, and returns its footer entry. */
    ColumnChunk writeTo(PositionedOutput out) throws IOException {
        long dictionaryOffset = out.position();
        if (dictionaryPage != null) {
            dictionaryPage.writeTo(out);
        }
        long dataOffset = out.position();
        dataPages.writeTo(out);

        List<PageEncodingStats> encodingStats = new ArrayList<>();
        if (dictionaryPage != null) {
            encodingStats.add(new PageEncodingStats(PageType.DICTIONARY_PAGE, dictionaryEncoding, 1));
        }
        dataPageEncodings.forEach((encoding, pages) -> encodingStats.add(new PageEncodingStats(PageType.DATA_PAGE, encoding, pages)));

        ColumnMetaData metaData = new ColumnMetaData(
                SstSchema.formatType(column.getPrimitiveType().getPrimitiveTypeName()),
                new ArrayList<>(encodings),
                List.of(column.getPath()),
                compression.formatCodec(),
                valueCount,
                uncompressedBytes,
                compressedBytes,
                dataOffset);
        if (dictionaryPage != null) {
            metaData.setDictionary_page_offset(dictionaryOffset);
        }
        metaData.setStatistics(SstStatistics.toFormat(statistics));
        metaData.setEncoding_stats(encodingStats);
        // file_offset is the offset of a separately written ColumnMetaData, which SSTs never have.
        ColumnChunk chunk = new ColumnChunk(0);
        chunk.setMeta_data(metaData);
        return chunk;
    }

    @Override
    public long getMemSize() {
        return dataPages.size() + (dictionaryPage == null ? 0 : dictionaryPage.size());
    }

    @Override
    public long allocatedSize() {
        return getMemSize();
    }

    @Override
    public String memUsageString(String prefix) {
        return prefix + " " + column + " buffered " + getMemSize() + " bytes";
    }

    private static org.apache.parquet.format.Encoding format(Encoding encoding) {
        return org.apache.parquet.format.Encoding.valueOf(encoding.name());
    }
}
