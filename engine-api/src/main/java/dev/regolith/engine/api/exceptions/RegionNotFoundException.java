package dev.regolith.engine.api.exceptions;

import dev.regolith.engine.api.RegionId;

/** The region does not exist (or has no manifest where one was expected). */
public class RegionNotFoundException extends RegolithException {

    private final RegionId regionId;

    public RegionNotFoundException(RegionId regionId, String detail) {
        super("Region " + regionId + " not found: " + detail);
        this.regionId = regionId;
    }

    /** The region that was asked for. */
    public RegionId regionId() {
        return regionId;
    }
}
