package dev.regolith.engine.hook;

/** A "library" that {@link HookPluginsTest} packs into a plugin's second jar. */
public final class PluginProbeLibrary {
    private PluginProbeLibrary() {
    }
}
