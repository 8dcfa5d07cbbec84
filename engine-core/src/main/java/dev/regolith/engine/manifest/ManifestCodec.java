package dev.regolith.engine.manifest;

import com.google.protobuf.ByteString;
import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileIndex;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestAction.Change;
import dev.regolith.engine.api.ManifestAction.Edit;
import dev.regolith.engine.api.ManifestAction.PartitionExprChange;
import dev.regolith.engine.api.ManifestAction.Remove;
import dev.regolith.engine.api.ManifestAction.TruncateAll;
import dev.regolith.engine.api.ManifestAction.TruncatePartial;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.SemanticType;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.engine.manifest.proto.ActionProto;
import dev.regolith.engine.manifest.proto.ChangeProto;
import dev.regolith.engine.manifest.proto.ColumnSchemaProto;
import dev.regolith.engine.manifest.proto.DataTypeProto;
import dev.regolith.engine.manifest.proto.EditProto;
import dev.regolith.engine.manifest.proto.FileIndexProto;
import dev.regolith.engine.manifest.proto.FileMetaProto;
import dev.regolith.engine.manifest.proto.PartitionExprChangeProto;
import dev.regolith.engine.manifest.proto.RegionManifestProto;
import dev.regolith.engine.manifest.proto.RegionMetadataProto;
import dev.regolith.engine.manifest.proto.RemoveProto;
import dev.regolith.engine.manifest.proto.SemanticTypeProto;
import dev.regolith.engine.manifest.proto.TruncateAllProto;
import dev.regolith.engine.manifest.proto.TruncatePartialProto;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Converts between the engine's API records and their protobuf form. Decoding validates through
 * the records' constructors, so a message that decodes is a valid value; anything else throws
 * {@link IllegalArgumentException}, which the caller turns into an error naming the file.
 */
final class ManifestCodec {

    private ManifestCodec() {
    }

    static ActionProto encode(ManifestAction action) {
        ActionProto.Builder proto = ActionProto.newBuilder();
        switch (action.kind()) {
            case CHANGE -> proto.setChange(ChangeProto.newBuilder().setMetadata(encode(((Change) action).metadata())));
            case EDIT -> proto.setEdit(encode((Edit) action));
            case TRUNCATE -> {
                if (action instanceof TruncateAll all) {
                    proto.setTruncateAll(TruncateAllProto.newBuilder()
                            .setTruncatedEntryId(all.truncatedEntryId())
                            .setTruncatedSequence(all.truncatedSequence()));
                }
                else {
                    proto.setTruncatePartial(TruncatePartialProto.newBuilder()
                            .addAllFilesToRemove(encodeFiles(((TruncatePartial) action).filesToRemove())));
                }
            }
            case REMOVE -> proto.setRemove(RemoveProto.newBuilder().setRegionId(((Remove) action).regionId().id()));
            case PARTITION_EXPR_CHANGE -> {
                PartitionExprChangeProto.Builder change = PartitionExprChangeProto.newBuilder();
                ((PartitionExprChange) action).expr().ifPresent(change::setExpr);
                proto.setPartitionExprChange(change);
            }
        }
        return proto.build();
    }

    static ManifestAction decode(ActionProto proto) {
        return switch (proto.getActionCase()) {
            case CHANGE -> new Change(decode(proto.getChange().getMetadata()));
            case EDIT -> decode(proto.getEdit());
            case TRUNCATE_ALL -> new TruncateAll(proto.getTruncateAll().getTruncatedEntryId(),
                    proto.getTruncateAll().getTruncatedSequence());
            case TRUNCATE_PARTIAL -> new TruncatePartial(decodeFiles(proto.getTruncatePartial().getFilesToRemoveList()));
            case REMOVE -> new Remove(new RegionId(proto.getRemove().getRegionId()));
            case PARTITION_EXPR_CHANGE -> new PartitionExprChange(proto.getPartitionExprChange().hasExpr()
                    ? Optional.of(proto.getPartitionExprChange().getExpr())
                    : Optional.empty());
            case ACTION_NOT_SET -> throw new IllegalArgumentException("action with no known kind (written by a newer engine?)");
        };
    }

    static List<ActionProto> encode(ManifestActionList actions) {
        return actions.actions().stream().map(ManifestCodec::encode).toList();
    }

    static ManifestActionList decodeActions(List<ActionProto> protos) {
        return new ManifestActionList(protos.stream().map(ManifestCodec::decode).toList());
    }

