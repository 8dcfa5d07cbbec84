package dev.regolith.engine.sst;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.PageWriteStore;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.format.ColumnChunk;

/** The pages of the row group being written, one {@link ColumnChunkBuffer} per file column. */
final class RowGroupPageStore implements PageWriteStore {

    private final SstSchema schema;
    private final List<ColumnChunkBuffer> chunks;

    RowGroupPageStore(SstSchema schema, PageCompression compression) {
        this.schema = schema;
        this.chunks = new ArrayList<>(schema.columnCount());
        for (int column = 0; column < schema.columnCount(); column++) {
            chunks.add(new ColumnChunkBuffer(schema.descriptor(column), compression));
        }
    }

    @Override
    public PageWriter getPageWriter(ColumnDescriptor descriptor) {
        for (int column = 0; column < schema.columnCount(); column++) {
            if (schema.descriptor(column).equals(descriptor)) {
                return chunks.get(column);
            }
        }
        throw new IllegalArgumentException("Column " + descriptor + " is not in the SST schema");
    }

    ColumnChunkBuffer chunk(int column) {
        return chunks.get(column);
    }

    /** Writes every chunk in schema order and returns their footer entries. */
    List<ColumnChunk> writeTo(PositionedOutput out) throws IOException {
        List<ColumnChunk> written = new ArrayList<>(chunks.size());
        for (ColumnChunkBuffer chunk : chunks) {
            written.add(chunk.writeTo(out));
        }
        return written;
    }
}
