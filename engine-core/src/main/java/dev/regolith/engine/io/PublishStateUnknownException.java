package dev.regolith.engine.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@link FileIO#writeAtomically} failed after the new content may have become visible: for
 * example the rename succeeded but the directory could not be synced. Whether the file survives a
 * crash is unknown, so nothing may assume either outcome.
 */
public class PublishStateUnknownException extends IOException {

    public PublishStateUnknownException(Path file, Throwable cause) {
        super("Publishing " + file + " may or may not be durable", cause);
    }
}
