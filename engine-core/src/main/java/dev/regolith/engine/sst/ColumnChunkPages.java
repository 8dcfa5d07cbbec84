package dev.regolith.engine.sst;

import dev.regolith.engine.api.exceptions.CorruptedFileException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.zip.CRC32;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.Util;

/**
 * The pages of one column chunk, read whole into memory and handed to a column reader one at a
 * time: page headers are parsed, checksums checked and bodies decompressed as they are asked for.
 *
 * <p>Every problem is a {@link CorruptedFileException} at the offset of the page it was found in;
 * {@link #currentPageOffset()} tells where the last page handed out started, for decoding errors
 * the column reader finds later.
 */
final class ColumnChunkPages implements PageReader {

    /** No page of ours comes near this; a header claiming more is damaged. */
    private static final int MAX_PAGE_BYTES = 1 << 30;

    private final String file;
    private final byte[] chunk;
    private final long chunkOffset;
    private final ColumnMetaData metaData;
    private final ColumnDescriptor column;
    private final PageCompression compression;
    private final boolean hasDictionary;
    private int position;
    private long currentPageOffset;
    private long valuesRead;
    private boolean dictionaryRead;

    ColumnChunkPages(String file, byte[] chunk, long chunkOffset, ColumnMetaData metaData, ColumnDescriptor column,
            PageCompression compression) {
        this.file = file;
        this.chunk = chunk;
        this.chunkOffset = chunkOffset;
        this.metaData = metaData;
        this.column = column;
        this.compression = compression;
        this.hasDictionary = metaData.isSetDictionary_page_offset();
        this.currentPageOffset = chunkOffset;
    }

    /** The file offset of the header of the page most recently handed out (or being read). */
    long currentPageOffset() {
        return currentPageOffset;
    }

    @Override
    public DictionaryPage readDictionaryPage() {
        if (!hasDictionary || dictionaryRead) {
            return null;
        }
        dictionaryRead = true;
        PageHeader header = readHeader(PageType.DICTIONARY_PAGE);
        if (!header.isSetDictionary_page_header()) {
            throw corrupted("dictionary page header is missing its dictionary_page_header");
        }
        return new DictionaryPage(readBody(header), header.getDictionary_page_header().getNum_values(),
                encoding(header.getDictionary_page_header().getEncoding()));
    }

    @Override
    public long getTotalValueCount() {
        return metaData.getNum_values();
    }

    @Override
    public DataPage readPage() {
        if (hasDictionary && !dictionaryRead) {
            readDictionaryPage();
        }
        if (valuesRead >= metaData.getNum_values()) {
            return null;
        }
        PageHeader header = readHeader(PageType.DATA_PAGE);
        DataPageHeader dataHeader = header.getData_page_header();
        if (dataHeader == null || dataHeader.getNum_values() <= 0) {
            throw corrupted("data page header is missing or holds no values");
        }
        valuesRead += dataHeader.getNum_values();
        if (valuesRead > metaData.getNum_values()) {
            throw corrupted("data pages hold more than the chunk's " + metaData.getNum_values() + " values");
        }
        BytesInput body = readBody(header);
        return new DataPageV1(
                body,
                dataHeader.getNum_values(),
                header.getUncompressed_page_size(),
                Statistics.getBuilderForReading(column.getPrimitiveType()).build(),
                encoding(dataHeader.getRepetition_level_encoding()),
                encoding(dataHeader.getDefinition_level_encoding()),
                encoding(dataHeader.getEncoding()));
    }

    private PageHeader readHeader(PageType expected) {
        currentPageOffset = chunkOffset + position;
        if (position >= chunk.length) {
            throw corrupted("expected a " + expected + " but the column chunk of " + chunk.length + " bytes ends");
        }
        ByteArrayInputStream in = new ByteArrayInputStream(chunk, position, chunk.length - position);
        PageHeader header;
        try {
            header = Util.readPageHeader(in);
        }
        catch (IOException | RuntimeException e) {
            throw corrupted("undecodable page header: " + e.getMessage(), e);
        }
        position = chunk.length - in.available();
        if (header.getType() != expected) {
            throw corrupted("expected a " + expected + " but found a " + header.getType());
        }
        int compressedSize = header.getCompressed_page_size();
        int uncompressedSize = header.getUncompressed_page_size();
        if (compressedSize < 0 || compressedSize > chunk.length - position) {
            throw corrupted("page body of " + compressedSize + " bytes runs past the end of the column chunk (" + (chunk.length - position)
                    + " bytes left)");
        }
        if (uncompressedSize < 0 || uncompressedSize > MAX_PAGE_BYTES) {
            throw corrupted("implausible uncompressed page size " + uncompressedSize);
        }
        return header;
    }

    private BytesInput readBody(PageHeader header) {
        int size = header.getCompressed_page_size();
        int bodyOffset = position;
        position += size;
        if (header.isSetCrc()) {
            CRC32 crc = new CRC32();
            crc.update(chunk, bodyOffset, size);
            if ((int) crc.getValue() != header.getCrc()) {
                throw corrupted(String.format("page checksum mismatch: stored 0x%08x, computed 0x%08x", header.getCrc(), (int) crc.getValue()));
            }
        }
        PageCompression.Slice body;
        try {
            body = compression.decompress(chunk, bodyOffset, size, header.getUncompressed_page_size());
        }
        catch (IllegalArgumentException e) {
            throw corrupted(e.getMessage(), e);
        }
        return BytesInput.from(body.array(), body.offset(), body.length());
    }

    private Encoding encoding(org.apache.parquet.format.Encoding encoding) {
        if (encoding == null) {
            throw corrupted("page header is missing an encoding");
        }
        return Encoding.valueOf(encoding.name());
    }

    private CorruptedFileException corrupted(String problem) {
        return corrupted(problem, null);
    }

    private CorruptedFileException corrupted(String problem, Throwable cause) {
        return new CorruptedFileException(file, currentPageOffset, "column " + column.getPath()[0] + ": " + problem, cause);
    }
}
