package dev.regolith.engine;

import dev.regolith.engine.api.AlterRequest;
import dev.regolith.engine.api.Engine;
import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.HookMetrics;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.RegionRole;
import dev.regolith.engine.api.RegionScanner;
import dev.regolith.engine.api.ScanRequest;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.api.exceptions.RegionNotFoundException;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.hook.HookLoadOptions;
import dev.regolith.engine.hook.HookLoader;
import dev.regolith.engine.hook.HookMBeans;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.manifest.ManifestCommitter;
import dev.regolith.engine.memtable.WriteBuffer;
import dev.regolith.engine.region.Region;
import dev.regolith.engine.sst.SstWriteOptions;
import dev.regolith.engine.wal.Wal;
import dev.regolith.engine.wal.WalOptions;
import dev.regolith.hooks.spi.RegionClosedEvent;
import dev.regolith.hooks.spi.RegionDroppedEvent;
import dev.regolith.hooks.spi.RegionOpenedEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Regolith's {@link Engine}: regions in one data directory, one shared WAL in {@code wal/}, one
 * engine-wide write buffer, background flushes, and the installed hooks.
 *
 * <pre>
 * {data directory}/
 *   wal/                          WAL segments shared by all regions
 *   1024_0000000001/              one directory per region
 *     manifest/                   deltas, checkpoints, _last_checkpoint
 *     {file id}.parquet           SST files
 * </pre>
 */
public final class RegolithEngine implements Engine {

    private static final Logger log = LoggerFactory.getLogger(RegolithEngine.class);

    private final Path dataDirectory;
    private final FileIO io;
    private final Wal wal;
    private final RegionHooks hooks;
    private final WriteBuffer writeBuffer;
    private final Region.RegionSettings regionSettings;
    private final ConcurrentHashMap<RegionId, Region> regions = new ConcurrentHashMap<>();
    private final Set<RegionId> flushesQueued = ConcurrentHashMap.newKeySet();
    private final ExecutorService flushExecutor;
    private final ExecutorService compactionExecutor;
    private final Set<RegionId> compactionsQueued = ConcurrentHashMap.newKeySet();
    private final Set<RegionId> creating = ConcurrentHashMap.newKeySet();
    private final boolean autoCompaction;
    private final boolean autoIndex;
    private final Set<RegionId> indexBuildsQueued = ConcurrentHashMap.newKeySet();
    private final Duration hookCloseTimeout;
    private final HookMBeans hookBeans;
    private volatile boolean closed;

