package dev.regolith.engine.manifest;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.file;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileIndex;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.manifest.proto.ActionProto;
import dev.regolith.engine.manifest.proto.ColumnSchemaProto;
import dev.regolith.engine.manifest.proto.DataTypeProto;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ManifestCodecTest {

    @Test
    void everyActionKindRoundTrips() {
        FileMeta indexed = file(REGION, 5, 10).withIndex(new FileIndex(List.of("hostname"), 128, 1));
        ManifestActionList actions = ManifestActionList.of(
                new ManifestAction.Change(metadata(REGION)),
                new ManifestAction.Edit(List.of(indexed, file(REGION, 0, 1)), List.of(file(REGION, 9, 9)), OptionalLong.of(42),
                        OptionalLong.of(4200), Optional.of(Duration.ofHours(2))),
                ManifestAction.Edit.ofFiles(List.of(), List.of()),
                new ManifestAction.TruncateAll(7, 70),
                new ManifestAction.TruncatePartial(List.of(file(REGION, 1, 1))),
                new ManifestAction.Remove(REGION),
                new ManifestAction.PartitionExprChange(Optional.of("host < 'm'")),
                new ManifestAction.PartitionExprChange(Optional.empty()));

        assertThat(ManifestCodec.decodeActions(ManifestCodec.encode(actions))).isEqualTo(actions);
    }

    @Test
    void manifestStateRoundTrips() {
        FileMeta file = file(REGION, 0, 10);
        RegionManifest manifest = new RegionManifest(metadata(REGION), Map.of(file.fileId(), file), 10, 20, OptionalLong.of(3),
                Optional.of(Duration.ofDays(1)), Optional.of("host < 'm'"), 12);

        assertThat(ManifestCodec.decode(ManifestCodec.encode(manifest))).isEqualTo(manifest);
    }

    @Test
    void unknownActionIsRejected() {
        assertThatThrownBy(() -> ManifestCodec.decode(ActionProto.getDefaultInstance()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("action with no known kind (written by a newer engine?)");
    }

    @Test
    void unknownDataTypeNamesTheColumn() {
        var proto = ManifestCodec.encode(metadata(REGION)).toBuilder()
                .setColumns(1, ColumnSchemaProto.newBuilder().setName("usage_user").setColumnId(1)
                        .setDataType(DataTypeProto.DATA_TYPE_UNSPECIFIED))
                .build();

        assertThatThrownBy(() -> ManifestCodec.decode(proto))
                .hasMessage("column usage_user has an unknown data type (written by a newer engine?)");
    }

    @Test
    void fileIdKeepsAllSixteenBytes() {
        FileId id = FileId.parse("ffffffff-ffff-4fff-8fff-000000000001");
        FileMeta original = new FileMeta(REGION, id, file(REGION, 0, 1).timeRange(), 1, 1, 1, 1, 1, Optional.empty());

        assertThat(ManifestCodec.decode(ManifestCodec.encode(original)).fileId()).isEqualTo(id);
    }
}
