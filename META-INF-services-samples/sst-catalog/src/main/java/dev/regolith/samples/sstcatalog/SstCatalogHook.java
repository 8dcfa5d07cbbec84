package dev.regolith.samples.sstcatalog;

import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.hooks.spi.HookContext;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.ReconcileEvent;
import dev.regolith.hooks.spi.RegionDroppedEvent;
import dev.regolith.hooks.spi.RegionHook;
import dev.regolith.hooks.spi.RegionOpenedEvent;
import dev.regolith.hooks.spi.SstFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * Keeps, per region, a catalog of the region's live SST files, so that DuckDB (or any Parquet
 * reader) reads exactly the region's current data: {@code <dir>/<region>.json} lists the region's
 * columns and live files, and {@code <dir>/<region>.sql} is a DuckDB script that defines the view
 * {@code region_<region>} over exactly those files (see {@link DuckDbView}). Both files are
 * replaced atomically on every change.
 *
 * <p>Option ({@code hooks.sst-catalog.<key>}): {@code dir}, where the catalogs go (default
 * {@code regolith-sst-catalog} in the working directory).
 *
 * <p>Manifest updates are applied action by action; an update at or below the version of the
 * catalog (delivered again after a crash) changes nothing. After a restart the hook reads the
 * version back from the region's JSON file the first time it hears of the region.
 * {@link #onRegionOpened} and {@link #onReconcile} carry the whole manifest, from which the
 * catalog is rebuilt (and files deleted by hand are written again). An update that leaves a gap
 * after the catalog's version (the catalog files were lost, or put back from an old copy) makes
 * the hook delete the region's catalog, which would be wrong, until the next such rebuild.
 * Dropping the region deletes its catalog.
 * Thread-safe: regions are handled in parallel, each under its own lock.
 */
public final class SstCatalogHook implements RegionHook {

    public static final String NAME = "sst-catalog";
    /** Where the catalogs go when the {@code dir} option is not set, relative to the working directory. */
    public static final String DEFAULT_DIRECTORY = "regolith-sst-catalog";

    private static final System.Logger LOG = System.getLogger(SstCatalogHook.class.getName());

    private final ConcurrentMap<RegionId, RegionState> regions = new ConcurrentHashMap<>();
    private volatile CatalogDirectory directory;
    private volatile SstFiles sstFiles;

    /** What the hook knows of one region; guarded by its own monitor. */
    private static final class RegionState {
        /** Whether {@link #catalog} was read back from disk already. */
        boolean loaded;
        /** The catalog on disk; null if there is none. */
        RegionCatalog catalog;
        /** The version of the region's REMOVE once applied, until it is dropped; 0 before. */
        long removedVersion;
        /** Whether a gap was reported: the catalog waits for a whole manifest. */
        boolean gapReported;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void init(HookContext context) {
        String option = context.options().getOrDefault("dir", DEFAULT_DIRECTORY);
        Path root;
        try {
            if (option.isBlank()) {
                throw new InvalidPathException(option, "blank");
            }
            root = Path.of(option).toAbsolutePath().normalize();
        }
        catch (InvalidPathException e) {
            throw new IllegalArgumentException("Invalid hooks." + NAME + ".dir: '" + option + "' (expected a directory path: "
                    + e.getMessage() + ")", e);
        }
        try {
            Files.createDirectories(root);
        }
        catch (IOException e) {
            throw new UncheckedIOException("sst-catalog cannot create its directory " + root + " (hooks." + NAME + ".dir): "
                    + e, e);
        }
        sstFiles = context.sstFiles();
        directory = new CatalogDirectory(root);
    }

    /** The directory the catalogs are written to. */
    public Path directory() {
        return catalogDirectory().root();
    }

    /** Where the region's JSON catalog is (it may not exist). */
    public Path jsonFile(RegionId regionId) {
        return catalogDirectory().jsonFile(regionId);
    }

    /** Where the region's DuckDB script is (it may not exist). */
    public Path sqlFile(RegionId regionId) {
        return catalogDirectory().sqlFile(regionId);
    }

    @Override
    public void onManifestUpdated(ManifestUpdatedEvent event) {
        RegionId regionId = event.regionId();
        RegionState state = state(regionId);
        synchronized (state) {
            RegionCatalog current = load(state, regionId);
            long version = current != null ? current.manifestVersion() : state.removedVersion;
            if (event.manifestVersion() <= version) {
                return; // delivered again: already in the catalog
            }
            if (event.firstVersion() > version + 1) {
                reportGap(state, regionId, version, event);
                return;
            }
            // Versions firstVersion..version (if any) are in the catalog already; applying them again,
            // before the rest, changes nothing (see RegionCatalog.Builder#apply).
            RegionCatalog.Builder builder = current != null
                    ? new RegionCatalog.Builder(current, paths(regionId))
                    : new RegionCatalog.Builder(regionId, paths(regionId));
            for (ManifestAction action : event.actions().actions()) {
                builder.apply(action);
            }
            Optional<RegionCatalog> next = builder.build(event.manifestVersion());
            if (next.isPresent()) {
                store(state, next.get());
            }
            else {
                // REMOVE: the region's files are about to be deleted, and a view over them with them.
                catalogDirectory().delete(regionId);
                state.catalog = null;
                state.removedVersion = event.manifestVersion();
            }
        }
    }

    @Override
    public void onReconcile(ReconcileEvent event) {
        rebuild(event.manifest());
    }

    @Override
    public void onRegionOpened(RegionOpenedEvent event) {
        rebuild(event.manifest());
    }

    @Override
    public void onRegionDropped(RegionDroppedEvent event) {
        RegionId regionId = event.regionId();
        RegionState state = state(regionId);
        synchronized (state) {
            catalogDirectory().delete(regionId);
            // A region created again with this id starts over at version 1.
            regions.remove(regionId, state);
        }
    }

    @Override
    public void close() {
        regions.clear();
    }

    /**
     * A whole manifest is the region's state now: the catalog becomes its image, whatever version
     * the catalog was at. (The engine sends one only at open and instead of lost deltas; a catalog
     * at a higher version then belongs to an earlier region with the same id, dropped while this
     * hook was not running.)
     */
    private void rebuild(RegionManifest manifest) {
        RegionId regionId = manifest.regionId();
        RegionCatalog rebuilt = RegionCatalog.of(manifest, paths(regionId));
        RegionState state = state(regionId);
        synchronized (state) {
            if (!rebuilt.equals(load(state, regionId)) || !catalogDirectory().exists(regionId)) {
                store(state, rebuilt);
            }
            state.gapReported = false;
            state.removedVersion = 0;
        }
    }

    private RegionState state(RegionId regionId) {
        return regions.computeIfAbsent(regionId, id -> new RegionState());
    }

    /**
     * The catalog on disk, read back on the region's first event after a restart. The SQL file is
     * written again if it does not match the JSON (deleted by hand, or written by an older version
     * of this hook).
     */
    private RegionCatalog load(RegionState state, RegionId regionId) {
        if (state.loaded) {
            return state.catalog;
        }
        CatalogDirectory directory = catalogDirectory();
        RegionCatalog catalog = null;
        Optional<String> json = directory.readJson(regionId);
        if (json.isPresent()) {
            try {
                catalog = CatalogJson.read(json.get(), directory.jsonFile(regionId));
                if (!catalog.regionId().equals(regionId)) {
                    throw new IllegalArgumentException("Invalid SST catalog " + directory.jsonFile(regionId) + ": it is the "
                            + "catalog of region " + catalog.regionId());
                }
            }
            catch (IllegalArgumentException e) {
                LOG.log(Level.WARNING, e.getMessage() + "; sst-catalog ignores it and writes it again when the region is next "
                        + "opened");
                catalog = null;
            }
        }
        if (catalog != null) {
            String sql = DuckDbView.script(catalog);
            if (!directory.readSql(regionId).equals(Optional.of(sql))) {
                directory.writeSql(regionId, sql);
            }
        }
        state.catalog = catalog;
        state.loaded = true;
        return catalog;
    }

    private void store(RegionState state, RegionCatalog catalog) {
        catalogDirectory().write(catalog.regionId(), CatalogJson.write(catalog), DuckDbView.script(catalog));
        state.catalog = catalog;
        state.gapReported = false;
    }

    /**
     * The update does not follow the catalog: the versions between are lost to this hook. Rather
     * than leave a view that is wrong, delete the catalog; the region's next open rebuilds it.
     */
    private void reportGap(RegionState state, RegionId regionId, long version, ManifestUpdatedEvent event) {
        CatalogDirectory directory = catalogDirectory();
        directory.delete(regionId);
        state.catalog = null;
        if (!state.gapReported) {
            state.gapReported = true;
            LOG.log(Level.WARNING, "sst-catalog: the catalog of region " + regionId + " is at version " + version
                    + ", but the next update covers versions " + event.firstVersion() + " to " + event.manifestVersion()
                    + " (its catalog files in " + directory.root() + " were lost or replaced by older ones); deleted "
                    + directory.sqlFile(regionId).getFileName() + " and " + directory.jsonFile(regionId).getFileName()
                    + " until the region is opened again, which rebuilds them");
        }
    }

    private Function<FileId, Path> paths(RegionId regionId) {
        catalogDirectory(); // fails clearly before init
        SstFiles files = sstFiles;
        return fileId -> files.path(regionId, fileId);
    }

    private CatalogDirectory catalogDirectory() {
        CatalogDirectory directory = this.directory;
        if (directory == null) {
            throw new IllegalStateException("sst-catalog is not initialized: init was not called");
        }
        return directory;
    }
}
