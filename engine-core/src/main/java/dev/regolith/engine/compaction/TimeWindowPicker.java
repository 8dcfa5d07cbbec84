package dev.regolith.engine.compaction;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.TimeRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Chooses the next compaction of a region by time window (TWCS, as GreptimeDB's mito2 does it).
 * Pure: it looks only at file metadata and does no I/O.
 *
 * <p><b>Window size.</b> The configured window ({@link CompactionOptions#window()}), else the window
 * the manifest recorded, else one inferred from the live files: the smallest of 1h, 2h, 12h, 1d and
 * 1w that is at least the widest file's time span (1w if a file is wider). Windows are aligned to
 * the epoch, in the unit of the region's time index.
 *
 * <p><b>Grouping.</b> A file belongs to the window that holds the <em>end</em> of its time range
 * (its newest row), as in mito2: a file that straddles a window boundary joins the newer window,
 * where fresh flushes land. Level-1 files that already reached
 * {@link CompactionOptions#maxOutputFileBytes()} are left out: they are the full parts of an earlier
 * compaction's split output, and counting them would compact the same window again and again.
 *
 * <p><b>Choice.</b> Among windows holding at least {@link CompactionOptions#triggerFiles()} files,
 * the one with the most files; ties go to the window with more level-0 files, then to the older
 * window. Its files are the inputs, at most {@link CompactionOptions#maxInputs()} of them, oldest
 * time range first. Deletes may be dropped only if no live file outside the inputs overlaps the
 * inputs' combined time range: then no older version of a deleted row can remain anywhere.
 *
 * <p>Thread-safe.
 */
public final class TimeWindowPicker {

    /** The windows an inferred window is rounded up to, smallest first. */
    static final List<Duration> INFERRED_WINDOWS = List.of(Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(12),
            Duration.ofDays(1), Duration.ofDays(7));

    private final CompactionOptions options;

    public TimeWindowPicker(CompactionOptions options) {
        this.options = requireNonNull(options, "options is null");
    }

    /**
     * The compaction to run next, if any window needs one.
     *
     * @param metadata the region's current metadata (for the unit of its time index)
     * @param liveFiles the region's live SST files, each once
     * @param committedWindow the compaction window the region's manifest recorded, if any
     * @throws IllegalArgumentException if the window does not fit the time index's unit (for
     *     example under a millisecond in a millisecond region, or over 292 years in a nanosecond one)
     */
    public Optional<CompactionTask> pick(RegionMetadata metadata, Collection<FileMeta> liveFiles, Optional<Duration> committedWindow) {
        requireNonNull(metadata, "metadata is null");
        requireNonNull(liveFiles, "liveFiles is null");
        requireNonNull(committedWindow, "committedWindow is null");
        if (liveFiles.size() < options.triggerFiles()) {
            return Optional.empty();
        }
        DataType unit = metadata.timeIndex().dataType();
        Duration window = options.window().or(() -> committedWindow).orElseGet(() -> inferWindow(liveFiles, unit));
        long windowUnits = toUnits(window, unit);

        // Keyed by window index (floor of end / window): starts may overflow, indexes cannot.
        Map<Long, List<FileMeta>> windows = new TreeMap<>();
        for (FileMeta file : liveFiles) {
            if (file.level() > 0 && file.fileSize() >= options.maxOutputFileBytes()) {
                continue;
            }
            windows.computeIfAbsent(Math.floorDiv(file.timeRange().end(), windowUnits), index -> new ArrayList<>()).add(file);
        }
        Map.Entry<Long, List<FileMeta>> chosen = null;
        for (Map.Entry<Long, List<FileMeta>> candidate : windows.entrySet()) {
            List<FileMeta> files = candidate.getValue();
            if (files.size() >= options.triggerFiles() && (chosen == null || better(files, chosen.getValue()))) {
                chosen = candidate;
            }
        }
        if (chosen == null) {
            return Optional.empty();
        }

        List<FileMeta> inputs = chosen.getValue().stream()
                .sorted(OLDEST_FIRST)
                .limit(options.maxInputs())
                .toList();
        TimeRange inputRange = CompactionTask.combinedRange(inputs);
        Set<FileId> inputIds = new HashSet<>();
        inputs.forEach(input -> inputIds.add(input.fileId()));
        boolean dropDeletes = liveFiles.stream()
                .noneMatch(file -> !inputIds.contains(file.fileId()) && file.timeRange().overlaps(inputRange));
        Optional<Duration> chosenWindow = committedWindow.equals(Optional.of(window)) ? Optional.empty() : Optional.of(window);
        return Optional.of(new CompactionTask(window, windowStart(chosen.getKey(), windowUnits), inputs, dropDeletes, chosenWindow));
    }

    /**
     * The window inferred from {@code files}: the smallest of {@link #INFERRED_WINDOWS} that is at
     * least the widest file's time span, or the largest one.
     */
    static Duration inferWindow(Collection<FileMeta> files, DataType unit) {
        long widest = 0;
        for (FileMeta file : files) {
            // end >= start, so the difference is exact as an unsigned number even where it overflows a long.
            long span = file.timeRange().end() - file.timeRange().start();
            if (Long.compareUnsigned(span, widest) > 0) {
                widest = span;
            }
        }
        for (Duration candidate : INFERRED_WINDOWS) {
            if (Long.compareUnsigned(widest, toUnits(candidate, unit)) <= 0) {
                return candidate;
            }
        }
        return INFERRED_WINDOWS.get(INFERRED_WINDOWS.size() - 1);
    }

    /** {@code window} in the unit of a time index of type {@code unit}, rounded down. */
    static long toUnits(Duration window, DataType unit) {
        Duration tick = switch (unit) {
            case TIMESTAMP_MILLIS -> Duration.ofMillis(1);
            case TIMESTAMP_MICROS -> Duration.ofNanos(1_000);
            case TIMESTAMP_NANOS -> Duration.ofNanos(1);
            case BOOLEAN, INT32, INT64, FLOAT32, FLOAT64, STRING, BINARY ->
                    throw new IllegalArgumentException("Invalid time index type " + unit + ": not a timestamp type");
        };
        long units;
        try {
            units = window.dividedBy(tick);
        }
        catch (ArithmeticException e) {
            throw new IllegalArgumentException("Compaction time window " + window + " is too large for a time index of type " + unit, e);
        }
        if (units < 1) {
            throw new IllegalArgumentException("Compaction time window " + window + " is shorter than one unit of a time index of type "
                    + unit);
        }
        return units;
    }

    private static final Comparator<FileMeta> OLDEST_FIRST = Comparator
            .comparingLong((FileMeta file) -> file.timeRange().start())
            .thenComparingLong(file -> file.timeRange().end())
            .thenComparingLong(FileMeta::maxSequence)
            .thenComparing(FileMeta::fileId);

    /** More files; on a tie more level-0 files. Windows are visited oldest first, so the older wins a full tie. */
    private static boolean better(List<FileMeta> candidate, List<FileMeta> chosen) {
        if (candidate.size() != chosen.size()) {
            return candidate.size() > chosen.size();
        }
        return levelZeroFiles(candidate) > levelZeroFiles(chosen);
    }

    private static long levelZeroFiles(List<FileMeta> files) {
        return files.stream().filter(file -> file.level() == 0).count();
    }

    private static long windowStart(long index, long windowUnits) {
        try {
            return Math.multiplyExact(index, windowUnits);
        }
        catch (ArithmeticException e) {
            return Long.MIN_VALUE; // the lowest window is cut off at the smallest timestamp
        }
    }
}
