package dev.regolith.engine.manifest;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.engine.api.exceptions.RegionNotFoundException;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.io.FileIO;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.manifest.ManifestFileFormat.Kind;
import dev.regolith.engine.manifest.proto.LastCheckpointProto;
import dev.regolith.engine.manifest.proto.ManifestCheckpointProto;
import dev.regolith.engine.manifest.proto.ManifestDeltaProto;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A region's manifest directory:
 *
 * <pre>
 * manifest/
 *   00000000000000000011.delta        one per committed version: the action list
 *   00000000000000000010.checkpoint   the whole state at a version
 *   _last_checkpoint                  the newest durable checkpoint: version, size, CRC32C
 * </pre>
 *
 * Every file is written with {@link FileIO#writeAtomically} and framed by
 * {@link ManifestFileFormat}. A reader loads the checkpoint the pointer names and applies the later
 * deltas in version order (gaps are allowed). Older deltas and checkpoints are deleted only once
 * the pointer to a newer checkpoint is durable; a reader that races with that cleanup and finds a
 * listed file gone starts over from the new pointer.
 */
final class ManifestStore {

    private static final Logger log = LoggerFactory.getLogger(ManifestStore.class);

    static final String DELTA_SUFFIX = ".delta";
    static final String CHECKPOINT_SUFFIX = ".checkpoint";
    static final String POINTER = "_last_checkpoint";
    private static final int LOAD_ATTEMPTS = 5;

    private final FileIO io;
    private final Path directory;
    private final RegionId regionId;

    ManifestStore(FileIO io, Path directory, RegionId regionId) {
        this.io = io;
        this.directory = directory;
        this.regionId = regionId;
    }

    Path directory() {
        return directory;
    }

    static String deltaName(long version) {
        return String.format("%020d%s", version, DELTA_SUFFIX);
    }

    static String checkpointName(long version) {
        return String.format("%020d%s", version, CHECKPOINT_SUFFIX);
    }

    /**
     * What a load found: the state, the version of the checkpoint it started from (0: none), and
     * whether a {@code Remove} was committed (the region was dropped; its directory should be gone).
     */
    record Loaded(RegionManifest manifest, long checkpointVersion, boolean removed) {
    }

    /** Whether the directory holds any delta or checkpoint. */
    boolean exists() throws IOException {
        if (!io.exists(directory)) {
            return false;
        }
        return io.list(directory).stream().anyMatch(name -> name.equals(POINTER) || versionOf(name, DELTA_SUFFIX) > 0);
    }

    void createDirectory() throws IOException {
        io.createDirectories(directory);
    }

    void writeDelta(long version, ManifestActionList actions) throws IOException {
        ManifestDeltaProto delta = ManifestDeltaProto.newBuilder()
                .setRegionId(regionId.id())
                .setVersion(version)
                .addAllActions(ManifestCodec.encode(actions))
                .build();
        io.writeAtomically(directory.resolve(deltaName(version)), ManifestFileFormat.encode(Kind.DELTA, delta.toByteArray()));
    }

    /** Writes a checkpoint of {@code manifest}, then the pointer to it. */
    void writeCheckpoint(RegionManifest manifest) throws IOException {
        long version = manifest.manifestVersion();
        ManifestCheckpointProto checkpoint = ManifestCheckpointProto.newBuilder()
                .setRegionId(regionId.id())
                .setVersion(version)
                .setManifest(ManifestCodec.encode(manifest))
                .build();
        byte[] bytes = ManifestFileFormat.encode(Kind.CHECKPOINT, checkpoint.toByteArray());
        io.writeAtomically(directory.resolve(checkpointName(version)), bytes);
        LastCheckpointProto pointer = LastCheckpointProto.newBuilder()
                .setVersion(version)
                .setSize(bytes.length)
                .setCrc32C(ManifestFileFormat.crc32c(bytes))
                .build();
        io.writeAtomically(directory.resolve(POINTER), ManifestFileFormat.encode(Kind.POINTER, pointer.toByteArray()));
    }

    /**
     * Deletes what a durable checkpoint at {@code checkpointVersion} makes unnecessary: deltas up
     * to it, older checkpoints, and temporary files of writes that never finished. Only the
     * manifest's writer calls this, holding the manifest lock, so no write of its own is in flight.
     */
    void deleteObsolete(long checkpointVersion, long keepDeltasFrom) throws IOException {
        for (String name : io.list(directory)) {
            long deltaVersion = versionOf(name, DELTA_SUFFIX);
            long checkpointFileVersion = versionOf(name, CHECKPOINT_SUFFIX);
            boolean obsolete = (deltaVersion > 0 && deltaVersion <= checkpointVersion && deltaVersion < keepDeltasFrom)
                    || (checkpointFileVersion > 0 && checkpointFileVersion < checkpointVersion)
                    || name.endsWith(LocalFileIO.TEMP_SUFFIX);
            if (obsolete) {
                io.deleteIfExists(directory.resolve(name));
            }
        }
    }

    /**
     * The action list committed as {@code version}, read back from its delta; empty if the delta
     * is gone (a checkpoint replaced it).
     *
     * @throws CorruptedFileException if the delta is damaged
     */
    Optional<ManifestActionList> readDelta(long version) {
        Path file = directory.resolve(deltaName(version));
        try {
            if (!io.exists(file)) {
                return Optional.empty();
            }
            ManifestDeltaProto delta = parse(file, Kind.DELTA, ManifestDeltaProto::parseFrom);
            if (delta.getRegionId() != regionId.id() || delta.getVersion() != version) {
                throw new CorruptedFileException(file.toString(), ManifestFileFormat.HEADER_SIZE, "holds version "
                        + delta.getVersion() + " of region " + new RegionId(delta.getRegionId()) + ", expected version "
                        + version + " of region " + regionId);
            }
            return Optional.of(ManifestCodec.decodeActions(delta.getActionsList()));
        }
        catch (NoSuchFileException e) {
            return Optional.empty();
        }
        catch (IOException e) {
            throw new RegionStorageException("Failed to read " + file + ": " + e, e);
        }
        catch (IllegalArgumentException e) {
            throw new CorruptedFileException(file.toString(), ManifestFileFormat.HEADER_SIZE, "invalid actions: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the manifest back.
     *
     * @throws RegionNotFoundException if the directory holds no manifest
     * @throws CorruptedFileException if any file it needs is damaged; never skipped
     * @throws RegionStorageException if reading fails
     */
    Loaded load() {
        NoSuchFileException lastRace = null;
        for (int attempt = 1; attempt <= LOAD_ATTEMPTS; attempt++) {
            try {
                return loadOnce();
            }
            catch (NoSuchFileException e) {
                // A concurrent checkpoint cleanup deleted a file we had listed: start over.
                log.debug("Manifest of region {} changed while loading ({}), retrying", regionId, e.getMessage());
                lastRace = e;
            }
            catch (IOException e) {
                throw new RegionStorageException("Failed to read the manifest of region " + regionId + " in " + directory
                        + ": " + e, e);
            }
        }
        // Still missing after the writer had every chance to finish its cleanup: really gone.
        throw new CorruptedFileException(lastRace.getFile(), 0, (lastRace.getReason() != null ? lastRace.getReason() : "missing")
                + " (still missing after " + LOAD_ATTEMPTS + " attempts to read the manifest of region " + regionId + ")", lastRace);
    }

    private Loaded loadOnce() throws IOException {
        if (!io.exists(directory)) {
            throw new RegionNotFoundException(regionId, "no manifest directory " + directory);
        }
        RegionManifestBuilder builder;
        long checkpointVersion = 0;
        Path pointerFile = directory.resolve(POINTER);
        if (io.exists(pointerFile)) {
            LastCheckpointProto pointer = readPointer(pointerFile);
            checkpointVersion = pointer.getVersion();
            builder = RegionManifestBuilder.from(readCheckpoint(pointer, pointerFile));
        }
        else {
            builder = RegionManifestBuilder.empty(regionId);
        }
        boolean removed = false;
        List<Long> deltas = new ArrayList<>();
        for (String name : io.list(directory)) {
            long version = versionOf(name, DELTA_SUFFIX);
            if (version > checkpointVersion) {
                deltas.add(version);
            }
        }
        deltas.sort(null);
        for (long version : deltas) {
            Path file = directory.resolve(deltaName(version));
            ManifestDeltaProto delta = parse(file, Kind.DELTA, ManifestDeltaProto::parseFrom);
            if (delta.getRegionId() != regionId.id() || delta.getVersion() != version) {
                throw new CorruptedFileException(file.toString(), ManifestFileFormat.HEADER_SIZE, "holds version "
                        + delta.getVersion() + " of region " + new RegionId(delta.getRegionId()) + ", expected version "
                        + version + " of region " + regionId);
            }
            try {
                ManifestActionList actions = ManifestCodec.decodeActions(delta.getActionsList());
                builder.apply(version, actions);
                removed |= actions.kinds().contains(dev.regolith.engine.api.ManifestAction.Kind.REMOVE);
            }
            catch (IllegalArgumentException e) {
                throw new CorruptedFileException(file.toString(), ManifestFileFormat.HEADER_SIZE,
                        "invalid actions: " + e.getMessage(), e);
            }
        }
        if (!builder.hasMetadata()) {
            throw new RegionNotFoundException(regionId, "manifest directory " + directory + " holds no manifest");
        }
        return new Loaded(builder.build(), checkpointVersion, removed);
    }

    private LastCheckpointProto readPointer(Path pointerFile) throws IOException {
        LastCheckpointProto pointer = parse(pointerFile, Kind.POINTER, LastCheckpointProto::parseFrom);
        if (pointer.getVersion() < 1) {
            throw new CorruptedFileException(pointerFile.toString(), ManifestFileFormat.HEADER_SIZE,
                    "names checkpoint version " + pointer.getVersion());
        }
        return pointer;
    }

    private RegionManifest readCheckpoint(LastCheckpointProto pointer, Path pointerFile) throws IOException {
        Path file = directory.resolve(checkpointName(pointer.getVersion()));
        byte[] bytes;
        try {
            bytes = io.readAllBytes(file);
        }
        catch (NoSuchFileException e) {
            // Either cleanup raced with us (the load retries) or the checkpoint is really gone.
            NoSuchFileException missing = new NoSuchFileException(file.toString(), null,
                    "named by " + pointerFile.getFileName() + " but missing");
            missing.initCause(e);
            throw missing;
        }
        if (bytes.length != pointer.getSize()) {
            throw new CorruptedFileException(file.toString(), bytes.length, "size " + bytes.length + " bytes, but "
                    + pointerFile.getFileName() + " records " + pointer.getSize());
        }
        int crc = ManifestFileFormat.crc32c(bytes);
        if (crc != pointer.getCrc32C()) {
            throw new CorruptedFileException(file.toString(), 0, String.format(
                    "CRC32C 0x%08x does not match 0x%08x recorded in %s", crc, pointer.getCrc32C(), pointerFile.getFileName()));
        }
        ManifestCheckpointProto checkpoint = parsePayload(file, ManifestFileFormat.decode(file.toString(), bytes, Kind.CHECKPOINT),
                ManifestCheckpointProto::parseFrom);
        if (checkpoint.getRegionId() != regionId.id() || checkpoint.getVersion() != pointer.getVersion()
                || checkpoint.getManifest().getManifestVersion() != pointer.getVersion()) {
            throw new CorruptedFileException(file.toString(), ManifestFileFormat.HEADER_SIZE, "holds version "
                    + checkpoint.getVersion() + " of region " + new RegionId(checkpoint.getRegionId()) + ", expected version "
                    + pointer.getVersion() + " of region " + regionId);
        }
        try {
            return ManifestCodec.decode(checkpoint.getManifest());
        }
        catch (IllegalArgumentException e) {
            throw new CorruptedFileException(file.toString(), ManifestFileFormat.HEADER_SIZE,
                    "invalid manifest state: " + e.getMessage(), e);
        }
    }

    private interface Parser<T> {
        T parse(byte[] bytes) throws InvalidProtocolBufferException;
    }

    private <T> T parse(Path file, Kind kind, Parser<T> parser) throws IOException {
        byte[] payload = ManifestFileFormat.decode(file.toString(), io.readAllBytes(file), kind);
        return parsePayload(file, payload, parser);
    }

    private static <T> T parsePayload(Path file, byte[] payload, Parser<T> parser) {
        try {
            return parser.parse(payload);
        }
        catch (InvalidProtocolBufferException e) {
            throw new CorruptedFileException(file.toString(), ManifestFileFormat.HEADER_SIZE,
                    "payload is not a valid protobuf message: " + e.getMessage(), e);
        }
    }

    /** The version in a file name like {@code 00000000000000000042.delta}, or -1 if it is not one. */
    static long versionOf(String name, String suffix) {
        if (!name.endsWith(suffix) || name.length() != 20 + suffix.length()) {
            return -1;
        }
        for (int i = 0; i < 20; i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return -1;
            }
        }
        try {
            return Long.parseLong(name, 0, 20, 10);
        }
        catch (NumberFormatException e) {
            return -1; // beyond Long.MAX_VALUE: not a name this engine writes
        }
    }
}
