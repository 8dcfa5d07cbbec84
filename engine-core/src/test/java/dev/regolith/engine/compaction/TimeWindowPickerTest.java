package dev.regolith.engine.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.TimeRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TimeWindowPickerTest {

    private static final RegionId REGION = RegionId.of(9, 1);
    private static final long HOUR_MS = Duration.ofHours(1).toMillis();
    private static final long SMALL = 1 << 20;

    private final TimeWindowPicker picker = new TimeWindowPicker(CompactionOptions.DEFAULT);

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "TIMESTAMP_NANOS"})
    void inferredWindowRoundsUpToTheNextBucket(DataType unit) {
        Map<Duration, Duration> spanToWindow = new LinkedHashMap<>();
        spanToWindow.put(Duration.ZERO, Duration.ofHours(1));
        spanToWindow.put(Duration.ofMinutes(59), Duration.ofHours(1));
        spanToWindow.put(Duration.ofHours(1), Duration.ofHours(1));
        spanToWindow.put(Duration.ofHours(1).plus(unitDuration(unit)), Duration.ofHours(2));
        spanToWindow.put(Duration.ofHours(2), Duration.ofHours(2));
        spanToWindow.put(Duration.ofHours(2).plus(unitDuration(unit)), Duration.ofHours(12));
        spanToWindow.put(Duration.ofHours(12), Duration.ofHours(12));
        spanToWindow.put(Duration.ofHours(12).plus(unitDuration(unit)), Duration.ofDays(1));
        spanToWindow.put(Duration.ofDays(1), Duration.ofDays(1));
        spanToWindow.put(Duration.ofDays(1).plus(unitDuration(unit)), Duration.ofDays(7));
        spanToWindow.put(Duration.ofDays(7), Duration.ofDays(7));
        spanToWindow.put(Duration.ofDays(7).plus(unitDuration(unit)), Duration.ofDays(7));
        spanToWindow.put(Duration.ofDays(400), Duration.ofDays(7));
        spanToWindow.forEach((span, expected) -> {
            long spanUnits = span.dividedBy(unitDuration(unit));
            long base = Duration.ofDays(20_000).dividedBy(unitDuration(unit));
            // The widest file decides; the narrow ones beside it do not.
            List<FileMeta> files = List.of(file(base, base + spanUnits, 0), file(base, base, 0), file(base + 1, base + 2, 0));
            assertThat(TimeWindowPicker.inferWindow(files, unit)).as("span %s in %s", span, unit).isEqualTo(expected);
        });
    }

    @Test
    void inferredWindowIsUsedByPickAndReportedAsChosen() {
        // Four files spanning 3h each: a 12h window, the one holding their ends.
        long day = 19_000 * 24 * HOUR_MS;
        List<FileMeta> files = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            files.add(file(day + i * HOUR_MS, day + (i + 3) * HOUR_MS, 0));
        }
        CompactionTask task = picker.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.empty()).orElseThrow();
        assertThat(task.windowSize()).isEqualTo(Duration.ofHours(12));
        assertThat(task.windowStart()).isEqualTo(day);
        assertThat(task.chosenWindow()).contains(Duration.ofHours(12));
        assertThat(task.inputs()).containsExactlyElementsOf(files);
    }

    @Test
    void timeValuesAreReadInTheTimeIndexUnit() {
        // The same numbers are 90 minutes in microseconds, 62.5 days in milliseconds, 5.4 s in nanoseconds.
        List<FileMeta> files = List.of(file(0, 5_400_000_000L, 0));
        assertThat(TimeWindowPicker.inferWindow(files, DataType.TIMESTAMP_MICROS)).isEqualTo(Duration.ofHours(2));
        assertThat(TimeWindowPicker.inferWindow(files, DataType.TIMESTAMP_MILLIS)).isEqualTo(Duration.ofDays(7));
        assertThat(TimeWindowPicker.inferWindow(files, DataType.TIMESTAMP_NANOS)).isEqualTo(Duration.ofHours(1));
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "TIMESTAMP_NANOS"})
    void windowStartIsInTheTimeIndexUnit(DataType unit) {
        long day = Duration.ofDays(1).dividedBy(unitDuration(unit));
        List<FileMeta> files = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            files.add(file(3 * day + i, 3 * day + i + 10, 0));
        }
        CompactionTask task = new TimeWindowPicker(CompactionOptions.DEFAULT.withWindow(Duration.ofDays(1)))
                .pick(metadata(unit), files, Optional.empty()).orElseThrow();
        assertThat(task.windowStart()).isEqualTo(3 * day);
        assertThat(task.windowSize()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void configuredWindowWinsOverCommittedAndInferred() {
        // Tiny files would infer 1h; the manifest says 2h; the options say 1d.
        List<FileMeta> files = List.of(file(0, 1, 0), file(5 * HOUR_MS, 5 * HOUR_MS + 1, 0), file(11 * HOUR_MS, 11 * HOUR_MS, 0),
                file(23 * HOUR_MS, 23 * HOUR_MS + 5, 0));
        CompactionTask task = new TimeWindowPicker(CompactionOptions.DEFAULT.withWindow(Duration.ofDays(1)))
                .pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.of(Duration.ofHours(2))).orElseThrow();
        assertThat(task.windowSize()).isEqualTo(Duration.ofDays(1));
        assertThat(task.windowStart()).isZero();
        assertThat(task.chosenWindow()).contains(Duration.ofDays(1));
        assertThat(task.inputs()).hasSize(4);
    }

    @Test
    void committedWindowIsUsedWhenNoneIsConfigured() {
        // These files would infer 1h and fall into four windows; the recorded 12h window holds them all.
        List<FileMeta> files = List.of(file(0, 1, 0), file(3 * HOUR_MS, 3 * HOUR_MS, 0), file(6 * HOUR_MS, 6 * HOUR_MS, 0),
                file(11 * HOUR_MS, 11 * HOUR_MS, 0));
        assertThat(picker.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.empty())).isEmpty();

        CompactionTask task = picker.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.of(Duration.ofHours(12))).orElseThrow();
        assertThat(task.windowSize()).isEqualTo(Duration.ofHours(12));
        assertThat(task.chosenWindow()).as("the manifest holds this window already").isEmpty();
        assertThat(task.inputs()).hasSize(4);
    }

    @Test
    void fileBelongsToTheWindowOfItsTimeRangeEnd() {
        TimeWindowPicker hourly = new TimeWindowPicker(CompactionOptions.DEFAULT.withWindow(Duration.ofHours(1)));
        FileMeta straddling = file(HOUR_MS / 2, HOUR_MS + HOUR_MS / 2, 0);
        List<FileMeta> files = new ArrayList<>(List.of(file(0, 10, 0), file(20, 30, 0), file(40, 50, 0), straddling));
        assertThat(hourly.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.empty()))
                .as("the straddling file ends in the second hour")
                .isEmpty();

        files.add(file(HOUR_MS - 10, HOUR_MS - 1, 0));
        CompactionTask task = hourly.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.empty()).orElseThrow();
        assertThat(task.windowStart()).isZero();
        assertThat(task.inputs()).hasSize(4).doesNotContain(straddling);
        assertThat(task.dropDeletes()).as("the straddling file overlaps the inputs").isFalse();
    }

    @Test
    void negativeTimestampsFallIntoEpochAlignedWindows() {
        TimeWindowPicker hourly = new TimeWindowPicker(CompactionOptions.DEFAULT.withWindow(Duration.ofHours(1)));
        List<FileMeta> files = List.of(file(-40, -30, 0), file(-20, -10, 0), file(-HOUR_MS, -HOUR_MS, 0), file(-5, -1, 0));
        CompactionTask task = hourly.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.empty()).orElseThrow();
        assertThat(task.windowStart()).isEqualTo(-HOUR_MS);
        assertThat(task.inputs()).hasSize(4);
    }

    @Test
    void windowIsCompactedOnlyOnceItReachesTheTrigger() {
        List<FileMeta> files = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            files.add(file(i * 100, i * 100 + 50, 0));
        }
        assertThat(picker.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.empty())).isEmpty();
        files.add(file(500, 600, 0));
        assertThat(picker.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.empty())).isPresent();

        TimeWindowPicker six = new TimeWindowPicker(CompactionOptions.DEFAULT.withTriggerFiles(6));
        files.add(file(700, 800, 0));
        assertThat(six.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.empty())).isEmpty();
        files.add(file(900, 1000, 0));
        assertThat(six.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.empty()).orElseThrow().inputs()).hasSize(6);
    }

    @Test
    void noTaskWhenEveryWindowIsBelowTheTrigger() {
        List<FileMeta> files = new ArrayList<>();
        for (int window = 0; window < 5; window++) {
            for (int i = 0; i < 3; i++) {
                files.add(file(window * HOUR_MS + i * 10, window * HOUR_MS + i * 10 + 5, 0));
            }
        }
        assertThat(picker.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.empty())).isEmpty();
        assertThat(picker.pick(metadata(DataType.TIMESTAMP_MILLIS), List.of(), Optional.empty())).isEmpty();
    }

    @Test
    void atMost32InputsOldestTimeRangeFirst() {
        long seed = Long.getLong("regolith.test.seed", new Random().nextLong());
        System.out.println("TimeWindowPickerTest.atMost32InputsOldestTimeRangeFirst seed=" + seed);
        // 40 overlapping files in one hour, given in random order.
        List<FileMeta> files = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            files.add(file(i * 60_000L, i * 60_000L + 300_000L, 0));
        }
        List<FileMeta> shuffled = new ArrayList<>(files);
        Collections.shuffle(shuffled, new Random(seed));
        CompactionTask task = picker.pick(metadata(DataType.TIMESTAMP_MILLIS), shuffled, Optional.empty()).orElseThrow();
        assertThat(task.inputs()).containsExactlyElementsOf(files.subList(0, 32));
        assertThat(task.dropDeletes()).as("file 32 starts before file 31 ends").isFalse();
    }

    @Test
    void deletesMayBeDroppedWhenNoOtherFileOverlapsTheInputs() {
        // 36 disjoint files: the 4 left out start after the 32 inputs end.
        List<FileMeta> files = new ArrayList<>();
        for (int i = 0; i < 36; i++) {
            files.add(file(i * 60_000L, i * 60_000L + 30_000L, 0));
        }
        files.add(file(2 * HOUR_MS, 3 * HOUR_MS - 1, 0)); // another window, not overlapping
        CompactionTask task = picker.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.empty()).orElseThrow();
        assertThat(task.inputs()).containsExactlyElementsOf(files.subList(0, 32));
        assertThat(task.dropDeletes()).isTrue();
    }

    @Test
    void deletesAreKeptWhenAFileOfAnotherWindowOverlapsTheInputs() {
        TimeWindowPicker hourly = new TimeWindowPicker(CompactionOptions.DEFAULT.withWindow(Duration.ofHours(1)));
        List<FileMeta> files = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            files.add(file(HOUR_MS + i * 1000, HOUR_MS + i * 1000 + 500, 0));
        }
        List<FileMeta> disjoint = new ArrayList<>(files);
        disjoint.add(file(0, HOUR_MS - 1, 1));
        assertThat(hourly.pick(metadata(DataType.TIMESTAMP_MILLIS), disjoint, Optional.empty()).orElseThrow().dropDeletes()).isTrue();

        // An older compaction output reaching from the first hour into the second.
        List<FileMeta> overlapping = new ArrayList<>(files);
        overlapping.add(file(0, HOUR_MS + 100, 1));
        CompactionTask task = hourly.pick(metadata(DataType.TIMESTAMP_MILLIS), overlapping, Optional.empty()).orElseThrow();
        assertThat(task.inputs()).hasSize(5);
        assertThat(task.dropDeletes()).as("all overlapping files are inputs").isTrue();

        // One that reaches past the window's end instead belongs to the next window.
        List<FileMeta> later = new ArrayList<>(files);
        later.add(file(HOUR_MS + 200, 3 * HOUR_MS, 1));
        task = hourly.pick(metadata(DataType.TIMESTAMP_MILLIS), later, Optional.empty()).orElseThrow();
        assertThat(task.inputs()).containsExactlyElementsOf(files);
        assertThat(task.dropDeletes()).isFalse();
    }

    @Test
    void fullCompactionOutputsAreLeftOutOfWindows() {
        long max = CompactionOptions.DEFAULT.maxOutputFileBytes();
        // The split output of an earlier compaction: three full files and a partial last one.
        List<FileMeta> files = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            files.add(sizedFile(0, HOUR_MS - 1, 1, max + i));
        }
        files.add(sizedFile(0, HOUR_MS - 1, 1, max / 3));
        assertThat(picker.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.of(Duration.ofHours(1))))
                .as("one window of four files, but three are full")
                .isEmpty();

        List<FileMeta> fresh = List.of(file(10, 20, 0), file(30, 40, 0), file(50, 60, 0));
        files.addAll(fresh);
        CompactionTask task = picker.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.of(Duration.ofHours(1))).orElseThrow();
        assertThat(task.inputs()).containsExactlyInAnyOrder(files.get(3), fresh.get(0), fresh.get(1), fresh.get(2));
        assertThat(task.dropDeletes()).as("the full files overlap the inputs").isFalse();
    }

    @Test
    void windowWithTheMostFilesIsChosen() {
        TimeWindowPicker hourly = new TimeWindowPicker(CompactionOptions.DEFAULT.withWindow(Duration.ofHours(1)));
        List<FileMeta> files = new ArrayList<>();
        files.addAll(window(0, 4, 0));
        files.addAll(window(1, 5, 0));
        files.addAll(window(2, 4, 0));
        assertThat(hourly.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.empty()).orElseThrow().windowStart())
                .isEqualTo(HOUR_MS);
    }

    @Test
    void tiesGoToMoreLevelZeroFilesThenToTheOlderWindow() {
        TimeWindowPicker hourly = new TimeWindowPicker(CompactionOptions.DEFAULT.withWindow(Duration.ofHours(1)));
        List<FileMeta> files = new ArrayList<>();
        files.addAll(window(0, 2, 1));
        files.addAll(window(0, 2, 0));
        files.addAll(window(1, 4, 0));
        files.addAll(window(2, 4, 0));
        assertThat(hourly.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.empty()).orElseThrow().windowStart())
                .as("windows 1 and 2 hold four level-0 files each; window 1 is older")
                .isEqualTo(HOUR_MS);
        // The same files listed in another order give the same answer.
        Collections.reverse(files);
        assertThat(hourly.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.empty()).orElseThrow().windowStart())
                .isEqualTo(HOUR_MS);
    }

    @Test
    void windowThatDoesNotFitTheTimeUnitIsRejected() {
        List<FileMeta> files = window(0, 4, 0);
        TimeWindowPicker huge = new TimeWindowPicker(CompactionOptions.DEFAULT.withWindow(Duration.ofDays(365L * 300)));
        assertThatThrownBy(() -> huge.pick(metadata(DataType.TIMESTAMP_NANOS), files, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Compaction time window PT2628000H is too large for a time index of type TIMESTAMP_NANOS");
        assertThatThrownBy(() -> picker.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.of(Duration.ofNanos(10))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Compaction time window PT0.00000001S is shorter than one unit of a time index of type TIMESTAMP_MILLIS");
    }

    @Test
    void inputsLiveMatchesByFileId() {
        List<FileMeta> files = window(0, 4, 0);
        CompactionTask task = picker.pick(metadata(DataType.TIMESTAMP_MILLIS), files, Optional.empty()).orElseThrow();
        List<FileMeta> live = new ArrayList<>(files);
        live.add(file(5, 6, 0));
        assertThat(task.inputsLive(live)).isTrue();
        live.remove(files.get(2));
        assertThat(task.inputsLive(live)).isFalse();
        assertThat(task.inputTimeRange()).isEqualTo(CompactionTask.combinedRange(files));
    }

    /** {@code count} small files inside hour {@code hour}. */
    private static List<FileMeta> window(int hour, int count, int level) {
        List<FileMeta> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long start = hour * HOUR_MS + i * 1_000L + level * 500_000L;
            files.add(file(start, start + 100, level));
        }
        return files;
    }

    static RegionMetadata metadata(DataType timeUnit) {
        return new RegionMetadata(REGION, List.of(
                ColumnSchema.tag("host", 0, DataType.STRING),
                ColumnSchema.field("usage", 1, DataType.FLOAT64),
                ColumnSchema.timeIndex("ts", 2, timeUnit)), 0, Map.of());
    }

    private static FileMeta file(long start, long end, int level) {
        return sizedFile(start, end, level, SMALL);
    }

    private static FileMeta sizedFile(long start, long end, int level, long size) {
        return new FileMeta(REGION, FileId.random(), new TimeRange(start, end), level, size, 100, 1, 100, Optional.empty());
    }

    private static Duration unitDuration(DataType unit) {
        return switch (unit) {
            case TIMESTAMP_MILLIS -> Duration.ofMillis(1);
            case TIMESTAMP_MICROS -> Duration.ofNanos(1_000);
            case TIMESTAMP_NANOS -> Duration.ofNanos(1);
            default -> throw new IllegalArgumentException(unit.toString());
        };
    }
}
