package dev.regolith.engine.hook;

import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.RegionManifest;
import java.util.List;
import java.util.Optional;

/**
 * A region's committed versions, as its manifest keeps them: where a {@link HookDispatcher}
 * reads back the actions of pending versions it no longer holds in memory (see
 * {@link HookDeliveryOptions#queueActions()}). Implemented by the region's
 * {@link dev.regolith.engine.manifest.ManifestCommitter}.
 */
public interface ManifestHistory {

    /**
     * The actions of versions {@code first} to {@code last}, in commit order, read back from the
     * manifest's deltas; empty if a delta in that range is gone (a checkpoint replaced it).
     *
     * @throws RuntimeException if a delta cannot be read (the caller then reconciles from
     *     {@link #current()})
     */
    Optional<List<ManifestAction>> actionsOf(long first, long last);

    /** The latest committed state, for a reconcile in place of versions whose deltas are gone. Never blocks. */
    RegionManifest current();
}
