package dev.regolith.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@link FileIO} on the local file system. Atomic writes go to a temporary file in the same
 * directory, which is fsynced, renamed over the target, and followed by an fsync of the directory.
 */
public final class LocalFileIO implements FileIO {

    /** Suffix of in-flight temporary files; whoever lists a directory ignores them. */
    public static final String TEMP_SUFFIX = ".tmp";

    @Override
    public void createDirectories(Path directory) throws IOException {
        Path absolute = directory.toAbsolutePath();
        List<Path> created = new ArrayList<>();
        for (Path current = absolute; current != null && !Files.isDirectory(current); current = current.getParent()) {
            created.add(current);
        }
        Files.createDirectories(absolute);
        // Each new directory's entry lives in its parent: sync the parents, deepest last.
        for (int i = created.size() - 1; i >= 0; i--) {
            Path parent = created.get(i).getParent();
            if (parent != null) {
                syncDirectory(parent);
            }
        }
    }

    @Override
    public void writeAtomically(Path file, byte[] content) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Path temp = directory.resolve("." + file.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (AtomicMoveNotSupportedException e) {
                throw new IOException("The file system of " + file + " cannot rename atomically", e);
            }
        }
        catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            }
            catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        try {
            syncDirectory(directory);
        }
        catch (IOException e) {
            throw new PublishStateUnknownException(file, e);
        }
    }

    @Override
    public byte[] readAllBytes(Path file) throws IOException {
        return Files.readAllBytes(file);
    }

    @Override
    public boolean exists(Path file) {
        return Files.exists(file);
    }

    @Override
    public List<String> list(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public boolean deleteIfExists(Path file) throws IOException {
        return Files.deleteIfExists(file);
    }

    @Override
    public SyncableOutput create(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new SyncableOutput() {
            private long position;

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                position += length;
            }

            @Override
            public long position() {
                return position;
            }

            @Override
            public void sync() throws IOException {
                channel.force(false);
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    @Override
    public ReadableFile open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        long size = channel.size();
        return new ReadableFile() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public int read(long position, ByteBuffer target) throws IOException {
                return channel.read(target, position);
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    @Override
    public long size(Path file) throws IOException {
        return Files.size(file);
    }

    @Override
    public void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
            channel.force(true);
        }
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(target.toAbsolutePath().getParent());
    }

    @Override
    public void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
