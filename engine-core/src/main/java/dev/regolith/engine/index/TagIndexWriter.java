package dev.regolith.engine.index;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.FileIndex;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.io.PublishStateUnknownException;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.row.RowOrder;
import dev.regolith.engine.sst.SstReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.stream.Collectors;
import org.roaringbitmap.RoaringBitmap;

/**
 * Builds the {@link TagIndex} of one SST: for each of its primary-key tag columns, which row groups
 * hold each value (null included), written as a sidecar file in the format documented on
 * {@link TagIndex}.
 *
 * <p>Every row counts, deletes included: a scan must still see a delete to hide the older versions
 * it covers in other files, so a row group holding only deletes of a value is not skippable.
 *
 * <p>The sidecar is published with {@link FileIO#writeAtomically}: readers see no file or the whole
 * index. Building does not change the SST and may run concurrently with reads of it; building the
 * same index twice writes the same bytes.
 */
public final class TagIndexWriter {

    private TagIndexWriter() {
    }

    /**
     * Reads the tag columns of {@code sstFile}, writes their index to {@code indexFile} (replacing
     * any file there) and returns what the manifest should record of it.
     *
     * @return the indexed columns (the SST's primary key, in key order; empty if it has no tags),
     *     the index file's size and {@link TagIndex#FORMAT_VERSION}
     * @throws CorruptedFileException if the SST cannot be read as written
     * @throws RegionStorageException if the SST cannot be read or the index cannot be written; the
     *     index file may then exist or not, and nothing may rely on it until it is published
     *     through the manifest
     */
    public static FileIndex build(FileIO io, Path sstFile, Path indexFile) {
        requireNonNull(io, "io is null");
        requireNonNull(sstFile, "sstFile is null");
        requireNonNull(indexFile, "indexFile is null");
        TagIndexFormat.Contents contents;
        try (SstReader reader = SstReader.open(io, sstFile)) {
            contents = index(reader);
        }
        byte[] bytes = TagIndexFormat.encode(contents);
        try {
            io.writeAtomically(indexFile, bytes);
        }
        catch (PublishStateUnknownException e) {
            throw new RegionStorageException("Failed to write tag index file " + indexFile + " of SST file " + sstFile
                    + "; it may or may not exist now: " + e, e);
        }
        catch (IOException e) {
            throw new RegionStorageException("Failed to write tag index file " + indexFile + " of SST file " + sstFile + ": " + e, e);
        }
        return new FileIndex(contents.columns().stream().map(TagIndexFormat.Column::name).toList(), bytes.length,
                TagIndex.FORMAT_VERSION);
    }

    private static TagIndexFormat.Contents index(SstReader reader) {
        RegionMetadata metadata = reader.metadata();
        List<ColumnSchema> tags = metadata.primaryKey();
        int[] positions = tags.stream().mapToInt(metadata.columns()::indexOf).toArray();
        List<NavigableMap<Object, RoaringBitmap>> valueMaps = new ArrayList<>();
        for (int i = 0; i < tags.size(); i++) {
            valueMaps.add(TagIndexFormat.newValueMap());
        }
        Set<String> projection = tags.stream().map(ColumnSchema::name).collect(Collectors.toSet());
        Object[] previous = new Object[tags.size()];
        for (int rowGroup = 0; rowGroup < reader.rowGroupCount(); rowGroup++) {
            // The reader does not say which row group a row came from: read them one at a time.
            int wanted = rowGroup;
            Iterator<InternalRow> rows = reader.read(projection, index -> index == wanted);
            boolean first = true;
            while (rows.hasNext()) {
                InternalRow row = rows.next();
                for (int i = 0; i < positions.length; i++) {
                    Object value = row.value(positions[i]);
                    // Rows are in key order, so runs of equal tags are common: one map lookup per run.
                    if (first || RowOrder.compareValues(value, previous[i]) != 0) {
                        valueMaps.get(i).computeIfAbsent(value, key -> new RoaringBitmap()).add(wanted);
                        previous[i] = value;
                    }
                }
                first = false;
            }
        }
        List<TagIndexFormat.Column> columns = new ArrayList<>();
        for (int i = 0; i < tags.size(); i++) {
            columns.add(new TagIndexFormat.Column(tags.get(i).name(), tags.get(i).dataType(), valueMaps.get(i)));
        }
        return new TagIndexFormat.Contents(reader.rowGroupCount(), columns);
    }
}
