package dev.regolith.hooks.spi;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.api.RegionId;

/**
 * A region was created or opened: the argument of {@link RegionHook#onRegionOpened}. Carries the
 * region's whole manifest state, so a hook can reconcile what it keeps (an index, a catalog) with
 * what the region holds now.
 *
 * @param regionId the region
 * @param manifest its manifest state at open
 */
public record RegionOpenedEvent(RegionId regionId, RegionManifest manifest) {

    public RegionOpenedEvent {
        requireNonNull(regionId, "regionId is null");
        requireNonNull(manifest, "manifest is null");
        if (!manifest.regionId().equals(regionId)) {
            throw new IllegalArgumentException("Manifest of region " + manifest.regionId() + " given for region " + regionId);
        }
    }
}
