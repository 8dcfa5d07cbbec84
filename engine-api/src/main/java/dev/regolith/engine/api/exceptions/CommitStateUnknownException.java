package dev.regolith.engine.api.exceptions;

/**
 * A manifest commit failed at a point where it may or may not have become durable (for example,
 * the delta was renamed into place but the directory could not be synced).
 *
 * <p>Files the commit refers to must not be cleaned up. The region accepts no further commits
 * until it is reopened, which reads back what actually landed.
 */
public class CommitStateUnknownException extends RegolithException {

    public CommitStateUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