    static RegionManifestProto encode(RegionManifest manifest) {
        RegionManifestProto.Builder proto = RegionManifestProto.newBuilder()
                .setMetadata(encode(manifest.metadata()))
                .addAllFiles(encodeFiles(manifest.files().values()))
                .setFlushedEntryId(manifest.flushedEntryId())
                .setFlushedSequence(manifest.flushedSequence())
                .setManifestVersion(manifest.manifestVersion());
        manifest.truncatedEntryId().ifPresent(proto::setTruncatedEntryId);
        manifest.compactionTimeWindow().ifPresent(window -> proto.setCompactionTimeWindowMillis(window.toMillis()));
        manifest.partitionExpr().ifPresent(proto::setPartitionExpr);
        return proto.build();
    }

    static RegionManifest decode(RegionManifestProto proto) {
        Map<FileId, FileMeta> files = new LinkedHashMap<>();
        for (FileMeta file : decodeFiles(proto.getFilesList())) {
            if (files.put(file.fileId(), file) != null) {
                throw new IllegalArgumentException("file " + file.fileId() + " is listed twice");
            }
        }
        return new RegionManifest(
                decode(proto.getMetadata()),
                files,
                proto.getFlushedEntryId(),
                proto.getFlushedSequence(),
                proto.hasTruncatedEntryId() ? OptionalLong.of(proto.getTruncatedEntryId()) : OptionalLong.empty(),
                proto.hasCompactionTimeWindowMillis()
                        ? Optional.of(Duration.ofMillis(proto.getCompactionTimeWindowMillis()))
                        : Optional.empty(),
                proto.hasPartitionExpr() ? Optional.of(proto.getPartitionExpr()) : Optional.empty(),
                proto.getManifestVersion());
    }

    static RegionMetadataProto encode(RegionMetadata metadata) {
        RegionMetadataProto.Builder proto = RegionMetadataProto.newBuilder()
                .setRegionId(metadata.regionId().id())
                .setSchemaVersion(metadata.schemaVersion())
                .putAllOptions(metadata.options());
        for (ColumnSchema column : metadata.columns()) {
            proto.addColumns(ColumnSchemaProto.newBuilder()
                    .setName(column.name())
                    .setColumnId(column.columnId())
                    .setDataType(encode(column.dataType()))
                    .setSemanticType(encode(column.semanticType()))
                    .setNullable(column.nullable()));
        }
        return proto.build();
    }

    static RegionMetadata decode(RegionMetadataProto proto) {
        List<ColumnSchema> columns = new ArrayList<>(proto.getColumnsCount());
        for (ColumnSchemaProto column : proto.getColumnsList()) {
            columns.add(new ColumnSchema(
                    column.getName(),
                    column.getColumnId(),
                    decode(column.getDataType(), column.getName()),
                    decode(column.getSemanticType(), column.getName()),
                    column.getNullable()));
        }
        return new RegionMetadata(new RegionId(proto.getRegionId()), columns, proto.getSchemaVersion(), proto.getOptionsMap());
    }

    static FileMetaProto encode(FileMeta file) {
        FileMetaProto.Builder proto = FileMetaProto.newBuilder()
                .setRegionId(file.regionId().id())
                .setFileId(encode(file.fileId()))
                .setTimeRangeStart(file.timeRange().start())
                .setTimeRangeEnd(file.timeRange().end())
                .setLevel(file.level())
                .setFileSize(file.fileSize())
                .setNumRows(file.numRows())
                .setNumRowGroups(file.numRowGroups())
                .setMaxSequence(file.maxSequence());
        file.index().ifPresent(index -> proto.setIndex(FileIndexProto.newBuilder()
                .addAllColumns(index.columns())
                .setFileSize(index.fileSize())
                .setVersion(index.version())));
        return proto.build();
    }

    static FileMeta decode(FileMetaProto proto) {
        Optional<FileIndex> index = proto.hasIndex()
                ? Optional.of(new FileIndex(proto.getIndex().getColumnsList(), proto.getIndex().getFileSize(),
                        proto.getIndex().getVersion()))
                : Optional.empty();
        return new FileMeta(
                new RegionId(proto.getRegionId()),
                decodeFileId(proto.getFileId()),
                new TimeRange(proto.getTimeRangeStart(), proto.getTimeRangeEnd()),
                proto.getLevel(),
                proto.getFileSize(),
                proto.getNumRows(),
                proto.getNumRowGroups(),
                proto.getMaxSequence(),
                index);
    }

    private static EditProto encode(Edit edit) {
        EditProto.Builder proto = EditProto.newBuilder()
                .addAllFilesToAdd(encodeFiles(edit.filesToAdd()))
                .addAllFilesToRemove(encodeFiles(edit.filesToRemove()));
        edit.flushedEntryId().ifPresent(proto::setFlushedEntryId);
        edit.flushedSequence().ifPresent(proto::setFlushedSequence);
        edit.compactionTimeWindow().ifPresent(window -> proto.setCompactionTimeWindowMillis(window.toMillis()));
        return proto.build();
    }

