package dev.regolith.hooks.spi;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.RegionId;

/**
 * A region was closed (its data stays): the argument of {@link RegionHook#onRegionClosed}.
 *
 * @param regionId the region
 * @param manifestVersion its manifest version at close
 */
public record RegionClosedEvent(RegionId regionId, long manifestVersion) {

    public RegionClosedEvent {
        requireNonNull(regionId, "regionId is null");
    }
}
