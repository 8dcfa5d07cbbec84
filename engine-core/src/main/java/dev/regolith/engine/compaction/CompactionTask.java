package dev.regolith.engine.compaction;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.TimeRange;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One compaction chosen by {@link TimeWindowPicker}: the files of one time window to merge into new
 * level-1 files.
 *
 * @param windowSize the size of the time windows files were grouped by
 * @param windowStart the first value of the chosen window, in the unit of the region's time index;
 *     the window holds the inputs' time range ends
 * @param inputs the files to merge, oldest time range first; at least two
 * @param dropDeletes whether the merge may drop delete rows: true only when no live file outside
 *     the inputs overlaps their time range, so no older version can be hidden behind a delete
 * @param chosenWindow the window to record in the commit's {@code Edit.compactionTimeWindow}:
 *     present when it is not the window the manifest already holds
 */
public record CompactionTask(Duration windowSize, long windowStart, List<FileMeta> inputs, boolean dropDeletes,
        Optional<Duration> chosenWindow) {

    public CompactionTask {
        requireNonNull(windowSize, "windowSize is null");
        inputs = List.copyOf(requireNonNull(inputs, "inputs is null"));
        requireNonNull(chosenWindow, "chosenWindow is null");
        if (windowSize.isNegative() || windowSize.isZero()) {
            throw new IllegalArgumentException("Invalid compaction window size: " + windowSize);
        }
        if (inputs.size() < 2) {
            throw new IllegalArgumentException("Invalid compaction task: " + inputs.size() + " input files (must be >= 2)");
        }
        Set<FileId> ids = new HashSet<>();
        for (FileMeta input : inputs) {
            if (!ids.add(input.fileId())) {
                throw new IllegalArgumentException("Invalid compaction task: file " + input.fileId() + " is an input twice");
            }
        }
    }

    /** The smallest range holding every input's time range. */
    public TimeRange inputTimeRange() {
        return combinedRange(inputs);
    }

    /**
     * Whether every input is still among {@code liveFiles} (matched by file id). If not, a
     * truncate or another compaction removed one meanwhile and this task's output must be
     * discarded.
     */
    public boolean inputsLive(Collection<FileMeta> liveFiles) {
        Set<FileId> live = new HashSet<>();
        for (FileMeta file : liveFiles) {
            live.add(file.fileId());
        }
        return inputs.stream().allMatch(input -> live.contains(input.fileId()));
    }

    static TimeRange combinedRange(Collection<FileMeta> files) {
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (FileMeta file : files) {
            start = Math.min(start, file.timeRange().start());
            end = Math.max(end, file.timeRange().end());
        }
        return new TimeRange(start, end);
    }
}
