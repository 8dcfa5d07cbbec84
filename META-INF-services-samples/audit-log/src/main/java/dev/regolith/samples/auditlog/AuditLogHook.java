package dev.regolith.samples.auditlog;

import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestAction.Edit;
import dev.regolith.engine.api.ManifestAction.TruncatePartial;
import dev.regolith.engine.api.RegionId;
import dev.regolith.hooks.spi.HookContext;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.RegionDroppedEvent;
import dev.regolith.hooks.spi.RegionHook;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes one JSON line per manifest update to a size-rotated file:
 *
 * <pre>{@code
 * {"time":"2026-11-21T07:00:00Z","region":"1024_0000000001","version":7,"firstVersion":7,
 *  "actions":["EDIT"],"filesAdded":[{"file":"…","level":0,"rows":1000,"bytes":52311,
 *  "timeRange":[0,9990000]}],"filesRemoved":[]}
 * }</pre>
 *
 * Options ({@code hooks.audit-log.<key>}): {@code file} (default {@code regolith-audit.jsonl} in
 * the working directory), {@code max-bytes} (rotate past this size, default 64 MiB) and
 * {@code max-files} (rotated files kept as {@code file.1} … {@code file.N}, default 5).
 *
 * <p><b>Each version once.</b> Delivery is at least once: after a crash the engine delivers again
 * the versions after the hook's last persisted cursor. The hook remembers, per region, the last
 * version it logged and skips an update that is not newer. At {@link #init} it recovers that
 * memory from its own lines in the rotated files and the live file, oldest first; a region whose
 * last line is its {@code REMOVE} (and every region at {@link #onRegionDropped}) is forgotten, since
 * a region created again with the same id starts over at version 1. An update that merges several
 * versions is logged whole, as one line from {@code firstVersion} to {@code version}, even if (after
 * a crash) some of its first versions were logged already. A {@code ReconcileEvent} is not logged:
 * the versions it stands for are gone from the manifest, so their actions are unknown.
 *
 * <p><b>Crash safety.</b> Each line is written with one write and fsynced before the callback
 * returns; rotation fsyncs the directory. A line torn by a crash (the live file not ending with a
 * line break) is cut off at the next {@code init}; its version is delivered again and logged then.
 */
public final class AuditLogHook implements RegionHook {

    public static final String NAME = "audit-log";

    private static final System.Logger LOG = System.getLogger(AuditLogHook.class.getName());
    /** The start of a line this hook wrote: region, version, first version and action kinds. */
    private static final Pattern LINE = Pattern.compile(
            "\\{\"time\":\"[^\"]*\",\"region\":\"([^\"]+)\",\"version\":(\\d+),\"firstVersion\":\\d+,\"actions\":\\[([^\\]]*)\\]");

    private Path file;
    private long maxBytes;
    private int maxFiles;
    private FileChannel channel;
    private long size;
    /** Per region, the last version logged. */
    private final Map<RegionId, Long> lastLogged = new HashMap<>();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized void init(HookContext context) {
        close();
        Map<String, String> options = context.options();
        file = Path.of(options.getOrDefault("file", "regolith-audit.jsonl")).toAbsolutePath();
        maxBytes = parsePositive(options, "max-bytes", 64L << 20, Long.MAX_VALUE);
        maxFiles = (int) parsePositive(options, "max-files", 5, Integer.MAX_VALUE);
        try {
            Files.createDirectories(file.getParent());
            cutTornLine();
            recoverLastLogged();
            openWriter();
        }
        catch (IOException e) {
            throw new UncheckedIOException("audit-log cannot open " + file, e);
        }
    }

    /** The file this hook appends to. */
    public synchronized Path file() {
        return file;
    }

    @Override
    public synchronized void onManifestUpdated(ManifestUpdatedEvent event) {
        if (channel == null) {
            throw new IllegalStateException("audit-log is not open: init was not called, or the hook was closed");
        }
        Long last = lastLogged.get(event.regionId());
        if (last != null && event.manifestVersion() <= last) {
            return; // delivered again (after a crash): logged already
        }
        byte[] line = (toJson(event, Instant.now()) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (size > 0 && size + line.length > maxBytes) {
                rotate();
            }
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
            size += line.length;
        }
        catch (IOException e) {
            throw new UncheckedIOException("audit-log cannot append to " + file, e);
        }
        lastLogged.put(event.regionId(), event.manifestVersion());
    }

    /** Forgets the region: created again with the same id, it starts over at version 1. */
    @Override
    public synchronized void onRegionDropped(RegionDroppedEvent event) {
        lastLogged.remove(event.regionId());
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            try {
                channel.close();
            }
            catch (IOException e) {
                throw new UncheckedIOException("audit-log cannot close " + file, e);
            }
            channel = null;
        }
    }

    /** The JSON line for {@code event}, without the line break. */
    static String toJson(ManifestUpdatedEvent event, Instant time) {
        List<FileMeta> added = new ArrayList<>();
        List<FileMeta> removed = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        for (ManifestAction action : event.actions().actions()) {
            kinds.add(action.kind().name());
            if (action instanceof Edit edit) {
                added.addAll(edit.filesToAdd());
                removed.addAll(edit.filesToRemove());
            }
            else if (action instanceof TruncatePartial truncate) {
                removed.addAll(truncate.filesToRemove());
            }
        }
        StringBuilder json = new StringBuilder(256);
        json.append("{\"time\":").append(quote(time.toString()))
                .append(",\"region\":").append(quote(event.regionId().toString()))
                .append(",\"version\":").append(event.manifestVersion())
                .append(",\"firstVersion\":").append(event.firstVersion())
                .append(",\"actions\":[");
        for (int i = 0; i < kinds.size(); i++) {
            json.append(i > 0 ? "," : "").append(quote(kinds.get(i)));
        }
        json.append("],\"filesAdded\":");
        appendFiles(json, added);
        json.append(",\"filesRemoved\":");
        appendFiles(json, removed);
        return json.append('}').toString();
    }

    private static void appendFiles(StringBuilder json, List<FileMeta> files) {
        json.append('[');
        for (int i = 0; i < files.size(); i++) {
            FileMeta file = files.get(i);
            json.append(i > 0 ? "," : "")
                    .append("{\"file\":").append(quote(file.fileId().toString()))
                    .append(",\"level\":").append(file.level())
                    .append(",\"rows\":").append(file.numRows())
                    .append(",\"bytes\":").append(file.fileSize())
                    .append(",\"timeRange\":[").append(file.timeRange().start()).append(',').append(file.timeRange().end())
                    .append("]}");
        }
        json.append(']');
    }

    static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    }
                    else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }

    private void rotate() throws IOException {
        channel.close();
        try {
            shiftRotatedFiles();
        }
        finally {
            // Even if a move failed, keep appending to the live file rather than failing every event.
            openWriter();
        }
        syncDirectory();
    }

    /**
     * How many rotated files there are: file.1 … file.N exist. Counts only those, not every slot
     * up to max-files: a large max-files must not cost one stat per slot.
     */
    private int rotatedFiles() {
        int present = 0;
        while (present < maxFiles && Files.exists(rotated(present + 1))) {
            present++;
        }
        return present;
    }

    private void shiftRotatedFiles() throws IOException {
        int present = rotatedFiles();
        if (present == maxFiles) {
            Files.delete(rotated(maxFiles));
            present--;
        }
        for (int i = present; i >= 1; i--) {
            Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
    }

    private Path rotated(int index) {
        return file.resolveSibling(file.getFileName() + "." + index);
    }

    private void openWriter() throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = channel.size();
    }

    private void syncDirectory() throws IOException {
        try (FileChannel directory = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    /**
     * Cuts off a line a crash tore (every line ends with a line break, written in one write): it
     * would otherwise run into the next line. Its version is delivered again and logged whole.
     */
    private void cutTornLine() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        try (FileChannel log = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long length = log.size();
            long keep = 0;
            ByteBuffer chunk = ByteBuffer.allocate(8192);
            for (long end = length; end > 0 && keep == 0; ) {
                long start = Math.max(0, end - chunk.capacity());
                chunk.clear().limit((int) (end - start));
                while (chunk.hasRemaining() && log.read(chunk, start + chunk.position()) >= 0) {
                    // read the whole chunk
                }
                for (int i = (int) (end - start) - 1; i >= 0; i--) {
                    if (chunk.get(i) == '\n') {
                        keep = start + i + 1;
                        break;
                    }
                }
                end = start;
            }
            if (keep < length) {
                LOG.log(Level.WARNING, "audit-log: cutting a torn last line (" + (length - keep) + " bytes, no line break) off "
                        + file);
                log.truncate(keep);
                log.force(true);
            }
        }
    }

    /** Reads, oldest first, the versions this hook logged: per region, the last one. */
    private void recoverLastLogged() throws IOException {
        lastLogged.clear();
        for (int i = rotatedFiles(); i >= 1; i--) {
            recoverLastLogged(rotated(i));
        }
        if (Files.exists(file)) {
            recoverLastLogged(file);
        }
    }

    private void recoverLastLogged(Path log) throws IOException {
        // Malformed bytes are replaced rather than failing init: such a line is not one of ours anyway.
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(Files.newInputStream(log), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                Matcher matcher = LINE.matcher(line);
                if (!matcher.lookingAt()) {
                    continue;
                }
                RegionId region;
                long version;
                try {
                    region = RegionId.parse(matcher.group(1));
                    version = Long.parseLong(matcher.group(2));
                }
                catch (IllegalArgumentException notOurs) {
                    continue;
                }
                if (matcher.group(3).contains(quote(ManifestAction.Kind.REMOVE.name()))) {
                    lastLogged.remove(region); // dropped: if created again, it starts over at version 1
                }
                else {
                    lastLogged.put(region, version);
                }
            }
        }
    }

    private static long parsePositive(Map<String, String> options, String key, long defaultValue, long max) {
        String value = options.get(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed > 0 && parsed <= max) {
                return parsed;
            }
        }
        catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("Invalid hooks.audit-log." + key + ": '" + value + "' (expected a positive number"
                + (max == Long.MAX_VALUE ? ")" : " up to " + max + ")"));
    }
}
