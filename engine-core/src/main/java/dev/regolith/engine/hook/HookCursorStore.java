package dev.regolith.engine.hook;

import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.io.FileIO;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Each hook's durable cursor for one region: the last manifest version delivered to it. After a
 * crash or restart, every committed version above the cursor is delivered again (at-least-once),
 * so a cursor may lag what was delivered, never lead it.
 *
 * <p>Layout: {@code {region}/hooks/{hook name}.cursor}, 20 bytes: magic {@code "RGHC"}, format
 * version (4 bytes, 1), the cursor (8 bytes), CRC32C of the 16 bytes before it. Written with
 * {@link FileIO#writeAtomically}, so a crash leaves the old cursor or the new one.
 */
public final class HookCursorStore {

    private static final int MAGIC = 0x52474843; // "RGHC"
    private static final int FORMAT_VERSION = 1;
    private static final int SIZE = 20;
    static final String SUFFIX = ".cursor";

    private final FileIO io;
    private final RegionId regionId;
    private final Path directory;

    public HookCursorStore(FileIO io, RegionId regionId, Path regionDirectory) {
        this.io = io;
        this.regionId = regionId;
        this.directory = regionDirectory.resolve("hooks");
    }

    /** The hook's cursor, 0 if it has none (it has seen nothing of this region yet). */
    public long read(String hookName) {
        Path file = file(hookName);
        byte[] bytes;
        try {
            bytes = io.readAllBytes(file);
        }
        catch (NoSuchFileException e) {
            return 0;
        }
        catch (IOException e) {
            throw new RegionStorageException("Cannot read the cursor of hook " + hookName + " for region " + regionId + " ("
                    + file + "): " + e, e);
        }
        if (bytes.length != SIZE) {
            throw new CorruptedFileException(file.toString(), Math.min(bytes.length, SIZE), "hook cursor of " + bytes.length
                    + " bytes, expected " + SIZE);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (buffer.getInt(0) != MAGIC) {
            throw new CorruptedFileException(file.toString(), 0, String.format("bad magic 0x%08x, expected \"RGHC\"", buffer.getInt(0)));
        }
        if (buffer.getInt(4) != FORMAT_VERSION) {
            throw new CorruptedFileException(file.toString(), 4, "unsupported hook cursor format " + buffer.getInt(4));
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 16);
        if ((int) crc.getValue() != buffer.getInt(16)) {
            throw new CorruptedFileException(file.toString(), 16, String.format("checksum mismatch: stored CRC32C 0x%08x, "
                    + "computed 0x%08x", buffer.getInt(16), (int) crc.getValue()));
        }
        long cursor = buffer.getLong(8);
        if (cursor < 0) {
            throw new CorruptedFileException(file.toString(), 8, "negative cursor " + cursor);
        }
        return cursor;
    }

    /** Makes {@code version} the hook's durable cursor for this region. */
    public void write(String hookName, long version) {
        if (version < 0) {
            throw new IllegalArgumentException("Invalid cursor for hook " + hookName + ": " + version);
        }
        ByteBuffer buffer = ByteBuffer.allocate(SIZE);
        buffer.putInt(MAGIC).putInt(FORMAT_VERSION).putLong(version);
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, 16);
        buffer.putInt((int) crc.getValue());
        Path file = file(hookName);
        try {
            if (!io.exists(directory)) {
                io.createDirectories(directory);
            }
            io.writeAtomically(file, buffer.array());
        }
        catch (IOException e) {
            throw new RegionStorageException("Cannot write the cursor of hook " + hookName + " for region " + regionId + " ("
                    + file + "): " + e, e);
        }
    }

    /** Every hook's cursor for this region, by hook name. */
    public Map<String, Long> readAll() {
        Map<String, Long> cursors = new TreeMap<>();
        try {
            if (!io.exists(directory)) {
                return cursors;
            }
            for (String name : io.list(directory)) {
                if (name.endsWith(SUFFIX)) {
                    String hook = name.substring(0, name.length() - SUFFIX.length());
                    cursors.put(hook, read(hook));
                }
            }
        }
        catch (IOException e) {
            throw new RegionStorageException("Cannot list hook cursors of region " + regionId + " in " + directory + ": " + e, e);
        }
        return cursors;
    }

    private Path file(String hookName) {
        return directory.resolve(hookName + SUFFIX);
    }
}
