package dev.regolith.samples.bloomindex;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestAction.Change;
import dev.regolith.engine.api.ManifestAction.Edit;
import dev.regolith.engine.api.ManifestAction.TruncatePartial;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.hooks.spi.HookContext;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.ReconcileEvent;
import dev.regolith.hooks.spi.RegionDroppedEvent;
import dev.regolith.hooks.spi.RegionHook;
import dev.regolith.hooks.spi.RegionOpenedEvent;
import dev.regolith.hooks.spi.SstFiles;
import dev.regolith.hooks.spi.SstFilesWrittenEvent;
import dev.regolith.hooks.spi.WrittenSstFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A secondary index: a bloom filter per SST file over one string column (usually a tag), in a
 * sidecar file {@code <dir>/<region>/<file>.bloom}, so that a reader can skip the SST files that
 * cannot hold a value (see {@link BloomIndex} and {@link BloomSidecar} for the format).
 *
 * <p>Options ({@code hooks.bloom-index.<key>}): {@code dir} (required: where the sidecars go,
 * outside the engine's region directories), {@code column} (required: the column to index) and
 * {@code fpp} (the false positive probability, between 0 and 1 exclusive, default 0.01).
 *
 * <p>The sidecars of a region follow its manifest: a sidecar is built when an SST file is written
 * ({@link #onSstFilesWritten}, before its commit) or, if that did not happen (bulk ingest, copy
 * region, a callback that overran its deadline), when a manifest update adds the file; it is
 * deleted when an update removes the file (compaction, TTL, truncate); and {@link #onReconcile}
 * and {@link #onRegionOpened} make the region's sidecars exactly its live files (building the
 * missing, rebuilding the damaged or those of another column, deleting the rest). Files whose
 * schema has no such column, or not as a string, get no sidecar.
 *
 * <p>Idempotent: each region remembers the last manifest version it applied and skips what is
 * not newer, an existing valid sidecar is never rewritten, and the files removed by applied
 * versions are remembered so that a late {@code onSstFilesWritten} cannot bring their sidecars
 * back. Thread-safe across regions: each region's work is done under its own lock. Sidecars are
 * replaced crash-safely (temporary file, fsync, atomic rename, fsync of the directory); after a
 * crash, the catch-up and {@code onRegionOpened} bring them in line again.
 */
public final class BloomIndexHook implements RegionHook {

    public static final String NAME = "bloom-index";
    /** The false positive probability without option {@code fpp}. */
    public static final double DEFAULT_FPP = 0.01;

    private static final System.Logger LOG = System.getLogger(BloomIndexHook.class.getName());
    private static final String TEMP_SUFFIX = ".tmp";
    /** Per region, how many removed files are remembered to refuse late {@code onSstFilesWritten}. */
    private static final int REMEMBERED_REMOVALS = 10_000;
    /** A file id no region has, to ask the engine where a region's SST files are. */
    private static final FileId PROBE_FILE = new FileId(new UUID(0, 0));

    private final ConcurrentMap<RegionId, RegionState> regions = new ConcurrentHashMap<>();
    private volatile Options options;

    /** What {@link #init} was given. */
    private record Options(Path dir, String column, double fpp, SstFiles sstFiles) {
    }

    /** What the hook knows of one region; guarded by itself. */
    private static final class RegionState {
        /** The last manifest version applied; 0 before the first. */
        long appliedVersion;
        /** The region's schema as of {@link #appliedVersion}, null while unknown (after a restart, before a CHANGE or open). */
        RegionMetadata metadata;
        /** Files that applied versions removed: their sidecars must not come back. Oldest forgotten first. */
        final Set<FileId> removed = Collections.newSetFromMap(new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<FileId, Boolean> eldest) {
                return size() > REMEMBERED_REMOVALS;
            }
        });
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void init(HookContext context) {
        Map<String, String> given = context.options();
        String column = required(given, "column", "the string (tag) column to index, for example host");
        Path dir = Path.of(required(given, "dir", "the directory for the sidecar files, outside the engine's data directory"))
                .toAbsolutePath().normalize();
        double fpp = parseFpp(given.get("fpp"));
        checkOutsideRegionDirectories(dir, context.sstFiles());
        try {
            Files.createDirectories(dir);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Invalid hooks.bloom-index.dir: cannot create " + dir + ": " + e.getMessage(), e);
        }
        options = new Options(dir, column, fpp, context.sstFiles());
        regions.clear();
    }

    /** The directory the sidecars are in ({@code <dir>/<region>/<file>.bloom}). */
    public Path dir() {
        return options().dir();
    }

    @Override
    public void onSstFilesWritten(SstFilesWrittenEvent event) {
        Options options = options();
        RegionId region = event.regionId();
        if (!indexable(event.metadata(), options.column())) {
            LOG.log(Level.INFO, "bloom-index: no sidecar for the " + event.files().size() + " SST file(s) just written in region "
                    + region + ": " + whyNotIndexable(event.metadata(), options.column()));
            return;
        }
        RegionState state = state(region);
        synchronized (state) {
            for (WrittenSstFile file : event.files()) {
                FileId id = file.meta().fileId();
                if (state.removed.contains(id)) {
                    // A late call (it overran its deadline, or is delivered again): the file is gone already.
                    continue;
                }
                if (!Files.exists(BloomIndex.sidecarPath(options.dir(), region, id))) {
                    build(options, region, id, file.path());
                }
            }
        }
    }

    @Override
    public void onManifestUpdated(ManifestUpdatedEvent event) {
        Options options = options();
        RegionId region = event.regionId();
        RegionState state = state(region);
        synchronized (state) {
            if (event.manifestVersion() <= state.appliedVersion) {
                return; // delivered again: applied already
            }
            // Files added by this event and not removed again by a later action of it.
            Map<FileId, Boolean> added = new LinkedHashMap<>();
            boolean deleted = false;
            for (ManifestAction action : event.actions().actions()) {
                switch (action.kind()) {
                    case CHANGE -> state.metadata = ((Change) action).metadata();
                    case EDIT -> {
                        Edit edit = (Edit) action;
                        for (FileMeta file : edit.filesToRemove()) {
                            added.remove(file.fileId());
                            deleted |= deleteSidecar(state, options, region, file.fileId());
                        }
                        for (FileMeta file : edit.filesToAdd()) {
                            state.removed.remove(file.fileId());
                            added.put(file.fileId(), Boolean.TRUE);
                        }
                    }
                    case TRUNCATE -> {
                        if (action instanceof TruncatePartial partial) {
                            for (FileMeta file : partial.filesToRemove()) {
                                added.remove(file.fileId());
                                deleted |= deleteSidecar(state, options, region, file.fileId());
                            }
                        }
                        else {
                            // TruncateAll names no files: every file of the region is gone.
                            added.clear();
                            deleted |= deleteAllSidecars(state, options, region);
                        }
                    }
                    case REMOVE -> {
                        added.clear();
                        deleted |= deleteAllSidecars(state, options, region);
                    }
                    case PARTITION_EXPR_CHANGE -> {
                        // the files stay as they are
                    }
                }
            }
            if (deleted) {
                syncDirectory(BloomIndex.regionDirectory(options.dir(), region));
            }
            if (!added.isEmpty() && state.metadata != null && !indexable(state.metadata, options.column())) {
                LOG.log(Level.INFO, "bloom-index: no sidecar for the " + added.size() + " SST file(s) version "
                        + event.manifestVersion() + " adds to region " + region + ": "
                        + whyNotIndexable(state.metadata, options.column()));
            }
            else {
                for (FileId id : added.keySet()) {
                    if (!Files.exists(BloomIndex.sidecarPath(options.dir(), region, id))) {
                        // Not built at onSstFilesWritten: bulk ingest, copy region, or a callback that overran its deadline.
                        build(options, region, id, options.sstFiles().path(region, id));
                    }
                }
            }
            state.appliedVersion = event.manifestVersion();
        }
    }

    @Override
    public void onReconcile(ReconcileEvent event) {
        reconcile(event.manifest());
    }

    @Override
    public void onRegionOpened(RegionOpenedEvent event) {
        reconcile(event.manifest());
    }

    @Override
    public void onRegionDropped(RegionDroppedEvent event) {
        Options options = options();
        RegionId region = event.regionId();
        RegionState state = state(region);
        synchronized (state) {
            deleteAllSidecars(state, options, region);
            Path directory = BloomIndex.regionDirectory(options.dir(), region);
            try (DirectoryStream<Path> rest = Files.newDirectoryStream(directory)) {
                for (Path entry : rest) {
                    Files.delete(entry); // the directory is this hook's own: nothing else belongs there
                }
            }
            catch (NoSuchFileException e) {
                // no sidecar was ever written for the region
            }
            catch (IOException e) {
                throw new UncheckedIOException("bloom-index cannot empty " + directory + ": " + e.getMessage(), e);
            }
            try {
                Files.deleteIfExists(directory);
            }
            catch (IOException e) {
                throw new UncheckedIOException("bloom-index cannot delete " + directory + ": " + e.getMessage(), e);
            }
            syncDirectory(options.dir());
            // A region created again with this id starts over at version 1.
            state.appliedVersion = 0;
            state.metadata = null;
        }
    }

    /** Makes the sidecars of the manifest's region exactly those of its live files. */
    private void reconcile(RegionManifest manifest) {
        Options options = options();
        RegionId region = manifest.regionId();
        RegionState state = state(region);
        synchronized (state) {
            if (manifest.manifestVersion() < state.appliedVersion) {
                return; // an old state delivered again: newer versions are applied already
            }
            state.metadata = manifest.metadata();
            boolean indexable = indexable(manifest.metadata(), options.column());
            if (!indexable && !manifest.files().isEmpty()) {
                LOG.log(Level.INFO, "bloom-index: region " + region + " is not indexed: "
                        + whyNotIndexable(manifest.metadata(), options.column()));
            }
            Map<FileId, Path> existing = listSidecars(options, region);
            boolean deleted = false;
            for (Map.Entry<FileId, Path> sidecar : existing.entrySet()) {
                if (!indexable || !manifest.files().containsKey(sidecar.getKey())) {
                    deleted |= deleteSidecar(state, options, region, sidecar.getKey());
                }
            }
            if (deleted) {
                syncDirectory(BloomIndex.regionDirectory(options.dir(), region));
            }
            if (indexable) {
                for (FileId id : manifest.files().keySet()) {
                    Path sidecar = existing.get(id);
                    if (sidecar == null || !isValid(sidecar, options.column())) {
                        build(options, region, id, options.sstFiles().path(region, id));
                    }
                }
            }
            state.appliedVersion = manifest.manifestVersion();
        }
    }

    /** Whether {@code sidecar} reads back, checksum included, as a filter over {@code column}. */
    private static boolean isValid(Path sidecar, String column) {
        try {
            BloomSidecar read = BloomSidecar.read(sidecar);
            if (read.column().equals(column)) {
                return true;
            }
            LOG.log(Level.INFO, "bloom-index: rebuilding " + sidecar + ": it indexes column " + read.column() + ", not " + column);
        }
        catch (CorruptedFileException | UncheckedIOException e) {
            LOG.log(Level.WARNING, "bloom-index: rebuilding " + sidecar + ": " + e.getMessage());
        }
        return false;
    }

    /**
     * Builds and writes the sidecar of one SST file. Does nothing (but log) if the file is gone
     * (a later version removed it; the stream will say so) or has no such string column.
     */
    private static void build(Options options, RegionId region, FileId id, Path sstFile) {
        if (!Files.exists(sstFile)) {
            LOG.log(Level.INFO, "bloom-index: no sidecar for " + sstFile + " of region " + region
                    + ": the SST file no longer exists (a later version removed it)");
            return;
        }
        Set<String> values = new HashSet<>();
        try {
            options.sstFiles().forEachValue(sstFile, options.column(), value -> {
                if (value instanceof String text) {
                    values.add(text);
                }
                else if (value != null) {
                    throw new NotAStringColumn(value.getClass().getSimpleName());
                }
            });
        }
        catch (NotAStringColumn e) {
            LOG.log(Level.WARNING, "bloom-index: no sidecar for " + sstFile + " of region " + region + ": column "
                    + options.column() + " holds " + e.getMessage() + " values, not strings");
            return;
        }
        catch (IllegalArgumentException e) {
            // The file was written before the column was added (forEachValue's contract for a missing column).
            LOG.log(Level.INFO, "bloom-index: no sidecar for " + sstFile + " of region " + region + ": " + e.getMessage());
            return;
        }
        BloomSidecar sidecar = BloomSidecar.build(options.column(), values, options.fpp());
        writeAtomically(BloomIndex.sidecarPath(options.dir(), region, id), sidecar.encode());
    }

    /** Replaces {@code target} with {@code bytes}: a crash leaves the old file or the new one, never a part. */
    private static void writeAtomically(Path target, byte[] bytes) {
        Path directory = target.getParent();
        Path temp = directory.resolve(target.getFileName() + TEMP_SUFFIX);
        try {
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory);
                syncDirectory(directory.getParent());
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            }
            catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("bloom-index cannot write " + target + ": " + e.getMessage(), e);
        }
        syncDirectory(directory);
    }

    /** Deletes one sidecar (the directory is synced by the caller); true if there was one. */
    private static boolean deleteSidecar(RegionState state, Options options, RegionId region, FileId id) {
        state.removed.add(id);
        Path sidecar = BloomIndex.sidecarPath(options.dir(), region, id);
        try {
            return Files.deleteIfExists(sidecar);
        }
        catch (IOException e) {
            throw new UncheckedIOException("bloom-index cannot delete " + sidecar + ": " + e.getMessage(), e);
        }
    }

    /** Deletes every sidecar of a region (the directory is synced by the caller); true if there was one. */
    private static boolean deleteAllSidecars(RegionState state, Options options, RegionId region) {
        boolean deleted = false;
        for (FileId id : listSidecars(options, region).keySet()) {
            deleted |= deleteSidecar(state, options, region, id);
        }
        return deleted;
    }

    /** A region's sidecars by file id; deletes temporary files a crash left behind. */
    private static Map<FileId, Path> listSidecars(Options options, RegionId region) {
        Path directory = BloomIndex.regionDirectory(options.dir(), region);
        Map<FileId, Path> sidecars = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.endsWith(BloomSidecar.SUFFIX + TEMP_SUFFIX)) {
                    Files.deleteIfExists(entry);
                }
                else if (name.endsWith(BloomSidecar.SUFFIX)) {
                    FileId id = BloomIndex.parseFileId(name.substring(0, name.length() - BloomSidecar.SUFFIX.length()));
                    if (id != null) {
                        sidecars.put(id, entry);
                    }
                }
            }
        }
        catch (NoSuchFileException e) {
            return Map.of();
        }
        catch (IOException e) {
            throw new UncheckedIOException("bloom-index cannot list " + directory + ": " + e.getMessage(), e);
        }
        return sidecars;
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
        catch (NoSuchFileException e) {
            // nothing was ever written there
        }
        catch (IOException e) {
            throw new UncheckedIOException("bloom-index cannot sync directory " + directory + ": " + e.getMessage(), e);
        }
    }

    private static boolean indexable(RegionMetadata metadata, String column) {
        return whyNotIndexable(metadata, column) == null;
    }

    /** Why the files of this schema get no sidecar, or null if they do. */
    private static String whyNotIndexable(RegionMetadata metadata, String column) {
        for (ColumnSchema schema : metadata.columns()) {
            if (schema.name().equals(column)) {
                return schema.dataType() == DataType.STRING ? null
                        : "its column " + column + " is " + schema.dataType() + ", not STRING";
            }
        }
        return "its schema has no column " + column + " (hooks.bloom-index.column)";
    }

    private RegionState state(RegionId region) {
        return regions.computeIfAbsent(region, id -> new RegionState());
    }

    private Options options() {
        Options current = options;
        if (current == null) {
            throw new IllegalStateException("bloom-index is not initialized: init was not called");
        }
        return current;
    }

    private static String required(Map<String, String> options, String key, String what) {
        String value = options.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Missing hooks.bloom-index." + key + ": set it to " + what);
        }
        return value.trim();
    }

    static double parseFpp(String value) {
        if (value == null) {
            return DEFAULT_FPP;
        }
        try {
            double fpp = Double.parseDouble(value.trim());
            if (fpp > 0 && fpp < 1) {
                return fpp;
            }
        }
        catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("Invalid hooks.bloom-index.fpp: '" + value
                + "' (expected a false positive probability between 0 and 1, exclusive, for example 0.01)");
    }

    /**
     * Refuses a {@code dir} inside a directory that holds a region's SST files: the engine deletes
     * files there that no manifest names. Asks the engine where SST files are rather than assuming
     * its layout.
     */
    private static void checkOutsideRegionDirectories(Path dir, SstFiles sstFiles) {
        RegionId probe = RegionId.of(0, 0);
        Path probeDirectory;
        try {
            probeDirectory = regionDirectoryOf(sstFiles, probe);
        }
        catch (IllegalStateException e) {
            return; // the engine knows no data directory (hooks loaded without one): nothing to check
        }
        // dir itself the data directory: <dir>/<region> would be the region's own directory.
        if (BloomIndex.regionDirectory(dir, probe).startsWith(probeDirectory)) {
            throw outsideRegionDirectories(dir, probeDirectory.getParent());
        }
        for (Path ancestor = dir; ancestor != null && ancestor.getFileName() != null; ancestor = ancestor.getParent()) {
            RegionId region;
            try {
                region = RegionId.parse(ancestor.getFileName().toString());
            }
            catch (IllegalArgumentException notARegion) {
                continue;
            }
            if (regionDirectoryOf(sstFiles, region).equals(ancestor)) {
                throw outsideRegionDirectories(dir, ancestor);
            }
        }
    }

    private static Path regionDirectoryOf(SstFiles sstFiles, RegionId region) {
        return sstFiles.path(region, PROBE_FILE).toAbsolutePath().normalize().getParent();
    }

    private static IllegalArgumentException outsideRegionDirectories(Path dir, Path engineDirectory) {
        return new IllegalArgumentException("Invalid hooks.bloom-index.dir: " + dir + " would put sidecars in the engine's region "
                + "directories (under " + engineDirectory + "), where the engine deletes files no manifest names; choose a "
                + "directory outside them");
    }

    /** Thrown out of {@link SstFiles#forEachValue} when the column holds something else than strings. */
    private static final class NotAStringColumn extends RuntimeException {
        NotAStringColumn(String type) {
            super(type, null, false, false);
        }
    }
}
