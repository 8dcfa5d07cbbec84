package dev.regolith.samples.auditlog;

import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestAction.Edit;
import dev.regolith.engine.api.ManifestAction.TruncatePartial;
import dev.regolith.hooks.spi.HookContext;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.RegionHook;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
 */
public final class AuditLogHook implements RegionHook {

    public static final String NAME = "audit-log";

    private Path file;
    private long maxBytes;
    private int maxFiles;
    private Writer writer;
    private long size;

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
        if (writer == null) {
            throw new IllegalStateException("audit-log is not open: init was not called, or the hook was closed");
        }
        byte[] line = (toJson(event, Instant.now()) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (size > 0 && size + line.length > maxBytes) {
                rotate();
            }
            writer.write(new String(line, StandardCharsets.UTF_8));
            writer.flush();
            size += line.length;
        }
        catch (IOException e) {
            throw new UncheckedIOException("audit-log cannot append to " + file, e);
        }
    }

    @Override
    public synchronized void close() {
        if (writer != null) {
            try {
                writer.close();
            }
            catch (IOException e) {
                throw new UncheckedIOException("audit-log cannot close " + file, e);
            }
            writer = null;
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
        writer.close();
        try {
            shiftRotatedFiles();
        }
        finally {
            // Even if a move failed, keep appending to the live file rather than failing every event.
            openWriter();
        }
    }

    private void shiftRotatedFiles() throws IOException {
        // Shift only the rotated files that exist (file.1 … file.present), not every slot up to
        // max-files: a large max-files must not cost one stat per slot on every rotation.
        int present = 0;
        while (present < maxFiles && Files.exists(rotated(present + 1))) {
            present++;
        }
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
        writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        size = Files.size(file);
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
