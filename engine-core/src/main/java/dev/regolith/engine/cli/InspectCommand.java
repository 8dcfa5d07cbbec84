package dev.regolith.engine.cli;

import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.hook.HookCursorStore;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.manifest.ManifestCommitter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** {@code regolith inspect D [--json]}: each region's manifest version and live SST files. Read-only. */
final class InspectCommand {

    private final PrintStream out;

    InspectCommand(PrintStream out) {
        this.out = out;
    }

    void run(List<String> args) {
        Arguments arguments = new Arguments(args, Set.of(), Set.of("--json"));
        if (arguments.positional().size() != 1) {
            throw new UsageException("inspect takes one data directory");
        }
        Path directory = CommandSupport.existingDirectory(arguments.positional().get(0));
        List<RegionManifest> manifests = new ArrayList<>();
        for (RegionId id : regions(directory)) {
            manifests.add(ManifestCommitter.read(new LocalFileIO(), directory.resolve(id.toString()).resolve("manifest"), id));
        }
        if (arguments.flag("--json")) {
            printJson(manifests);
        }
        else {
            printText(directory, manifests);
        }
    }

    static List<RegionId> regions(Path directory) {
        try (Stream<Path> entries = Files.list(directory)) {
            List<RegionId> ids = new ArrayList<>();
            for (Path entry : entries.toList()) {
                try {
                    RegionId id = RegionId.parse(entry.getFileName().toString());
                    if (Files.isDirectory(entry.resolve("manifest"))) {
                        ids.add(id);
                    }
                }
                catch (IllegalArgumentException e) {
                    // not a region directory
                }
            }
            ids.sort(null);
            return ids;
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory + ": " + e.getMessage(), e);
        }
    }

    private void printText(Path directory, List<RegionManifest> manifests) {
        out.println(directory + ": " + manifests.size() + " region(s)");
        for (RegionManifest manifest : manifests) {
            long rows = manifest.files().values().stream().mapToLong(FileMeta::numRows).sum();
            out.printf("region %s  manifest version %d  schema version %d  flushed entry %d  flushed sequence %d%n",
                    manifest.regionId(), manifest.manifestVersion(), manifest.metadata().schemaVersion(),
                    manifest.flushedEntryId(), manifest.flushedSequence());
            out.printf("  columns: %s%n", manifest.metadata().columns().stream()
                    .map(column -> column.name() + " " + column.dataType() + " " + column.semanticType()).toList());
            Map<String, Long> cursors = hookCursors(directory, manifest.regionId());
            if (!cursors.isEmpty()) {
                out.printf("  hook cursors (last version delivered): %s%n", cursors.entrySet().stream()
                        .map(cursor -> cursor.getKey() + " " + cursor.getValue() + " (behind by "
                                + (manifest.manifestVersion() - cursor.getValue()) + ")")
                        .toList());
            }
            out.printf("  %d SST file(s), %d rows%n", manifest.files().size(), rows);
            for (FileMeta file : manifest.files().values()) {
                out.printf("  %s.parquet  level %d  %d rows  %d row group(s)  %d bytes  time %d..%d  max sequence %d%s%n",
                        file.fileId(), file.level(), file.numRows(), file.numRowGroups(), file.fileSize(),
                        file.timeRange().start(), file.timeRange().end(), file.maxSequence(),
                        file.index().map(index -> "  index " + index.columns()).orElse(""));
            }
        }
    }

    /** The hooks' durable cursors of a region (persisted at most one interval behind what was delivered). */
    private static Map<String, Long> hookCursors(Path directory, RegionId region) {
        return new HookCursorStore(new LocalFileIO(), region, directory.resolve(region.toString())).readAll();
    }

    private void printJson(List<RegionManifest> manifests) {
        StringBuilder json = new StringBuilder("{\"regions\":[");
        for (int r = 0; r < manifests.size(); r++) {
            RegionManifest manifest = manifests.get(r);
            json.append(r > 0 ? "," : "")
                    .append("{\"region\":").append(CommandSupport.quote(manifest.regionId().toString()))
                    .append(",\"manifestVersion\":").append(manifest.manifestVersion())
                    .append(",\"schemaVersion\":").append(manifest.metadata().schemaVersion())
                    .append(",\"flushedEntryId\":").append(manifest.flushedEntryId())
                    .append(",\"flushedSequence\":").append(manifest.flushedSequence())
                    .append(",\"files\":[");
            int f = 0;
            for (FileMeta file : manifest.files().values()) {
                json.append(f++ > 0 ? "," : "")
                        .append("{\"fileId\":").append(CommandSupport.quote(file.fileId().toString()))
                        .append(",\"level\":").append(file.level())
                        .append(",\"rows\":").append(file.numRows())
                        .append(",\"rowGroups\":").append(file.numRowGroups())
                        .append(",\"bytes\":").append(file.fileSize())
                        .append(",\"timeRange\":[").append(file.timeRange().start()).append(',').append(file.timeRange().end())
                        .append("],\"maxSequence\":").append(file.maxSequence())
                        .append('}');
            }
            json.append("]}");
        }
        out.println(json.append("]}"));
    }
}
