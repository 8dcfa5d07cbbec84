package dev.regolith.engine.api;

/** What an open region may do. */
public enum RegionRole {
    /** Accepts writes and authors every change to the region. */
    LEADER,
    /**
     * Read-only: serves scans from the files of the region's manifest, which another engine (the
     * leader, on shared storage) writes; {@link Engine#syncRegion} catches up with it. A follower
     * writes nothing, deletes nothing, replays no WAL and fires no hook.
     */
    FOLLOWER,
    /** A leader on its way to follower: rejects writes, but may still flush and commit what it holds. */
    DOWNGRADING_LEADER
}
