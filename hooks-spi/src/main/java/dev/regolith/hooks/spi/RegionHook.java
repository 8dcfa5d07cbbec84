package dev.regolith.hooks.spi;

/**
 * A plugin that is told when a region's SST files are written and when its manifest changes.
 *
 * <p>Hook jars register implementations through {@link java.util.ServiceLoader}: a file
 * {@code META-INF/services/dev.regolith.hooks.spi.RegionHook} that names the class, which needs a
 * public no-argument constructor. Every method has a default, so a hook overrides only what it
 * needs and keeps working when methods are added to this interface.
 *
 * <p>Deployed in an engine's hooks directory ({@code hooks.dir}), a hook jar (with the libraries
 * it bundles) gets a class loader of its own that shares only this package and
 * {@code dev.regolith.engine.api} with the engine, and must declare the SPI version it was built
 * against (see {@link HooksSpi}). Every call into the hook runs with that class loader as the
 * thread's context class loader. {@code dev.regolith.testkit.HookTestKit} (in engine-core) runs a
 * hook on a real region in a test.
 *
 * <h2>Lifecycle</h2>
 * The engine instantiates each hook once, calls {@link #init(HookContext)} once before any event,
 * delivers events, and calls {@link #close()} once when the engine shuts down. Hooks are ordered by
 * {@link #priority()} (ascending), then by {@link #name()}; names must be unique within an engine.
 *
 * <h2>Delivery guarantees</h2>
 * Each hook has its own threads; the engine only hands it events. In detail (see
 * {@code docs/hooks.md} for the configuration keys):
 * <ol>
 *   <li><b>Order.</b> For each (hook, region), {@link #onManifestUpdated} (and
 *       {@link #onReconcile}) come in strictly increasing manifest version, without gaps, one
 *       callback at a time. The lifecycle callbacks ({@link #onRegionOpened},
 *       {@link #onRegionClosed}, {@link #onRegionDropped}, {@link #onFilesRemoved}) take their
 *       place in the same per-region stream. Different regions are delivered in parallel, so an
 *       implementation must be thread-safe across regions.</li>
 *   <li><b>No loss, at least once.</b> The engine keeps a durable cursor per (hook, region): the
 *       last version delivered. When a region is opened, every version committed after the cursor
 *       is delivered again from the manifest on disk, so after a crash a hook may see a version
 *       twice: de-duplicate with {@link ManifestUpdatedEvent#idempotencyKey()} or the last version
 *       applied. A hook further behind than the manifest keeps deltas gets one
 *       {@link #onReconcile} instead.</li>
 *   <li><b>Never blocks the engine.</b> A commit only queues its notification. Each hook's queue
 *       is bounded: when it is full, a region's pending events are merged into one that covers
 *       several versions (nothing is dropped). So is the memory it holds: past a bound, pending
 *       versions keep only their range and their actions are read back from the manifest when
 *       delivered, or replaced by one {@link #onReconcile} if the manifest no longer has
 *       them.</li>
 *   <li><b>Never breaks the engine.</b> An exception (or error other than
 *       {@link VirtualMachineError}) from a callback is caught; the event is retried with
 *       exponential backoff up to a limit, then the hook is quarantined (receives nothing, keeps
 *       its cursors, one error logged) until it is re-enabled. A callback that overruns its
 *       deadline is reported as slow, not interrupted, and holds up nothing but this hook's
 *       region.</li>
 *   <li>{@link #onSstFilesWritten} runs before the commit, outside every lock, on the hook's own
 *       thread, and the flush waits for it at most the deadline; its failure never fails the
 *       flush.</li>
 * </ol>
 *
 * <h2>Threading and locks</h2>
 * No engine lock is held while a callback runs, and callbacks never run on an engine thread. A
 * callback may therefore read the region, write to it, flush it, or wait for another thread that
 * does. It must not wait for the engine to drain or close its hooks: that would wait for the
 * callback itself.
 *
 * <h2>Coverage</h2>
 * Which operations fire which callback, how often, and with which action kinds (a test runs every
 * row on a real region and checks exactly this).
 * <table>
 *   <caption>Callbacks fired per operation</caption>
 *   <tr><th>Operation</th><th>onSstFilesWritten</th><th>onManifestUpdated</th><th>other callbacks</th></tr>
 *   <tr><td>Create region</td><td>-</td><td>once: CHANGE, EDIT (the WAL position it starts at)</td>
 *       <td>onRegionOpened</td></tr>
 *   <tr><td>Flush</td><td>once, FLUSH, before the commit</td><td>once: EDIT</td><td>-</td></tr>
 *   <tr><td>Local compaction</td><td>once, COMPACTION, before the commit</td><td>once: EDIT</td>
 *       <td>onFilesRemoved once the inputs are deleted (after the last scan reading them closes)</td></tr>
 *   <tr><td>TTL expiry</td><td>-</td><td>once: EDIT</td><td>onFilesRemoved, as above</td></tr>
 *   <tr><td>Alter</td><td>as a flush, if rows were unflushed</td><td>once: CHANGE (after the flush's EDIT)</td>
 *       <td>-</td></tr>
 *   <tr><td>Truncate</td><td>-</td><td>once: TRUNCATE</td><td>onFilesRemoved, as above, if it had files</td></tr>
 *   <tr><td>Index build</td><td>- (index files only)</td><td>once: EDIT</td><td>-</td></tr>
 *   <tr><td>Region edit / bulk ingest</td><td>- (files written elsewhere, copied in)</td><td>once: EDIT</td><td>-</td></tr>
 *   <tr><td>Copy region</td><td>- (rows copied from the other region's files)</td><td>once: EDIT</td><td>-</td></tr>
 *   <tr><td>Enter staging</td><td>as a flush, if rows were unflushed</td><td>- (the staging manifest is invisible)</td><td>-</td></tr>
 *   <tr><td>Flush while staging</td><td>once, FLUSH</td><td>- (committed to the staging manifest)</td><td>-</td></tr>
 *   <tr><td>Staging apply</td><td>as a staged flush, if rows were unflushed</td><td>once: every staged action (PARTITION_EXPR_CHANGE, the staged EDITs), merged</td><td>-</td></tr>
 *   <tr><td>Staging discard</td><td>-</td><td>-</td><td>- (staged files never reached a manifest reader)</td></tr>
 *   <tr><td>Follower open, sync, close</td><td>-</td><td>- (followers author no change)</td><td>- (no hook fires on a follower)</td></tr>
 *   <tr><td>Checkpoint, manifest cleanup</td><td>-</td><td>- (not a logical change)</td><td>-</td></tr>
 *   <tr><td>Drop region</td><td>-</td><td>once: REMOVE</td><td>onRegionDropped, after the directory is deleted</td></tr>
 *   <tr><td>Open region (WAL replay)</td><td>-</td><td>- (only versions the hook missed, see Delivery guarantees)</td><td>onRegionOpened, with the manifest state</td></tr>
 *   <tr><td>Close region</td><td>-</td><td>-</td><td>onRegionClosed</td></tr>
 *   <tr><td>Failed flush, compaction or commit</td><td>possibly (files then deleted)</td><td>-</td><td>-</td></tr>
 * </table>
 */
