package dev.regolith.engine;

import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.compaction.CompactionOptions;
import dev.regolith.engine.manifest.ManifestOptions;
import dev.regolith.engine.memtable.WriteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The typed form of {@link EngineOptions#settings()}. A bad value fails engine start with a message
 * that names the key, the value and what is expected.
 */
record EngineSettings(
        String walSync,
        Optional<String> walDirectory,
        Duration walSyncInterval,
        long walSegmentBytes,
        long regionMemtableBytes,
        long writeBufferBytes,
        String sstCompression,
        int sstRowGroupRows,
        ManifestOptions manifestOptions,
        CompactionOptions compactionOptions,
        boolean autoCompaction,
        boolean autoIndex,
        Duration hookCursorInterval,
        Duration hookCloseTimeout) {

    static final java.util.Set<String> KEYS = java.util.Set.of("wal.sync", "wal.dir", "wal.sync.interval.ms",
            "wal.segment.bytes", "region.memtable.bytes", "write.buffer.bytes", "sst.compression", "sst.row.group.rows",
            "manifest.checkpoint.distance", "compaction.window.ms", "compaction.trigger.files", "compaction.max.inputs",
            "compaction.max.output.bytes", "compaction.auto", "index.auto", "manifest.retained.deltas.max",
            "delivery.cursor.interval.ms", "delivery.close.timeout.ms");

    static EngineSettings of(EngineOptions options) {
        Map<String, String> settings = options.settings();
        for (String key : settings.keySet()) {
            if (!KEYS.contains(key) && !key.startsWith("hooks.")) {
                throw new IllegalArgumentException("Unknown setting " + key + "; the settings are " + new java.util.TreeSet<>(KEYS)
                        + ", hooks.dir and hooks.<name>.<key>");
            }
        }
        return new EngineSettings(
                choice(settings, "wal.sync", "every_batch", "every_batch", "periodic", "never"),
                Optional.ofNullable(settings.get("wal.dir")),
                Duration.ofMillis(number(settings, "wal.sync.interval.ms", 10, 1)),
                number(settings, "wal.segment.bytes", 64L << 20, 4096),
                number(settings, "region.memtable.bytes", 64L << 20, 1024),
                number(settings, "write.buffer.bytes", WriteBuffer.defaultLimit(), 1024),
                choice(settings, "sst.compression", "zstd", "zstd", "snappy", "uncompressed"),
                (int) number(settings, "sst.row.group.rows", 102_400, 1, Integer.MAX_VALUE),
                new ManifestOptions((int) number(settings, "manifest.checkpoint.distance", 10, 1, Integer.MAX_VALUE),
                        (int) number(settings, "manifest.retained.deltas.max", 10_000, 1, Integer.MAX_VALUE)),
                new CompactionOptions(
                        settings.containsKey("compaction.window.ms")
                                ? Optional.of(Duration.ofMillis(number(settings, "compaction.window.ms", 0, 1)))
                                : Optional.empty(),
                        (int) number(settings, "compaction.trigger.files", CompactionOptions.DEFAULT.triggerFiles(), 2, 1024),
                        (int) number(settings, "compaction.max.inputs", CompactionOptions.DEFAULT.maxInputs(), 2, 1024),
                        number(settings, "compaction.max.output.bytes", CompactionOptions.DEFAULT.maxOutputFileBytes(), 1)),
                choice(settings, "compaction.auto", "true", "true", "false").equals("true"),
                choice(settings, "index.auto", "true", "true", "false").equals("true"),
                Duration.ofMillis(number(settings, "delivery.cursor.interval.ms", 1000, 1)),
                Duration.ofMillis(number(settings, "delivery.close.timeout.ms", 10_000, 0)));
    }

    private static String choice(Map<String, String> settings, String key, String defaultValue, String... allowed) {
        String value = settings.getOrDefault(key, defaultValue).trim().toLowerCase(Locale.ROOT);
        for (String candidate : allowed) {
            if (candidate.equals(value)) {
                return value;
            }
        }
        throw new IllegalArgumentException("Invalid setting " + key + "=" + settings.get(key) + ": expected one of "
                + String.join(", ", allowed));
    }

    private static long number(Map<String, String> settings, String key, long defaultValue, long min) {
        return number(settings, key, defaultValue, min, Long.MAX_VALUE);
    }

    private static long number(Map<String, String> settings, String key, long defaultValue, long min, long max) {
        String text = settings.get(key);
        if (text == null) {
            return defaultValue;
        }
        Function<String, IllegalArgumentException> invalid = reason -> new IllegalArgumentException(
                "Invalid setting " + key + "=" + text + ": " + reason);
        long value;
        try {
            value = Long.parseLong(text.trim().replace("_", ""));
        }
        catch (NumberFormatException e) {
            throw invalid.apply("not a whole number");
        }
        if (value < min || value > max) {
            throw invalid.apply("must be between " + min + " and " + max);
        }
        return value;
    }
}