    private static Edit decode(EditProto proto) {
        return new Edit(
                decodeFiles(proto.getFilesToAddList()),
                decodeFiles(proto.getFilesToRemoveList()),
                proto.hasFlushedEntryId() ? OptionalLong.of(proto.getFlushedEntryId()) : OptionalLong.empty(),
                proto.hasFlushedSequence() ? OptionalLong.of(proto.getFlushedSequence()) : OptionalLong.empty(),
                proto.hasCompactionTimeWindowMillis()
                        ? Optional.of(Duration.ofMillis(proto.getCompactionTimeWindowMillis()))
                        : Optional.empty());
    }

    private static List<FileMetaProto> encodeFiles(Iterable<FileMeta> files) {
        List<FileMetaProto> protos = new ArrayList<>();
        files.forEach(file -> protos.add(encode(file)));
        return protos;
    }

    private static List<FileMeta> decodeFiles(List<FileMetaProto> protos) {
        return protos.stream().map(ManifestCodec::decode).toList();
    }

    private static ByteString encode(FileId fileId) {
        ByteBuffer bytes = ByteBuffer.allocate(16);
        bytes.putLong(fileId.uuid().getMostSignificantBits()).putLong(fileId.uuid().getLeastSignificantBits());
        return ByteString.copyFrom(bytes.array());
    }

    private static FileId decodeFileId(ByteString bytes) {
        if (bytes.size() != 16) {
            throw new IllegalArgumentException("file id of " + bytes.size() + " bytes, expected 16");
        }
        ByteBuffer buffer = bytes.asReadOnlyByteBuffer();
        return new FileId(new UUID(buffer.getLong(), buffer.getLong()));
    }

    private static DataTypeProto encode(DataType type) {
        return switch (type) {
            case BOOLEAN -> DataTypeProto.DATA_TYPE_BOOLEAN;
            case INT32 -> DataTypeProto.DATA_TYPE_INT32;
            case INT64 -> DataTypeProto.DATA_TYPE_INT64;
            case FLOAT32 -> DataTypeProto.DATA_TYPE_FLOAT32;
            case FLOAT64 -> DataTypeProto.DATA_TYPE_FLOAT64;
            case STRING -> DataTypeProto.DATA_TYPE_STRING;
            case BINARY -> DataTypeProto.DATA_TYPE_BINARY;
            case TIMESTAMP_MILLIS -> DataTypeProto.DATA_TYPE_TIMESTAMP_MILLIS;
            case TIMESTAMP_MICROS -> DataTypeProto.DATA_TYPE_TIMESTAMP_MICROS;
            case TIMESTAMP_NANOS -> DataTypeProto.DATA_TYPE_TIMESTAMP_NANOS;
        };
    }

    private static DataType decode(DataTypeProto proto, String column) {
        return switch (proto) {
            case DATA_TYPE_BOOLEAN -> DataType.BOOLEAN;
            case DATA_TYPE_INT32 -> DataType.INT32;
            case DATA_TYPE_INT64 -> DataType.INT64;
            case DATA_TYPE_FLOAT32 -> DataType.FLOAT32;
            case DATA_TYPE_FLOAT64 -> DataType.FLOAT64;
            case DATA_TYPE_STRING -> DataType.STRING;
            case DATA_TYPE_BINARY -> DataType.BINARY;
            case DATA_TYPE_TIMESTAMP_MILLIS -> DataType.TIMESTAMP_MILLIS;
            case DATA_TYPE_TIMESTAMP_MICROS -> DataType.TIMESTAMP_MICROS;
            case DATA_TYPE_TIMESTAMP_NANOS -> DataType.TIMESTAMP_NANOS;
            case DATA_TYPE_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException(
                    "column " + column + " has an unknown data type (written by a newer engine?)");
        };
    }

    private static SemanticTypeProto encode(SemanticType type) {
        return switch (type) {
            case TAG -> SemanticTypeProto.SEMANTIC_TYPE_TAG;
            case FIELD -> SemanticTypeProto.SEMANTIC_TYPE_FIELD;
            case TIMESTAMP -> SemanticTypeProto.SEMANTIC_TYPE_TIMESTAMP;
        };
    }

    private static SemanticType decode(SemanticTypeProto proto, String column) {
        return switch (proto) {
            case SEMANTIC_TYPE_TAG -> SemanticType.TAG;
            case SEMANTIC_TYPE_FIELD -> SemanticType.FIELD;
            case SEMANTIC_TYPE_TIMESTAMP -> SemanticType.TIMESTAMP;
            case SEMANTIC_TYPE_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException(
                    "column " + column + " has an unknown semantic type (written by a newer engine?)");
        };
    }
}
