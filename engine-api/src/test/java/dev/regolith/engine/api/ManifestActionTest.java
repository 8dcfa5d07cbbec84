package dev.regolith.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.ManifestAction.Change;
import dev.regolith.engine.api.ManifestAction.Edit;
import dev.regolith.engine.api.ManifestAction.Kind;
import dev.regolith.engine.api.ManifestAction.PartitionExprChange;
import dev.regolith.engine.api.ManifestAction.Remove;
import dev.regolith.engine.api.ManifestAction.TruncateAll;
import dev.regolith.engine.api.ManifestAction.TruncatePartial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ManifestActionTest {

    private static final RegionId REGION = RegionId.of(1024, 1);
    private static final RegionMetadata METADATA = new RegionMetadata(REGION,
            List.of(ColumnSchema.tag("host", 1, DataType.STRING), ColumnSchema.timeIndex("ts", 0, DataType.TIMESTAMP_MILLIS)));

    private static FileMeta file(long n) {
        return new FileMeta(REGION, new FileId(new UUID(0, n)), new TimeRange(0, 10), 0, 100, 10, 1, n, Optional.empty());
    }

    @Test
    void editRejectsAFileAddedTwice() {
        FileMeta first = file(1);
        FileMeta sameIdOtherLevel = new FileMeta(REGION, first.fileId(), first.timeRange(), 1, 1, 1, 1, 1, Optional.empty());

        assertThatThrownBy(() -> Edit.ofFiles(List.of(first, file(2), sameIdOtherLevel), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid edit: file 00000000-0000-0000-0000-000000000001 is added twice");
    }

    @Test
    void editRejectsNegativeFlushedEntryId() {
        assertThatThrownBy(() -> new Edit(List.of(), List.of(), OptionalLong.of(-1), OptionalLong.empty(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid flushed entry id: -1");
    }

    @Test
    void editRejectsNegativeFlushedSequence() {
        assertThatThrownBy(() -> new Edit(List.of(), List.of(), OptionalLong.empty(), OptionalLong.of(-7), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid flushed sequence: -7");
    }

    @Test
    void editRejectsZeroCompactionWindow() {
        assertThatThrownBy(() -> new Edit(List.of(), List.of(), OptionalLong.empty(), OptionalLong.empty(),
                Optional.of(Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid compaction time window: PT0S");
    }

    @Test
    void editRejectsNegativeCompactionWindow() {
        assertThatThrownBy(() -> new Edit(List.of(), List.of(), OptionalLong.empty(), OptionalLong.empty(),
                Optional.of(Duration.ofHours(-1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid compaction time window: PT-1H");
    }

    @Test
    void editAcceptsZeroFlushMarksAndPositiveWindow() {
        Edit edit = new Edit(List.of(file(1)), List.of(file(2)), OptionalLong.of(0), OptionalLong.of(0),
                Optional.of(Duration.ofMillis(1)));

        assertThat(edit.flushedEntryId()).hasValue(0);
        assertThat(edit.compactionTimeWindow()).contains(Duration.ofMillis(1));
    }

    @Test
    void editCopiesItsFileLists() {
        List<FileMeta> added = new ArrayList<>(List.of(file(1)));
        Edit edit = Edit.ofFiles(added, List.of());

        added.add(file(2));

        assertThat(edit.filesToAdd()).containsExactly(file(1));
        assertThatThrownBy(() -> edit.filesToRemove().add(file(3))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void truncateAllRejectsNegativeIds() {
        assertThatThrownBy(() -> new TruncateAll(-1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid truncated entry id: -1");
        assertThatThrownBy(() -> new TruncateAll(0, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid truncated sequence: -1");
    }

    @Test
    void eachActionReportsItsKind() {
        assertThat(new Change(METADATA).kind()).isEqualTo(Kind.CHANGE);
        assertThat(Edit.ofFiles(List.of(), List.of()).kind()).isEqualTo(Kind.EDIT);
        assertThat(new TruncateAll(1, 1).kind()).isEqualTo(Kind.TRUNCATE);
        assertThat(new TruncatePartial(List.of(file(1))).kind()).isEqualTo(Kind.TRUNCATE);
        assertThat(new Remove(REGION).kind()).isEqualTo(Kind.REMOVE);
        assertThat(new PartitionExprChange(Optional.empty()).kind()).isEqualTo(Kind.PARTITION_EXPR_CHANGE);
    }

    @Test
    void actionListRejectsNoActions() {
        assertThatThrownBy(ManifestActionList::of)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid action list: it has no actions");
        assertThatThrownBy(() -> new ManifestActionList(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid action list: it has no actions");
    }

    @Test
    void concatKeepsThisListsActionsFirst() {
        ManifestAction change = new Change(METADATA);
        ManifestAction edit = Edit.ofFiles(List.of(file(1)), List.of());
        ManifestAction truncate = new TruncateAll(3, 4);
        ManifestActionList first = ManifestActionList.of(change, edit);
        ManifestActionList second = ManifestActionList.of(truncate);

        assertThat(first.concat(second).actions()).containsExactly(change, edit, truncate);
        assertThat(second.concat(first).actions()).containsExactly(truncate, change, edit);
        assertThat(first.actions()).containsExactly(change, edit);
    }

    @Test
    void kindsFollowActionOrder() {
        ManifestActionList actions = ManifestActionList.of(
                Edit.ofFiles(List.of(), List.of()),
                new Change(METADATA),
                new PartitionExprChange(Optional.of("host < 'm'")),
                new TruncatePartial(List.of()),
                new Remove(REGION));

        assertThat(actions.kinds())
                .containsExactly(Kind.EDIT, Kind.CHANGE, Kind.PARTITION_EXPR_CHANGE, Kind.TRUNCATE, Kind.REMOVE);
    }

    @Test
    void actionListIsAnImmutableCopy() {
        List<ManifestAction> source = new ArrayList<>(List.of(new Remove(REGION)));
        ManifestActionList actions = new ManifestActionList(source);

        source.add(new TruncateAll(0, 0));

        assertThat(actions.kinds()).containsExactly(Kind.REMOVE);
        assertThatThrownBy(() -> actions.actions().add(new Remove(REGION))).isInstanceOf(UnsupportedOperationException.class);
    }
}
