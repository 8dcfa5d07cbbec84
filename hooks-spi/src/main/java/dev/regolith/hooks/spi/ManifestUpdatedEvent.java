package dev.regolith.hooks.spi;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;

/**
 * A logical change to a region's manifest was committed: the argument of
 * {@link RegionHook#onManifestUpdated}.
 *
 * <p>One event usually covers one manifest version. When several commits of one logical operation
 * are merged into one notification, it covers versions {@link #firstVersion()} through
 * {@link #manifestVersion()} and {@link #actions()} holds their actions in commit order.
 *
 * @param regionId the region that changed
 * @param actions the committed actions, in order
 * @param firstVersion the first manifest version this event covers
 * @param manifestVersion the manifest version after the change; the last version covered
 */
public record ManifestUpdatedEvent(RegionId regionId, ManifestActionList actions, long firstVersion, long manifestVersion) {

    public ManifestUpdatedEvent {
        requireNonNull(regionId, "regionId is null");
        requireNonNull(actions, "actions is null");
        if (firstVersion < 1 || firstVersion > manifestVersion) {
            throw new IllegalArgumentException("Invalid version range for region " + regionId + ": " + firstVersion
                    + " to " + manifestVersion);
        }
    }

    /**
     * A key that is the same every time this event is delivered and different for every other
     * event: {@code {region id}@{manifest version}}. Hooks that must not apply a change twice
     * record the keys (or the last version) they have applied.
     */
    public String idempotencyKey() {
        return regionId + "@" + manifestVersion;
    }
}
