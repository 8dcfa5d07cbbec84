package dev.regolith.hooks.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.hooks.spi.SstFilesWrittenEvent.Reason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SstFilesWrittenEventTest {

    private static final RegionId REGION = RegionId.of(1024, 1);

    private static RegionMetadata metadata(RegionId region) {
        return new RegionMetadata(region,
                List.of(ColumnSchema.tag("host", 1, DataType.STRING), ColumnSchema.timeIndex("ts", 0, DataType.TIMESTAMP_MILLIS)));
    }

    private static WrittenSstFile written(long n) {
        FileMeta meta = new FileMeta(REGION, new FileId(new UUID(0, n)), new TimeRange(0, 1), 0, 10, 1, 1, 1, Optional.empty());
        return new WrittenSstFile(meta, Path.of(meta.fileId() + ".parquet"), List.of());
    }

    @Test
    void metadataOfAnotherRegionIsRejected() {
        assertThatThrownBy(() -> new SstFilesWrittenEvent(REGION, metadata(RegionId.of(1024, 2)), Reason.FLUSH, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Metadata of region 1024_0000000002 given for region 1024_0000000001");
    }

    @Test
    void filesAreAnImmutableCopy() {
        List<WrittenSstFile> files = new ArrayList<>(List.of(written(1)));
        SstFilesWrittenEvent event = new SstFilesWrittenEvent(REGION, metadata(REGION), Reason.COMPACTION, files);

        files.add(written(2));

        assertThat(event.files()).containsExactly(written(1));
        assertThatThrownBy(() -> event.files().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void writtenFileStatisticsAreAnImmutableCopy() {
        List<ColumnStatistics> statistics = new ArrayList<>(List.of(new ColumnStatistics("host", 0, Optional.of("a"),
                Optional.of("z"))));
        WrittenSstFile file = new WrittenSstFile(written(1).meta(), Path.of("f.parquet"), statistics);

        statistics.clear();

        assertThat(file.columnStatistics()).extracting(ColumnStatistics::column).containsExactly("host");
    }
}
