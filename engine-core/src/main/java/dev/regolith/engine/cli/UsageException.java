package dev.regolith.engine.cli;

/** A mistake in how the command was called: printed as one line, exit status 2. */
final class UsageException extends RuntimeException {

    UsageException(String message) {
        super(message);
    }
}
