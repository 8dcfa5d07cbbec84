package dev.regolith.engine.api.exceptions;

/** The base of every exception the engine throws on purpose. Unchecked. */
public class RegolithException extends RuntimeException {

    public RegolithException(String message) {
        super(message);
    }

    public RegolithException(String message, Throwable cause) {
        super(message, cause);
    }
}
