package dev.regolith.hooks.spi;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;

/**
 * The hook fell so far behind a region that the deltas it missed are gone: the argument of
 * {@link RegionHook#onReconcile}. Instead of versions {@link #firstVersion()} through
 * {@link #manifestVersion()} one by one, the hook gets the region's whole manifest state at
 * {@link #manifestVersion()} and must bring what it keeps in line with it (rebuild a catalog,
 * drop index entries of files no longer listed). Updates after {@link #manifestVersion()} follow
 * as usual.
 *
 * @param regionId the region
 * @param manifest its manifest state at {@code manifestVersion}
 * @param firstVersion the first version the hook missed: its cursor plus one
 * @param manifestVersion the version this event brings the hook to
 */
public record ReconcileEvent(RegionId regionId, RegionManifest manifest, long firstVersion, long manifestVersion) {

    public ReconcileEvent {
        requireNonNull(regionId, "regionId is null");
        requireNonNull(manifest, "manifest is null");
        if (!manifest.regionId().equals(regionId)) {
            throw new IllegalArgumentException("Manifest of region " + manifest.regionId() + " given for region " + regionId);
        }
        if (firstVersion < 1 || firstVersion > manifestVersion) {
            throw new IllegalArgumentException("Invalid version range for region " + regionId + ": " + firstVersion + " to "
                    + manifestVersion);
        }
        if (manifest.manifestVersion() != manifestVersion) {
            throw new IllegalArgumentException("Manifest of region " + regionId + " is at version " + manifest.manifestVersion()
                    + ", not " + manifestVersion);
        }
    }

    /**
     * The same key an {@link ManifestUpdatedEvent} for {@link #manifestVersion()} would carry:
     * {@code {region id}@{manifest version}}.
     */
    public String idempotencyKey() {
        return regionId + "@" + manifestVersion;
    }
}
