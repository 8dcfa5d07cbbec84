package dev.regolith.engine.compaction;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.io.ReadableFile;
import dev.regolith.engine.io.SyncableOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A {@link FileIO} that remembers the outputs it creates, so a caller can see how many bytes an
 * {@link dev.regolith.engine.sst.SstWriter} has handed to a file so far: the writer does not say,
 * and compaction splits its output by size.
 */
final class SizeTrackingFileIO implements FileIO {

    private final FileIO delegate;
    private final Map<Path, SyncableOutput> outputs = new ConcurrentHashMap<>();

    SizeTrackingFileIO(FileIO delegate) {
        this.delegate = requireNonNull(delegate, "delegate is null");
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
        SyncableOutput output = delegate.create(file);
        outputs.put(file, output);
        return output;
    }

    @Override
    public boolean deleteIfExists(Path file) throws IOException {
        outputs.remove(file);
        return delegate.deleteIfExists(file);
    }

    @Override
    public void createDirectories(Path directory) throws IOException {
        delegate.createDirectories(directory);
    }

    @Override
    public void writeAtomically(Path file, byte[] content) throws IOException {
        delegate.writeAtomically(file, content);
    }

    @Override
    public byte[] readAllBytes(Path file) throws IOException {
        return delegate.readAllBytes(file);
    }

    @Override
    public boolean exists(Path file) throws IOException {
        return delegate.exists(file);
    }

    @Override
    public List<String> list(Path directory) throws IOException {
        return delegate.list(directory);
    }

    @Override
    public ReadableFile open(Path file) throws IOException {
        return delegate.open(file);
    }

    @Override
    public long size(Path file) throws IOException {
        return delegate.size(file);
    }

    @Override
    public void truncate(Path file, long size) throws IOException {
        delegate.truncate(file, size);
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        delegate.rename(source, target);
    }

    @Override
    public void syncDirectory(Path directory) throws IOException {
        delegate.syncDirectory(directory);
    }
}
