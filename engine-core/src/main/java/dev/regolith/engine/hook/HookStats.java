package dev.regolith.engine.hook;

/**
 * A snapshot of one hook's counters.
 *
 * @param name the hook's name
 * @param delivered callbacks that returned normally
 * @param failed callbacks that threw (caught, logged and counted; the engine went on)
 */
public record HookStats(String name, long delivered, long failed) {
}
