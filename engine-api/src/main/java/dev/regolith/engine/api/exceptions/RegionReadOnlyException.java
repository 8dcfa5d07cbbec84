package dev.regolith.engine.api.exceptions;

import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionRole;

/** A write or change was sent to a region whose role does not allow it. */
public class RegionReadOnlyException extends RegolithException {

    public RegionReadOnlyException(RegionId regionId, RegionRole role, String operation) {
        super("Region " + regionId + " is a " + role + ": " + operation + " is not allowed"
                + (role == RegionRole.FOLLOWER ? "; send it to the region's leader" : "; the region is handing over leadership"));
    }
}
