package dev.regolith.hooks.spi;

import java.util.Map;

/** What the engine tells a hook when it is initialized. */
public interface HookContext {

    /** The hook's name, as returned by {@link RegionHook#name()}. */
    String hookName();

    /**
     * The hook's own options: every engine option {@code hooks.<name>.<key>} as {@code <key>},
     * sorted by key. Empty when none are set.
     */
    Map<String, String> options();

    /** The engine's SST files: their paths and column values, for hooks that catalog or index them. */
    SstFiles sstFiles();
}