public interface RegionHook extends AutoCloseable {

    /**
     * The hook's stable name: it keys the hook's configuration ({@code hooks.<name>.*}), its
     * metrics and its log lines, so it must not change between releases of a hook jar. Letters,
     * digits, {@code .}, {@code _}, {@code $} and {@code -} only. Defaults to the implementing
     * class's name; override it with something short, since it is part of option keys.
     */
    default String name() {
        return getClass().getName();
    }

    /** Delivery order among hooks: lower first; ties are broken by {@link #name()}. Default 0. */
    default int priority() {
        return 0;
    }

    /**
     * Called once, before any event, with the hook's configuration. A hook that throws here is
     * not installed (or, with strict hook loading, fails engine start).
     */
    default void init(HookContext context) {
    }

    /**
     * SST data files were physically written by a flush or a compaction; the manifest commit that
     * makes them live has not happened yet and may still fail, in which case the files are
     * deleted and no {@link #onManifestUpdated} names them.
     */
    default void onSstFilesWritten(SstFilesWrittenEvent event) {
    }

    /**
     * A logical change to a region's manifest was committed durably. Fired after the manifest
     * write lock is released; never for checkpoints, manifest cleanup, follower sync or failed
     * commits.
     */
    default void onManifestUpdated(ManifestUpdatedEvent event) {
    }

    /**
     * The hook fell further behind a region than the manifest keeps deltas for (see
     * {@link ReconcileEvent}): instead of the versions it missed, it gets the whole manifest state
     * once, in their place in the region's order. It comes when a region is opened (an
     * {@link #onRegionOpened} with the same state then follows), and also while the region is
     * open, when this hook lags so far behind the commits that the versions it has yet to be
     * delivered are gone from the manifest by its turn. A hook that keeps state derived from the
     * files must therefore implement it.
     */
    default void onReconcile(ReconcileEvent event) {
    }

    /**
     * A region was created or opened (after a create, this follows the version-1
     * {@link #onManifestUpdated}). Carries the whole manifest state for reconciling.
     */
    default void onRegionOpened(RegionOpenedEvent event) {
    }

    /** A region was closed; its data stays and it may be opened again. */
    default void onRegionClosed(RegionClosedEvent event) {
    }

    /** A region was dropped: its {@code Remove} was committed and its directory deleted. */
    default void onRegionDropped(RegionDroppedEvent event) {
    }

    /** SST files (and their index files) removed from a region were deleted from disk. */
    default void onFilesRemoved(FilesRemovedEvent event) {
    }

    /**
     * Called once when the engine shuts down, after the engine gave the hook a bounded time to
     * catch up; no event is delivered afterwards.
     */
    @Override
    default void close() {
    }
}
