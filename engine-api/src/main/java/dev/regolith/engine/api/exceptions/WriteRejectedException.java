package dev.regolith.engine.api.exceptions;

/**
 * A write was refused before anything of it was written, for a reason the caller can wait out:
 * the engine's memtables hold twice the write buffer (flushes cannot keep up), or the WAL failed.
 */
public class WriteRejectedException extends RegolithException {

    public WriteRejectedException(String message) {
        super(message);
    }

    public WriteRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
