package dev.regolith.engine.api.exceptions;

import static java.util.Objects.requireNonNull;

/**
 * A file the engine wrote cannot be read back as written: a checksum mismatch, a bad header, a
 * truncated body or content that does not decode. The engine never skips such a file silently.
 */
public class CorruptedFileException extends RegolithException {

    private final String file;
    private final long offset;

    /**
     * @param file the file, as a path or location
     * @param offset the byte offset where the problem was found
     * @param problem what is wrong, for example {@code checksum mismatch: stored 0x1a2b3c4d, computed 0x0}
     */
    public CorruptedFileException(String file, long offset, String problem) {
        this(file, offset, problem, null);
    }

    public CorruptedFileException(String file, long offset, String problem, Throwable cause) {
        super("Corrupted file " + requireNonNull(file, "file is null") + " at offset " + offset + ": " + problem, cause);
        this.file = file;
        this.offset = offset;
    }

    /** The corrupted file. */
    public String file() {
        return file;
    }

    /** The byte offset where the problem was found. */
    public long offset() {
        return offset;
    }
}
