package dev.regolith.hooks.spi;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.RegionId;

/**
 * A region was dropped and its directory deleted: the argument of {@link RegionHook#onRegionDropped}.
 *
 * @param regionId the region
 * @param manifestVersion the version of the {@code Remove} commit
 */
public record RegionDroppedEvent(RegionId regionId, long manifestVersion) {

    public RegionDroppedEvent {
        requireNonNull(regionId, "regionId is null");
    }
}
