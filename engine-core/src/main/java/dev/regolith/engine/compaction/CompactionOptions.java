package dev.regolith.engine.compaction;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * How a region compacts its SST files by time window (TWCS). {@link #DEFAULT}: window inferred
 * from the data, compact a window once it holds 4 files, at most 32 inputs per compaction, outputs
 * split at 512 MiB.
 *
 * @param window the time window files are grouped by; empty to use the window the manifest
 *     recorded, or else to infer one from the files (see {@link TimeWindowPicker})
 * @param triggerFiles a window is compacted once it holds at least this many files
 * @param maxInputs at most this many files go into one compaction
 * @param maxOutputFileBytes an output file is closed, and the next one started, once it reaches
 *     about this size
 */
public record CompactionOptions(Optional<Duration> window, int triggerFiles, int maxInputs, long maxOutputFileBytes) {

    public static final int DEFAULT_TRIGGER_FILES = 4;
    public static final int DEFAULT_MAX_INPUTS = 32;
    public static final long DEFAULT_MAX_OUTPUT_FILE_BYTES = 512L << 20;

    public static final CompactionOptions DEFAULT = new CompactionOptions(Optional.empty(), DEFAULT_TRIGGER_FILES, DEFAULT_MAX_INPUTS,
            DEFAULT_MAX_OUTPUT_FILE_BYTES);

    public CompactionOptions {
        requireNonNull(window, "window is null");
        window.ifPresent(CompactionOptions::checkWindow);
        // One file per window is the steady state: compacting it again would never end.
        if (triggerFiles < 2) {
            throw new IllegalArgumentException("Invalid compaction trigger: " + triggerFiles + " files (must be >= 2)");
        }
        if (maxInputs < triggerFiles) {
            throw new IllegalArgumentException("Invalid compaction max inputs: " + maxInputs + " files (must be >= the trigger of "
                    + triggerFiles + " files, or a window that triggers cannot be compacted at once)");
        }
        if (maxOutputFileBytes < 1) {
            throw new IllegalArgumentException("Invalid compaction max output file size: " + maxOutputFileBytes + " bytes (must be >= 1)");
        }
    }

    public CompactionOptions withWindow(Duration window) {
        return new CompactionOptions(Optional.of(requireNonNull(window, "window is null")), triggerFiles, maxInputs, maxOutputFileBytes);
    }

    public CompactionOptions withTriggerFiles(int triggerFiles) {
        return new CompactionOptions(window, triggerFiles, maxInputs, maxOutputFileBytes);
    }

    public CompactionOptions withMaxInputs(int maxInputs) {
        return new CompactionOptions(window, triggerFiles, maxInputs, maxOutputFileBytes);
    }

    public CompactionOptions withMaxOutputFileBytes(long maxOutputFileBytes) {
        return new CompactionOptions(window, triggerFiles, maxInputs, maxOutputFileBytes);
    }

    private static void checkWindow(Duration window) {
        // Whole seconds convert exactly to every time index unit, and match the granularity of
        // the windows the manifest records.
        if (window.isNegative() || window.isZero() || window.getNano() != 0) {
            throw new IllegalArgumentException("Invalid compaction time window: " + window + " (must be a positive whole number of seconds,"
                    + " for example PT1H)");
        }
    }
}
