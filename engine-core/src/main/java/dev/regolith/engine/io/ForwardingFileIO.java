package dev.regolith.engine.io;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link FileIO} that passes every call to another one; subclasses override only the calls they
 * watch or change (fault injection, counting, size tracking).
 */
public abstract class ForwardingFileIO implements FileIO {

    private final FileIO delegate;

    protected ForwardingFileIO(FileIO delegate) {
        this.delegate = requireNonNull(delegate, "delegate is null");
    }

    protected FileIO delegate() {
        return delegate;
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
    public boolean deleteIfExists(Path file) throws IOException {
        return delegate.deleteIfExists(file);
    }

    @Override
    public SyncableOutput create(Path file) throws IOException {
        return delegate.create(file);
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
