package dev.regolith.engine.sst;

import io.airlift.compress.Compressor;
import io.airlift.compress.Decompressor;
import io.airlift.compress.snappy.SnappyCompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.format.CompressionCodec;

/**
 * Compresses and decompresses page bodies with aircompressor (pure Java, so no native libraries
 * and no Hadoop codec classes). Not thread-safe: one per writer or per read.
 */
final class PageCompression {

    /** {@code length} bytes of {@code array} from {@code offset}. */
    record Slice(byte[] array, int offset, int length) {
    }

    private final SstWriteOptions.Codec codec;
    private final Compressor compressor;
    private final Decompressor decompressor;
    private byte[] raw = new byte[0];
    private byte[] compressed = new byte[0];

    PageCompression(SstWriteOptions.Codec codec) {
        this.codec = codec;
        this.compressor = switch (codec) {
            case ZSTD -> new ZstdCompressor();
            case SNAPPY -> new SnappyCompressor();
            case UNCOMPRESSED -> null;
        };
        this.decompressor = switch (codec) {
            case ZSTD -> new ZstdDecompressor();
            case SNAPPY -> new SnappyDecompressor();
            case UNCOMPRESSED -> null;
        };
    }

    SstWriteOptions.Codec codec() {
        return codec;
    }

    CompressionCodec formatCodec() {
        return switch (codec) {
            case ZSTD -> CompressionCodec.ZSTD;
            case SNAPPY -> CompressionCodec.SNAPPY;
            case UNCOMPRESSED -> CompressionCodec.UNCOMPRESSED;
        };
    }

    /** The codec of a footer's column chunk, if SSTs use it. */
    static Optional<SstWriteOptions.Codec> ofFormat(CompressionCodec codec) {
        if (codec == null) {
            return Optional.empty();
        }
        return switch (codec) {
            case ZSTD -> Optional.of(SstWriteOptions.Codec.ZSTD);
            case SNAPPY -> Optional.of(SstWriteOptions.Codec.SNAPPY);
            case UNCOMPRESSED -> Optional.of(SstWriteOptions.Codec.UNCOMPRESSED);
            default -> Optional.empty();
        };
    }

    /** Compresses {@code page}; the result shares buffers that the next call overwrites. */
    Slice compress(BytesInput page) throws IOException {
        int size = Math.toIntExact(page.size());
        if (raw.length < size) {
            raw = new byte[Math.max(size, raw.length * 2)];
        }
        ArrayOutput target = new ArrayOutput(raw);
        page.writeAllTo(target);
        if (target.count != size) {
            throw new IllegalStateException("page of " + size + " bytes wrote " + target.count);
        }
        if (compressor == null) {
            return new Slice(raw, 0, size);
        }
        int bound = compressor.maxCompressedLength(size);
        if (compressed.length < bound) {
            compressed = new byte[Math.max(bound, compressed.length * 2)];
        }
        int length = compressor.compress(raw, 0, size, compressed, 0, compressed.length);
        return new Slice(compressed, 0, length);
    }

    /**
     * Decompresses a page body that must expand to exactly {@code uncompressedSize} bytes.
     *
     * @throws IllegalArgumentException if it does not, or does not decompress at all
     */
    Slice decompress(byte[] input, int offset, int length, int uncompressedSize) {
        if (decompressor == null) {
            if (length != uncompressedSize) {
                throw new IllegalArgumentException("uncompressed page holds " + length + " bytes, but its header says "
                        + uncompressedSize);
            }
            return new Slice(input, offset, length);
        }
        byte[] output;
        int written;
        try {
            if (codec == SstWriteOptions.Codec.SNAPPY) {
                // Snappy states its length up front: check it before decompressing into a fixed buffer.
                int stated = SnappyDecompressor.getUncompressedLength(input, offset);
                if (stated != uncompressedSize) {
                    throw new IllegalArgumentException("Snappy page expands to " + stated + " bytes, but its header says "
                            + uncompressedSize);
                }
            }
            output = new byte[uncompressedSize];
            written = decompressor.decompress(input, offset, length, output, 0, output.length);
        }
        catch (IllegalArgumentException e) {
            throw e;
        }
        catch (RuntimeException e) {
            throw new IllegalArgumentException(codec + " page does not decompress: " + e, e);
        }
        if (written != uncompressedSize) {
            throw new IllegalArgumentException(codec + " page expands to " + written + " bytes, but its header says "
                    + uncompressedSize);
        }
        return new Slice(output, 0, written);
    }

    /** Writes into a caller's array, which is large enough. */
    private static final class ArrayOutput extends OutputStream {

        private final byte[] target;
        private int count;

        ArrayOutput(byte[] target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            target[count++] = (byte) b;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            System.arraycopy(bytes, offset, target, count, length);
            count += length;
        }
    }
}
