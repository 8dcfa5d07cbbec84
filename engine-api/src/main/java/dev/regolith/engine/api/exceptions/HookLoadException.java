package dev.regolith.engine.api.exceptions;

/**
 * A hook could not be loaded or initialized and the engine was told to fail rather than skip it
 * (the strict hook-loading option). The message names the hook's class or name.
 */
public class HookLoadException extends RegolithException {

    public HookLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
