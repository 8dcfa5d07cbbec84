package dev.regolith.engine.manifest;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.hook.ManifestHistory;
import dev.regolith.engine.hook.RegionHooks;
import java.util.ArrayList;
import java.util.List;

/**
 * The receipt of a committed manifest change: the {@code onManifestUpdated} notification it owes
 * the region's hooks, deferred until the manifest write lock is released.
 *
 * <p>Only {@link ManifestCommitter#commitLocked} creates receipts. Each receipt is used exactly
 * once: {@link #fire() fired}, {@link #merge merged} into another, or {@link #discard()
 * discarded}. Using it a second time throws {@link IllegalStateException}; one that is
 * garbage-collected unused is reported as a leak (see {@link ReceiptLeaks}).
 *
 * <p>Receipts are not thread-safe; hand one between threads only with a happens-before edge.
 */
public final class PendingManifestHook {

    /** The version of an empty receipt: lower than any committed version. */
    static final long NO_VERSION = 0;

    private final RegionId regionId;
    private final List<ManifestAction> actions;
    private final long firstVersion;
    private final long version;
    private final RegionHooks hooks;
    private final ManifestLock lock;
    /** Where hooks read these versions back if they do not keep them in memory. */
    private final ManifestHistory history;
    private final ReceiptLeaks.State state;
    private final ReceiptLeaks.Tracker tracker;

    PendingManifestHook(RegionId regionId, List<ManifestAction> actions, long firstVersion, long version, RegionHooks hooks,
            ManifestLock lock, ManifestHistory history) {
        this.regionId = requireNonNull(regionId, "regionId is null");
        this.actions = requireNonNull(actions, "actions is null");
        this.firstVersion = firstVersion;
        this.version = version;
        this.hooks = requireNonNull(hooks, "hooks is null");
        this.lock = requireNonNull(lock, "lock is null");
        this.history = requireNonNull(history, "history is null");
        this.state = new ReceiptLeaks.State(regionId, version);
        this.tracker = ReceiptLeaks.track(this, state);
    }

    /** A receipt that owes nothing: the identity of {@link #merge}. */
    static PendingManifestHook empty(RegionId regionId, RegionHooks hooks, ManifestLock lock, ManifestHistory history) {
        return new PendingManifestHook(regionId, List.of(), NO_VERSION, NO_VERSION, hooks, lock, history);
    }

    public RegionId regionId() {
        return regionId;
    }

    /** The committed actions this receipt covers, in commit order; empty for an empty receipt. */
    public List<ManifestAction> actions() {
        return actions;
    }

    /** The first manifest version this receipt covers, or 0 if it is empty. */
    public long firstVersion() {
        return firstVersion;
    }

    /** The manifest version after the last commit this receipt covers, or 0 if it is empty. */
    public long version() {
        return version;
    }

    public boolean isEmpty() {
        return actions.isEmpty();
    }

    /**
     * Combines this receipt and {@code other}, the receipt of the commits right after this one's,
     * into one that notifies once: this receipt's actions followed by {@code other}'s, covering
     * both version ranges. Merging is associative, and a merge with an empty receipt returns the
     * other receipt unchanged. Both inputs are used up.
     *
     * <p>Only adjacent receipts merge: a merged receipt that spanned a version committed by
     * another thread would claim that thread's version too, and hooks deliver every version
     * exactly once per receipt.
     *
     * @throws IllegalArgumentException if the receipts belong to different regions, or
     *     {@code other} does not start right after this receipt's last version; neither is then
     *     used up
     * @throws IllegalStateException if either receipt was already used
     */
    public PendingManifestHook merge(PendingManifestHook other) {
        if (!regionId.equals(other.regionId)) {
            throw new IllegalArgumentException("Cannot merge receipts of different regions: " + regionId + " (version "
                    + version + ") and " + other.regionId + " (version " + other.version + ")");
        }
        if (this == other) {
            throw new IllegalArgumentException("Cannot merge a receipt of region " + regionId + " with itself");
        }
        checkUnused("merge");
        other.checkUnused("merge");
        if (other.isEmpty()) {
            other.markUsed("merge");
            return this;
        }
        if (isEmpty()) {
            markUsed("merge");
            return other;
        }
        if (other.firstVersion != version + 1) {
            throw new IllegalArgumentException("Cannot merge the receipt of region " + regionId + " versions " + firstVersion
                    + " to " + version + " with versions " + other.firstVersion + " to " + other.version
                    + ": only a receipt that starts right after this one's last version merges into it");
        }
        markUsed("merge");
        other.markUsed("merge");
        List<ManifestAction> merged = new ArrayList<>(actions.size() + other.actions.size());
        merged.addAll(actions);
        merged.addAll(other.actions);
        return new PendingManifestHook(regionId, List.copyOf(merged), firstVersion, other.version, hooks, lock, history);
    }

    /**
     * Hands {@code onManifestUpdated} to every hook's dispatcher and returns at once: the hooks
     * run later, on their own threads, in version order. Does nothing (and allocates nothing)
     * when the region has no hooks or the receipt is empty. Never throws once the receipt is
     * used.
     *
     * @throws IllegalStateException if the current thread holds the region's manifest write lock,
     *     or the receipt was already used; in the first case the receipt stays usable
     */
    public void fire() {
        if (lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("Receipt of region " + regionId + " version " + version
                    + " fired while the manifest write lock is held: hooks never run under the lock, release it first");
        }
        markUsed("fire");
        if (actions.isEmpty() || hooks.isEmpty()) {
            return;
        }
        // The event itself is built on the hooks' fan-out thread: the committer only hands over what it has.
        hooks.deliverCommitted(regionId, actions, firstVersion, version, history);
    }

    /**
     * Gives the receipt up without notifying anyone. For paths that learn, after committing, that
     * the notification is owed elsewhere; the commit itself stays committed. The hooks are told
     * that these versions will not come, so later versions are not held back waiting for them
     * (and a restart delivers them again from the manifest, at least once).
     *
     * @throws IllegalStateException if the receipt was already used
     */
    public void discard() {
        markUsed("discard");
        if (!actions.isEmpty() && !hooks.isEmpty()) {
            hooks.skip(regionId, firstVersion, version);
        }
    }

    private void checkUnused(String operation) {
        if (state.get()) {
            throw new IllegalStateException("Cannot " + operation + " the receipt of region " + regionId + " version "
                    + version + ": it was already fired, merged or discarded");
        }
    }

    private void markUsed(String operation) {
        if (!state.compareAndSet(false, true)) {
            checkUnused(operation);
        }
        if (tracker != null) {
            tracker.close();
        }
    }

    @Override
    public String toString() {
        return "PendingManifestHook[region=" + regionId + ", versions=" + firstVersion + ".." + version + ", actions="
                + actions.size() + (state.get() ? ", used]" : "]");
    }
}
