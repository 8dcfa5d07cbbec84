package dev.regolith.engine.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.util.Arrays;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * {@link FileIO} held in memory, for benchmarks that measure the engine's own work without the
 * disk, and for tests. Nothing survives the process.
 */
public final class InMemoryFileIO implements FileIO {

    private final ConcurrentSkipListMap<Path, byte[]> files = new ConcurrentSkipListMap<>();
    private final Set<Path> directories = ConcurrentHashMap.newKeySet();

    @Override
    public void createDirectories(Path directory) {
        for (Path current = directory.toAbsolutePath(); current != null; current = current.getParent()) {
            directories.add(current);
        }
    }

    @Override
    public void writeAtomically(Path file, byte[] content) throws IOException {
        Path absolute = file.toAbsolutePath();
        requireDirectory(absolute.getParent());
        files.put(absolute, content.clone());
    }

    @Override
    public byte[] readAllBytes(Path file) throws IOException {
        byte[] content = files.get(file.toAbsolutePath());
        if (content == null) {
            throw new NoSuchFileException(file.toString());
        }
        return content.clone();
    }

    @Override
    public boolean exists(Path file) {
        Path absolute = file.toAbsolutePath();
        return files.containsKey(absolute) || directories.contains(absolute);
    }

    @Override
    public List<String> list(Path directory) throws IOException {
        Path absolute = directory.toAbsolutePath();
        requireDirectory(absolute);
        return files.keySet().stream()
                .filter(path -> absolute.equals(path.getParent()))
                .map(path -> path.getFileName().toString())
                .sorted()
                .toList();
    }

    @Override
    public boolean deleteIfExists(Path file) {
        return files.remove(file.toAbsolutePath()) != null;
    }

    @Override
    public SyncableOutput create(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        requireDirectory(absolute.getParent());
        if (files.putIfAbsent(absolute, new byte[0]) != null) {
            throw new FileAlreadyExistsException(file.toString());
        }
        return new SyncableOutput() {
            private final ByteArrayOutputStream content = new ByteArrayOutputStream();

            @Override
            public void write(byte[] bytes, int offset, int length) {
                content.write(bytes, offset, length);
                files.put(absolute, content.toByteArray());
            }

            @Override
            public long position() {
                return content.size();
            }

            @Override
            public void sync() {
            }
        };
    }

    @Override
    public ReadableFile open(Path file) throws IOException {
        byte[] content = readAllBytes(file);
        return new ReadableFile() {
            @Override
            public long size() {
                return content.length;
            }

            @Override
            public int read(long position, ByteBuffer target) {
                if (position >= content.length) {
                    return -1;
                }
                int length = (int) Math.min(target.remaining(), content.length - position);
                target.put(content, (int) position, length);
                return length;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public long size(Path file) throws IOException {
        return readAllBytes(file).length;
    }

    @Override
    public void truncate(Path file, long size) throws IOException {
        byte[] content = readAllBytes(file);
        files.put(file.toAbsolutePath(), Arrays.copyOf(content, (int) Math.min(size, content.length)));
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        Path from = source.toAbsolutePath();
        Path to = target.toAbsolutePath();
        byte[] file = files.remove(from);
        if (file != null) {
            files.put(to, file);
            return;
        }
        if (!directories.remove(from)) {
            throw new NoSuchFileException(source.toString());
        }
        directories.add(to);
        for (Path path : List.copyOf(files.keySet())) {
            if (path.startsWith(from)) {
                files.put(to.resolve(from.relativize(path)), files.remove(path));
            }
        }
        for (Path path : List.copyOf(directories)) {
            if (path.startsWith(from)) {
                directories.remove(path);
                directories.add(to.resolve(from.relativize(path)));
            }
        }
    }

    @Override
    public void syncDirectory(Path directory) {
    }

    private void requireDirectory(Path directory) throws IOException {
        if (!directories.contains(directory)) {
            throw new NoSuchFileException(directory.toString(), null, "no such directory");
        }
    }
}
