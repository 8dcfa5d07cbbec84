package dev.regolith.engine.api;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * How an engine is set up: its data directory and its settings.
 *
 * <p>Settings (all optional):
 * <ul>
 *   <li>{@code wal.sync}: {@code every_batch} (default: a write returns once it is fsynced, with
 *       concurrent writes sharing one fsync), {@code periodic} or {@code never}</li>
 *   <li>{@code wal.sync.interval.ms}: for {@code periodic}, default 10</li>
 *   <li>{@code wal.segment.bytes}: default 64 MiB</li>
 *   <li>{@code wal.dir}: where the WAL lives, default {@code wal} in the data directory (an engine
 *       that only follows regions of a shared data directory sets its own)</li>
 *   <li>{@code region.memtable.bytes}: a region's memtable is frozen and flushed past this size,
 *       default 64 MiB</li>
 *   <li>{@code write.buffer.bytes}: the engine-wide memtable budget, default min(heap / 8, 1 GiB):
 *       the largest region is flushed at half of it, writers stall at all of it, and writes are
 *       rejected at twice it</li>
 *   <li>{@code sst.compression}: {@code zstd} (default), {@code snappy} or {@code uncompressed};
 *       {@code sst.row.group.rows}: default 102400</li>
 *   <li>{@code manifest.checkpoint.distance}: default 10</li>
 *   <li>{@code compaction.window.ms} (default: inferred from the data, rounded up to 1h, 2h, 12h,
 *       1d or 1w), {@code compaction.trigger.files} (a time window with this many files is
 *       compacted, default 4), {@code compaction.max.inputs} (default 32),
 *       {@code compaction.max.output.bytes} (default 512 MiB), {@code compaction.auto} (compact
 *       after each flush in the background, default true)</li>
 *   <li>{@code index.auto}: build each new SST's tag index in the background, default true</li>
 *   <li>{@code hooks.<name>.enabled} and {@code hooks.<name>.<key>}: see the hook SPI</li>
 * </ul>
 *
 * @param dataDirectory where regions (one directory each) and the WAL live
 * @param settings the settings above, by key
 */
public record EngineOptions(Path dataDirectory, Map<String, String> settings) {

    public EngineOptions {
        requireNonNull(dataDirectory, "dataDirectory is null");
        settings = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(settings, "settings is null")));
    }

    /** Default settings in {@code dataDirectory}. */
    public static EngineOptions of(Path dataDirectory) {
        return new EngineOptions(dataDirectory, Map.of());
    }

    /** These options with one more setting. */
    public EngineOptions with(String key, String value) {
        Map<String, String> copy = new TreeMap<>(settings);
        copy.put(key, value);
        return new EngineOptions(dataDirectory, copy);
    }
}