    private RegolithEngine(EngineOptions options, RegionHooks hooks) {
        EngineSettings settings = EngineSettings.of(options);
        this.dataDirectory = options.dataDirectory().toAbsolutePath();
        this.io = new LocalFileIO();
        this.hooks = hooks;
        AtomicInteger threads = new AtomicInteger();
        this.flushExecutor = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "regolith-flush-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.autoCompaction = settings.autoCompaction();
        this.autoIndex = settings.autoIndex();
        this.compactionExecutor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "regolith-compaction");
            thread.setDaemon(true);
            return thread;
        });
        this.writeBuffer = new WriteBuffer(settings.writeBufferBytes(), Duration.ofSeconds(30), this::flushLargestRegion);
        this.regionSettings = new Region.RegionSettings(settings.regionMemtableBytes(),
                SstWriteOptions.DEFAULT.withCodec(SstWriteOptions.Codec.valueOf(settings.sstCompression().toUpperCase()))
                        .withRowGroupRows(settings.sstRowGroupRows()),
                settings.manifestOptions(), settings.compactionOptions(), this::scheduleFlush, this::scheduleCompaction,
                this::scheduleIndexBuild);
        try {
            io.createDirectories(dataDirectory);
        }
        catch (IOException e) {
            throw new RegionStorageException("Cannot create the data directory " + dataDirectory + ": " + e, e);
        }
        WalOptions.SyncMode sync = WalOptions.SyncMode.valueOf(settings.walSync().toUpperCase());
        sweepDroppedRegions();
        Path walDirectory = settings.walDirectory().map(Path::of).map(dataDirectory::resolve).orElse(dataDirectory.resolve("wal"));
        this.wal = Wal.open(io, walDirectory, new WalOptions(sync, settings.walSyncInterval(),
                settings.walSegmentBytes()));
        releaseEntriesOfRegionsGone();
        this.hookCloseTimeout = settings.hookCloseTimeout();
        hooks.startCursorPersistence(settings.hookCursorInterval());
        this.hookBeans = HookMBeans.register(dataDirectory, hooks);
    }

    /**
     * Entries of regions that no longer exist (dropped) would otherwise keep their WAL segments
     * forever: the WAL's flushed marks live in memory only. A region created later with the same id
     * starts after the WAL's current position, so these entries can never replay into it.
     */
    private void releaseEntriesOfRegionsGone() {
        for (RegionId id : wal.regions()) {
            try {
                if (!io.exists(regionDirectory(id).resolve("manifest"))) {
                    wal.obsolete(id, wal.lastEntryId());
                }
            }
            catch (IOException e) {
                log.warn("Could not check whether region {} still exists; its WAL entries are kept", id, e);
            }
        }
    }

    private void sweepDroppedRegions() {
        try {
            for (String name : io.list(dataDirectory)) {
                if (name.startsWith(Region.DROPPED_PREFIX)) {
                    Region.deleteTree(io, dataDirectory.resolve(name));
                }
            }
        }
        catch (IOException e) {
            log.warn("Could not look for dropped region directories in {}", dataDirectory, e);
        }
    }

    /**
     * Opens an engine in {@code options.dataDirectory()}, with the hooks found on the class path
     * and, if the option {@code hooks.dir} is set, the plugins in that directory (each with its
     * own class loader).
     */
    public static RegolithEngine open(EngineOptions options) {
        RegionHooks hooks = HookLoader.load(HookLoadOptions.forEngine(options));
        try {
            return open(options, hooks);
        }
        catch (RuntimeException | Error e) {
            hooks.close(Duration.ZERO);
            throw e;
        }
    }

    /** Opens an engine with the given, already loaded hooks. */
    public static RegolithEngine open(EngineOptions options, RegionHooks hooks) {
        return new RegolithEngine(options, hooks);
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public RegionHooks hooks() {
        return hooks;
    }

    @Override
    public void createRegion(RegionMetadata metadata) {
        checkOpen();
        RegionId id = metadata.regionId();
        if (!creating.add(id)) {
            throw new IllegalStateException("Region " + id + " is being created by another caller");
        }
        try {
            if (regions.containsKey(id)) {
                throw new IllegalStateException("Region " + id + " already exists and is open");
            }
            finishInterruptedDrop(id);
            // Creating the manifest fails if the region exists on disk.
            install(Region.create(metadata, regionDirectory(id), io, wal, hooks, writeBuffer, regionSettings));
        }
        finally {
            creating.remove(id);
        }
    }

    /** A region whose removal committed but whose directory a crash kept: finish deleting it. */
    private void finishInterruptedDrop(RegionId id) {
        Path directory = regionDirectory(id);
        try {
            if (!io.exists(directory.resolve("manifest")) || !ManifestCommitter.open(io, directory.resolve("manifest"), id,
                    RegionHooks.none(), regionSettings.manifestOptions()).isRemoved()) {
                return;
            }
        }
        catch (IOException | RuntimeException e) {
            return; // not a dropped region: creating it reports what is there
        }
        Region.deleteDropped(io, directory);
    }

    @Override
    public void openRegion(RegionId id) {
        openRegion(id, RegionRole.LEADER);
    }

    @Override
    public void openRegion(RegionId id, RegionRole role) {
        checkOpen();
        if (regions.containsKey(id)) {
            return;
        }
        install(role == RegionRole.FOLLOWER
                ? Region.openFollower(id, regionDirectory(id), io, wal, hooks, writeBuffer, regionSettings)
                : Region.open(id, regionDirectory(id), io, wal, hooks, writeBuffer, regionSettings));
        if (role == RegionRole.DOWNGRADING_LEADER) {
            regions.get(id).setRole(role);
        }
    }

    private void install(Region region) {
        if (regions.putIfAbsent(region.id(), region) != null) {
            region.close(); // another caller opened it first
            return;
        }
        if (region.role() != RegionRole.FOLLOWER) { // followers author nothing and notify nobody
            hooks.deliverRegionOpened(new RegionOpenedEvent(region.id(), region.manifest()));
        }
    }

    @Override
    public void setRole(RegionId id, RegionRole role) {
        Region region = region(id);
        if (region.role() == RegionRole.FOLLOWER && role != RegionRole.FOLLOWER) {
            closeRegion(id);
            openRegion(id, role);
            return;
        }
        region.setRole(role);
    }

    @Override
    public RegionRole role(RegionId id) {
        return region(id).role();
    }

    @Override
    public void syncRegion(RegionId id) {
        region(id).sync();
    }

    @Override
    public void closeRegion(RegionId id) {
        Region region = regions.remove(id);
        if (region == null) {
            throw new RegionNotFoundException(id, "it is not open");
        }
        region.close();
        if (region.role() != RegionRole.FOLLOWER) {
            hooks.deliverRegionClosed(new RegionClosedEvent(id, region.manifest().manifestVersion()));
        }
    }

    @Override
    public void dropRegion(RegionId id) {
        Region region = region(id);
        long version = region.commitRemoval();
        regions.remove(id, region);
        region.close();
        hooks.forget(id); // no cursor is written into the directory being deleted
        Region.deleteDropped(io, regionDirectory(id));
        hooks.deliverRegionDropped(new RegionDroppedEvent(id, version));
    }

    @Override
    public List<FileMeta> ingest(RegionId id, List<Path> files) {
        return region(id).ingest(files);
    }

    @Override
    public List<FileMeta> copyRegion(RegionId source, RegionId target) {
        Region into = region(target);
        Region from = regions.get(source);
        if (from != null) {
            // Held, so a compaction of the open source cannot delete a file the copy is reading.
            return from.withLiveFiles(manifest -> into.copyFrom(manifest, regionDirectory(source)));
        }
        RegionManifest manifest = ManifestCommitter.read(io, regionDirectory(source).resolve("manifest"), source);
        return into.copyFrom(manifest, regionDirectory(source));
    }

    @Override
    public void enterStaging(RegionId id, java.util.Optional<String> partitionExpr) {
        region(id).enterStaging(partitionExpr);
    }

    @Override
    public void applyStaging(RegionId id) {
        region(id).applyStaging();
    }

    @Override
    public void discardStaging(RegionId id) {
        region(id).discardStaging();
    }

    @Override
    public void buildIndexes(RegionId id) {
        region(id).buildIndexes();
    }

    @Override
    public void alter(RegionId id, AlterRequest request) {
        region(id).alter(request);
    }

    @Override
    public void truncate(RegionId id) {
        region(id).truncate();
    }

    @Override
    public void compact(RegionId id) {
        Region region = region(id);
        region.expire(System.currentTimeMillis());
        region.compact();
    }

    @Override
    public List<RegionId> openRegions() {
        return regions.keySet().stream().sorted().toList();
    }

    @Override
    public List<RegionId> listRegions() {
        List<RegionId> found = new ArrayList<>();
        try {
            for (String name : io.list(dataDirectory)) {
                RegionId id;
                try {
                    id = RegionId.parse(name);
                }
                catch (IllegalArgumentException e) {
                    continue; // wal/ and anything else that is not a region
                }
                if (Files.isDirectory(dataDirectory.resolve(name).resolve("manifest"))) {
                    found.add(id);
                }
            }
        }
        catch (IOException e) {
            throw new RegionStorageException("Cannot list regions in " + dataDirectory + ": " + e, e);
        }
        found.sort(Comparator.naturalOrder());
        return found;
    }

    @Override
    public long write(RegionId id, WriteBatch batch) {
        return region(id).write(batch);
    }

    @Override
    public void flush(RegionId id) {
        region(id).flush();
    }

    @Override
    public RegionScanner scan(RegionId id, ScanRequest request) {
        return region(id).scan(request);
    }

    @Override
    public RegionManifest manifest(RegionId id) {
        return region(id).manifest();
    }

    /** The open region {@code id}. */
    public Region region(RegionId id) {
        checkOpen();
        Region region = regions.get(id);
        if (region == null) {
            throw new RegionNotFoundException(id, "it is not open in " + dataDirectory);
        }
        return region;
    }

    private Path regionDirectory(RegionId id) {
        return dataDirectory.resolve(Region.directoryName(id));
    }

    private void scheduleFlush(Region region) {
        if (closed || !flushesQueued.add(region.id())) {
            return;
        }
        flushExecutor.execute(() -> {
            try {
                if (!closed && regions.get(region.id()) == region) {
                    region.flush();
                }
            }
            catch (RuntimeException | LinkageError e) {
                log.warn("Background flush of region {} failed; its memtable stays and the next flush retries", region.id(), e);
            }
            finally {
                flushesQueued.remove(region.id());
            }
        });
    }

    private void scheduleCompaction(Region region) {
        if (closed || !autoCompaction || !compactionsQueued.add(region.id())) {
            return;
        }
        compactionExecutor.execute(() -> {
            try {
                if (!closed && regions.get(region.id()) == region) {
                    region.compact();
                }
            }
            catch (RuntimeException | LinkageError e) {
                log.warn("Background compaction of region {} failed; its inputs stay and a later compaction retries",
                        region.id(), e);
            }
            finally {
                compactionsQueued.remove(region.id());
            }
        });
    }

    private void scheduleIndexBuild(Region region) {
        if (closed || !autoIndex || !indexBuildsQueued.add(region.id())) {
            return;
        }
        compactionExecutor.execute(() -> {
            try {
                if (!closed && regions.get(region.id()) == region) {
                    region.buildIndexes();
                }
            }
            catch (RuntimeException | LinkageError e) {
                log.warn("Background index build of region {} failed; scans prune with statistics until a later build",
                        region.id(), e);
            }
            finally {
                indexBuildsQueued.remove(region.id());
            }
        });
    }

    private void flushLargestRegion() {
        regions.values().stream()
                .max(Comparator.comparingLong(Region::memtableBytes))
                .filter(region -> region.memtableBytes() > 0)
                .ifPresent(this::scheduleFlush);
    }

    @Override
    public boolean drainHooks(Duration timeout) {
        return hooks.drain(timeout);
    }

    @Override
    public List<HookMetrics> hookMetrics() {
        return hooks.metrics();
    }

    @Override
    public void reenableHook(String hookName) {
        if (!hooks.reenable(hookName)) {
            throw new IllegalArgumentException("No hook named " + hookName + " is installed; the hooks are " + hooks.names());
        }
    }

    /** Writes every hook cursor that moved now, instead of at the next interval. */
    public void persistHookCursors() {
        hooks.persistCursors();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("The engine in " + dataDirectory + " is closed");
        }
    }

    /**
     * Stops this engine as if its process were killed, for crash tests in one JVM: nothing is
     * flushed, the hooks are neither drained nor closed and their cursors are not written, so what
     * they had not been delivered comes again when the regions are next opened. Only the file
     * handles and threads are released, so that the directory can be opened again. Writes
     * acknowledged before the call are in the WAL and replay at the next open.
     */
    public void halt() {
        if (closed) {
            return;
        }
        closed = true;
        hooks.halt();
        flushExecutor.shutdownNow();
        compactionExecutor.shutdownNow();
        try {
            if (!flushExecutor.awaitTermination(60, TimeUnit.SECONDS)
                    || !compactionExecutor.awaitTermination(60, TimeUnit.SECONDS)) {
                log.warn("A background flush or compaction did not stop within 60 s of halt");
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            for (RegionId id : openRegions()) {
                Region region = regions.remove(id);
                if (region != null) {
                    try {
                        region.close();
                    }
                    catch (RuntimeException e) {
                        log.warn("Releasing region {} at halt failed", id, e);
                    }
                }
            }
        }
        finally {
            try {
                wal.close();
            }
            finally {
                hookBeans.close();
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        flushExecutor.shutdown();
        compactionExecutor.shutdown();
        try {
            if (!flushExecutor.awaitTermination(60, TimeUnit.SECONDS)) {
                log.warn("Background flushes did not finish within 60 s; their data replays from the WAL at the next open");
            }
            if (!compactionExecutor.awaitTermination(60, TimeUnit.SECONDS)) {
                log.warn("A background compaction or index build did not finish within 60 s; regions wait for it as they close");
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            for (RegionId id : openRegions()) {
                Region region = regions.remove(id);
                if (region == null) {
                    continue; // closed concurrently
                }
                try {
                    region.close();
                    if (region.role() != RegionRole.FOLLOWER) {
                        hooks.deliverRegionClosed(new RegionClosedEvent(id, region.manifest().manifestVersion()));
                    }
                }
                catch (RuntimeException e) {
                    log.warn("Closing region {} failed; its data replays from the WAL at the next open", id, e);
                }
            }
        }
        finally {
            try {
                wal.close();
            }
            finally {
                try {
                    hooks.close(hookCloseTimeout);
                }
                finally {
                    hookBeans.close();
                }
            }
        }
    }
}
