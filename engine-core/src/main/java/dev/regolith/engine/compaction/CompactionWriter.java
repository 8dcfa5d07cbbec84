package dev.regolith.engine.compaction;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.row.NewestVersions;
import dev.regolith.engine.row.RowOrder;
import dev.regolith.engine.sst.SstReader;
import dev.regolith.engine.sst.SstWriteOptions;
import dev.regolith.engine.sst.SstWriter;
import dev.regolith.hooks.spi.WrittenSstFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Merges the rows of a compaction's input SSTs into new level-1 SSTs.
 *
 * <p>Every input's rows are laid out in the region's current schema by column id
 * ({@link SchemaMapping}), merged in {@link RowOrder}, and only the newest version of each primary
 * key and timestamp is kept (last write wins). That version may be a delete: it is written, to keep
 * hiding older versions in files outside the compaction, unless the caller says deletes may be
 * dropped.
 *
 * <p>Outputs are named {@code {file id}.parquet} in the region directory. A new output is started
 * once the bytes that reached the current one's file reach the size limit. {@link SstWriter} does
 * not tell its size, and holds a row group in memory and up to 64 KiB in its output buffer, so an
 * output can pass the limit by that much plus the footer: noise against the default 512 MiB.
 * Outputs are cut between rows, so they hold disjoint, ascending key ranges.
 *
 * <p>The caller owns the input readers and closes them. Nothing is committed here: the caller
 * commits the returned files, or deletes them if it cannot.
 */
public final class CompactionWriter {

    /** Compaction output goes to level 1; flushes write level 0. */
    public static final int OUTPUT_LEVEL = 1;
    /** The suffix of SST file names, as the region names them. */
    static final String SST_SUFFIX = ".parquet";

    private CompactionWriter() {
    }

    /**
     * Writes the merged rows of {@code inputs}.
     *
     * @param io where the outputs are written
     * @param regionDirectory the directory of the region, where the outputs are created
     * @param current the region's metadata: the outputs' schema
     * @param inputs readers of the input files, each sorted in {@link RowOrder}; not closed here
     * @param dropDeletes whether rows whose newest version is a delete are left out entirely
     * @param sstOptions how the outputs are laid out
     * @param maxOutputFileBytes an output is completed once about this many bytes are written to it
     * @return the outputs, complete and durable, in key order; empty if no row remains
     * @throws RuntimeException whatever reading or writing threw; every output written by this call
     *     has been deleted by then (a failure to delete is attached as suppressed)
     */
    public static List<WrittenSstFile> write(FileIO io, Path regionDirectory, RegionMetadata current, List<SstReader> inputs,
            boolean dropDeletes, SstWriteOptions sstOptions, long maxOutputFileBytes) {
        requireNonNull(io, "io is null");
        requireNonNull(regionDirectory, "regionDirectory is null");
        requireNonNull(current, "current is null");
        requireNonNull(inputs, "inputs is null");
        requireNonNull(sstOptions, "sstOptions is null");
        if (maxOutputFileBytes < 1) {
            throw new IllegalArgumentException("Invalid max output file size for compaction of region " + current.regionId() + ": "
                    + maxOutputFileBytes + " bytes (must be >= 1)");
        }

        SizeTrackingFileIO tracked = new SizeTrackingFileIO(io);
        List<WrittenSstFile> outputs = new ArrayList<>();
        SstWriter writer = null;
        FileId outputId = null;
        LongSupplier outputBytes = null;
        try {
            List<Iterator<InternalRow>> sources = new ArrayList<>(inputs.size());
            for (SstReader input : inputs) {
                sources.add(SchemaMapping.toCurrent(input.read(null, null), input.metadata(), current));
            }
            NewestVersions rows = new NewestVersions(new RowOrder(current), sources);
            while (rows.hasNext()) {
                InternalRow row = rows.next();
                if (dropDeletes && row.op() == OpType.DELETE) {
                    continue;
                }
                if (writer == null) {
                    outputId = FileId.random();
                    writer = new SstWriter(tracked, regionDirectory.resolve(outputId + SST_SUFFIX), current, sstOptions);
                    outputBytes = tracked.bytesWritten(writer.file());
                }
                writer.write(row);
                if (outputBytes.getAsLong() >= maxOutputFileBytes) {
                    outputs.add(writer.finish(outputId, OUTPUT_LEVEL));
                    writer = null;
                }
            }
            if (writer != null) {
                outputs.add(writer.finish(outputId, OUTPUT_LEVEL));
                writer = null;
            }
        }
        catch (RuntimeException | Error e) {
            deleteOutputs(io, writer, outputs, e);
            throw e;
        }
        return List.copyOf(outputs);
    }

    private static void deleteOutputs(FileIO io, SstWriter unfinished, List<WrittenSstFile> finished, Throwable failure) {
        if (unfinished != null) {
            try {
                unfinished.abort();
            }
            catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
        for (WrittenSstFile output : finished) {
            try {
                io.deleteIfExists(output.path());
            }
            catch (IOException | RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
    }
}
