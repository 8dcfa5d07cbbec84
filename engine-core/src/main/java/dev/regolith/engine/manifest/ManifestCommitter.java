package dev.regolith.engine.manifest;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.exceptions.CommitStateUnknownException;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.hook.ManifestHistory;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.io.PublishStateUnknownException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit funnel: the only way a logical change reaches a region's manifest.
 *
 * <p>{@link #commitLocked} is the one method that commits. It requires the region's
 * {@link ManifestLock}, writes the action list as the next version's delta, makes the new state
 * current and returns a {@link PendingManifestHook} receipt, which the caller fires once it has
 * released the lock. {@link #commit} does all of that in one call. A multi-step sequence holds the
 * lock across several {@code commitLocked} calls, merges their receipts, releases the lock and
 * fires once, so hooks see one notification for the whole sequence.
 *
 * <p>Checkpoints (and the cleanup of what they make obsolete) happen inside the commit once the
 * version is {@link ManifestOptions#checkpointDistance()} past the last checkpoint. They are
 * bookkeeping, not logical changes: they produce no receipt, and their failure does not fail the
 * commit, which is already durable in its delta.
 *
 * <p>{@link #current()} never blocks: readers get the latest committed state.
 */
public final class ManifestCommitter implements ManifestHistory {

    private static final Logger log = LoggerFactory.getLogger(ManifestCommitter.class);

    private final RegionId regionId;
    private final ManifestStore store;
    private final ManifestOptions options;
    private final RegionHooks hooks;
    private final ManifestLock lock;
    private final LongAdder checkpointFailures = new LongAdder();

    private volatile RegionManifest current;
    private final boolean removed;
    private volatile java.util.function.LongSupplier retentionFloor = () -> Long.MAX_VALUE;
    // Guarded by lock.
    private long lastCheckpointVersion;
    private CommitStateUnknownException unknownState;

    private ManifestCommitter(ManifestStore store, RegionManifest current, long lastCheckpointVersion, RegionHooks hooks,
            ManifestOptions options, ManifestLock lock, boolean removed) {
        this.removed = removed;
        this.regionId = lock.regionId();
        this.store = store;
        this.current = current;
        this.lastCheckpointVersion = lastCheckpointVersion;
        this.hooks = hooks;
        this.options = options;
        this.lock = lock;
    }

    /**
     * Creates the manifest of a new region in {@code directory}: version 1, a single
     * {@link ManifestAction.Change} with {@code metadata}. Hooks are notified of it like of any
     * other commit, after the lock is released.
     *
     * @throws IllegalStateException if the directory already holds a manifest
     */
    public static ManifestCommitter create(FileIO io, Path directory, RegionMetadata metadata, RegionHooks hooks,
            ManifestOptions options) {
        return create(io, directory, ManifestActionList.of(new ManifestAction.Change(metadata)), hooks, options);
    }

    /**
     * Creates the manifest of a new region with {@code creation} as version 1; its first action
     * must be the region's {@link ManifestAction.Change}.
     *
     * @throws IllegalStateException if the directory already holds a manifest
     */
    public static ManifestCommitter create(FileIO io, Path directory, ManifestActionList creation, RegionHooks hooks,
            ManifestOptions options) {
        if (!(creation.actions().get(0) instanceof ManifestAction.Change change)) {
            throw new IllegalArgumentException("A region's first manifest version must start with its metadata (CHANGE), got "
                    + creation.kinds());
        }
        RegionMetadata metadata = change.metadata();
        RegionId regionId = metadata.regionId();
        ManifestStore store = new ManifestStore(io, directory, regionId);
        ManifestLock lock = new ManifestLock(regionId);
        PendingManifestHook receipt;
        ManifestCommitter committer;
        try {
            if (store.exists()) {
                throw new IllegalStateException("Region " + regionId + " already has a manifest in " + directory);
            }
            store.createDirectory();
            store.writeDelta(1, creation);
            RegionManifestBuilder builder = RegionManifestBuilder.empty(regionId);
            builder.apply(1, creation);
            committer = new ManifestCommitter(store, builder.build(), 0, hooks, options, lock, false);
            receipt = new PendingManifestHook(regionId, creation.actions(), 1, 1, hooks, lock, committer);
        }
        catch (IOException e) {
            throw new RegionStorageException("Failed to create the manifest of region " + regionId + " in " + directory
                    + ": " + e, e);
        }
        // Hooks start the new region at version 1 (after the last events of a dropped one with its id).
        hooks.regionCreated(regionId);
        receipt.fire();
        return committer;
    }

    /**
     * Opens the manifest in {@code directory}: the newest checkpoint plus every later delta.
     *
     * @throws dev.regolith.engine.api.exceptions.RegionNotFoundException if there is none
     * @throws dev.regolith.engine.api.exceptions.CorruptedFileException if a file it needs is damaged
     */
    public static ManifestCommitter open(FileIO io, Path directory, RegionId regionId, RegionHooks hooks,
            ManifestOptions options) {
        ManifestStore store = new ManifestStore(io, directory, regionId);
        ManifestStore.Loaded loaded = store.load();
        return new ManifestCommitter(store, loaded.manifest(), loaded.checkpointVersion(), hooks, options,
                new ManifestLock(regionId), loaded.removed());
    }

    /**
     * Reads the manifest in {@code directory} without taking part in writing it (for followers and
     * tools).
     */
    public static RegionManifest read(FileIO io, Path directory, RegionId regionId) {
        return new ManifestStore(io, directory, regionId).load().manifest();
    }

    public RegionId regionId() {
        return regionId;
    }

    /** Whether the manifest read at open holds a committed {@code Remove}: the region was dropped. */
    public boolean isRemoved() {
        return removed;
    }

    /** The region's manifest write lock. */
    public ManifestLock lock() {
        return lock;
    }

    /** The latest committed state. Never blocks. */
    @Override
    public RegionManifest current() {
        return current;
    }

    /**
     * Commits {@code actions} as the next manifest version. The caller must hold {@link #lock()}
     * and must fire (or merge, or discard) the returned receipt after releasing it.
     *
     * @throws IllegalStateException if the lock is not held by the current thread, or an earlier
     *     commit ended in an unknown state (the region must be reopened)
     * @throws IllegalArgumentException if the actions do not apply to the current state; nothing
     *     is written
     * @throws RegionStorageException if the delta could not be written; nothing was committed
     * @throws CommitStateUnknownException if the delta may or may not have become durable
     */
    public PendingManifestHook commitLocked(ManifestActionList actions) {
        requireNonNull(actions, "actions is null");
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("Committing to the manifest of region " + regionId
                    + " requires its manifest write lock, which the current thread does not hold");
        }
        if (unknownState != null) {
            throw new IllegalStateException("Region " + regionId + " accepts no commits since a commit ended in an unknown "
                    + "state; reopen it", unknownState);
        }
        RegionManifest before = current;
        long version = before.manifestVersion() + 1;
        RegionManifestBuilder builder = RegionManifestBuilder.from(before);
        try {
            builder.apply(version, actions);
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid commit to region " + regionId + " at version " + version + ": "
                    + e.getMessage(), e);
        }
        RegionManifest after = builder.build();
        try {
            store.writeDelta(version, actions);
        }
        catch (PublishStateUnknownException e) {
            unknownState = new CommitStateUnknownException("Commit of region " + regionId + " version " + version
                    + " may or may not be durable (" + ManifestStore.deltaName(version) + "); keep the files it refers to "
                    + "and reopen the region", e);
            throw unknownState;
        }
        catch (IOException e) {
            throw new RegionStorageException("Failed to commit version " + version + " of region " + regionId + ": could not "
                    + "write " + store.directory().resolve(ManifestStore.deltaName(version)) + ": " + e, e);
        }
        current = after;
        maybeCheckpoint(after);
        return new PendingManifestHook(regionId, actions.actions(), version, version, hooks, lock, this);
    }

    /**
     * Takes the lock, commits {@code actions}, releases the lock and fires the receipt.
     *
     * @return the new manifest version
     */
    public long commit(ManifestActionList actions) {
        PendingManifestHook receipt;
        try (ManifestLock.Held held = lock.acquire()) {
            receipt = commitLocked(actions);
        }
        receipt.fire();
        return receipt.version();
    }

    /**
     * Rereads the manifest from disk, for a region that follows another writer of the same
     * directory. Produces no receipt: a follower authors no change and notifies nobody.
     */
    public RegionManifest refresh() {
        try (ManifestLock.Held held = lock.acquire()) {
            ManifestStore.Loaded loaded = store.load();
            current = loaded.manifest();
            lastCheckpointVersion = loaded.checkpointVersion();
            return current;
        }
    }

    /**
     * Keeps deltas from {@code floor.getAsLong()} on when checkpoints clean up (the oldest version
     * a hook still has to be delivered), but never more than
     * {@link ManifestOptions#maxRetainedDeltas()} versions behind the head: a hook further behind
     * gets a reconcile instead of the lost deltas.
     */
    public void setRetentionFloor(java.util.function.LongSupplier floor) {
        this.retentionFloor = requireNonNull(floor, "floor is null");
    }

    private long keepDeltasFrom(long head) {
        long floor = retentionFloor.getAsLong();
        return Math.max(floor, head - options.maxRetainedDeltas() + 1);
    }

    /** One committed version, read back for a hook that missed it. */
    public record CommittedVersion(long version, ManifestActionList actions) {
    }

    /**
     * The versions committed after {@code afterVersion}, up to the current one, read back from the
     * deltas on disk, in order; empty if there are none. Empty {@link Optional} if a delta in that
     * range is gone (a checkpoint replaced it): the caller then reconciles from {@link #current()}.
     */
    public Optional<List<CommittedVersion>> committedAfter(long afterVersion) {
        long head = current.manifestVersion();
        List<CommittedVersion> versions = new java.util.ArrayList<>();
        for (long version = afterVersion + 1; version <= head; version++) {
            Optional<ManifestActionList> actions = store.readDelta(version);
            if (actions.isEmpty()) {
                return Optional.empty();
            }
            versions.add(new CommittedVersion(version, actions.get()));
        }
        return Optional.of(versions);
    }

    @Override
    public Optional<List<ManifestAction>> actionsOf(long first, long last) {
        if (first < 1 || first > last || last > current.manifestVersion()) {
            throw new IllegalArgumentException("Cannot read versions " + first + " to " + last + " of region " + regionId
                    + ": it is at version " + current.manifestVersion());
        }
        List<ManifestAction> actions = new java.util.ArrayList<>();
        for (long version = first; version <= last; version++) {
            Optional<ManifestActionList> delta = store.readDelta(version);
            if (delta.isEmpty()) {
                return Optional.empty();
            }
            actions.addAll(delta.get().actions());
        }
        return Optional.of(actions);
    }

    /** A receipt that owes nothing, to start a {@link PendingManifestHook#merge} chain with. */
    public PendingManifestHook emptyReceipt() {
        return PendingManifestHook.empty(regionId, hooks, lock, this);
    }

    /** The version of the newest durable checkpoint, 0 if none. */
    public long lastCheckpointVersion() {
        try (ManifestLock.Held held = lock.acquire()) {
            return lastCheckpointVersion;
        }
    }

    /** How many checkpoints failed (and were retried at a later commit) since open. */
    public long checkpointFailures() {
        return checkpointFailures.sum();
    }

    private void maybeCheckpoint(RegionManifest manifest) {
        if (manifest.manifestVersion() - lastCheckpointVersion < options.checkpointDistance()) {
            return;
        }
        try {
            store.writeCheckpoint(manifest);
            lastCheckpointVersion = manifest.manifestVersion();
        }
        catch (IOException | RuntimeException e) {
            checkpointFailures.increment();
            log.warn("Checkpoint of region {} at version {} failed; the deltas stay and the next commit retries", regionId,
                    manifest.manifestVersion(), e);
            return;
        }
        try {
            store.deleteObsolete(lastCheckpointVersion, keepDeltasFrom(manifest.manifestVersion()));
        }
        catch (IOException | RuntimeException e) {
            log.warn("Cleanup after checkpoint {} of region {} failed; the next checkpoint retries", lastCheckpointVersion,
                    regionId, e);
        }
    }
}
