package dev.regolith.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FileMetaTest {

    private static final RegionId REGION = RegionId.of(1024, 1);
    private static final FileId FILE = new FileId(new UUID(0, 42));
    private static final TimeRange RANGE = new TimeRange(0, 9_990_000);

    @Test
    void withIndexKeepsEverythingElse() {
        FileMeta file = new FileMeta(REGION, FILE, RANGE, 1, 52_311, 1_000, 2, 77, Optional.empty());
        FileIndex index = new FileIndex(List.of("host"), 512, 1);

        FileMeta indexed = file.withIndex(index);

        assertThat(indexed.index()).contains(index);
        assertThat(indexed).isEqualTo(new FileMeta(REGION, FILE, RANGE, 1, 52_311, 1_000, 2, 77, Optional.of(index)));
        assertThat(file.index()).isEmpty();
    }

    @Test
    void negativeLevelIsRejected() {
        assertThatThrownBy(() -> new FileMeta(REGION, FILE, RANGE, -1, 0, 0, 0, 0, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid level for file 00000000-0000-0000-0000-00000000002a: -1");
    }

    @Test
    void negativeFileSizeIsRejected() {
        assertThatThrownBy(() -> new FileMeta(REGION, FILE, RANGE, 0, -2, 0, 0, 0, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid file size for file 00000000-0000-0000-0000-00000000002a: -2");
    }

    @Test
    void negativeRowCountIsRejected() {
        assertThatThrownBy(() -> new FileMeta(REGION, FILE, RANGE, 0, 0, -3, 0, 0, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid row count for file 00000000-0000-0000-0000-00000000002a: -3");
    }

    @Test
    void negativeRowGroupCountIsRejected() {
        assertThatThrownBy(() -> new FileMeta(REGION, FILE, RANGE, 0, 0, 0, -4, 0, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid row group count for file 00000000-0000-0000-0000-00000000002a: -4");
    }

    @Test
    void negativeMaxSequenceIsRejected() {
        assertThatThrownBy(() -> new FileMeta(REGION, FILE, RANGE, 0, 0, 0, 0, -5, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid max sequence for file 00000000-0000-0000-0000-00000000002a: -5");
    }

    @Test
    void missingIndexMustBeEmptyNotNull() {
        assertThatThrownBy(() -> new FileMeta(REGION, FILE, RANGE, 0, 0, 0, 0, 0, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("index is null");
    }

    @Test
    void indexColumnsAreAnImmutableCopy() {
        List<String> columns = new ArrayList<>(List.of("host"));
        FileIndex index = new FileIndex(columns, 10, 1);

        columns.add("dc");

        assertThat(index.columns()).containsExactly("host");
        assertThatThrownBy(() -> index.columns().add("dc")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void indexWithNegativeSizeOrVersionIsRejected() {
        assertThatThrownBy(() -> new FileIndex(List.of(), -1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid index file size: -1");
        assertThatThrownBy(() -> new FileIndex(List.of(), 0, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid index version: -1");
    }

    @Test
    void fileIdRoundTripsThroughText() {
        FileId id = FileId.random();

        assertThat(FileId.parse(id.toString())).isEqualTo(id);
        assertThat(FILE).hasToString("00000000-0000-0000-0000-00000000002a");
    }

    @Test
    void fileIdParseRejectsNonUuid() {
        assertThatThrownBy(() -> FileId.parse("not-a-uuid"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid file id 'not-a-uuid': expected a UUID")
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }
}
