package dev.regolith.engine.manifest;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.manifest.proto.RegionMetadataProto;

/**
 * The binary form of {@link RegionMetadata}, the same protobuf message the manifest uses; for
 * files that carry their schema (SST key-value metadata, WAL entries).
 */
public final class RegionMetadataCodec {

    private RegionMetadataCodec() {
    }

    public static byte[] toBytes(RegionMetadata metadata) {
        return ManifestCodec.encode(metadata).toByteArray();
    }

    /**
     * @throws IllegalArgumentException if {@code bytes} is not valid encoded metadata
     */
    public static RegionMetadata fromBytes(byte[] bytes) {
        try {
            return ManifestCodec.decode(RegionMetadataProto.parseFrom(bytes));
        }
        catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not encoded region metadata: " + e.getMessage(), e);
        }
    }
}
