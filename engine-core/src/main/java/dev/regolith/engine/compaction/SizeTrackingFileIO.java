package dev.regolith.engine.compaction;


import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.io.ForwardingFileIO;
import dev.regolith.engine.io.SyncableOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A {@link FileIO} that remembers the outputs it creates, so a caller can see how many bytes an
 * {@link dev.regolith.engine.sst.SstWriter} has handed to a file so far: the writer does not say,
 * and compaction splits its output by size.
 */
final class SizeTrackingFileIO extends ForwardingFileIO {

    private final Map<Path, SyncableOutput> outputs = new ConcurrentHashMap<>();

    SizeTrackingFileIO(FileIO delegate) {
        super(delegate);
    }

    /**
     * The bytes written to {@code file} so far, as they reach the file system (a writer's own
     * buffers are not counted).
     *
     * @throws IllegalArgumentException if {@code file} was not created through this FileIO
     */
    LongSupplier bytesWritten(Path file) {
        SyncableOutput output = outputs.get(file);
        if (output == null) {
            throw new IllegalArgumentException("File " + file + " was not created through this FileIO");
        }
        return output::position;
    }

    @Override
    public SyncableOutput create(Path file) throws IOException {
        SyncableOutput output = delegate().create(file);
        outputs.put(file, output);
        return output;
    }

    @Override
    public boolean deleteIfExists(Path file) throws IOException {
        outputs.remove(file);
        return delegate().deleteIfExists(file);
    }










}
