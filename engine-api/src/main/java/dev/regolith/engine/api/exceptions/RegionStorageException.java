package dev.regolith.engine.api.exceptions;

/**
 * Reading or writing one of a region's files failed with an I/O error. The message names the
 * region and the file; the cause is the underlying {@link java.io.IOException}.
 */
public class RegionStorageException extends RegolithException {

    public RegionStorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
