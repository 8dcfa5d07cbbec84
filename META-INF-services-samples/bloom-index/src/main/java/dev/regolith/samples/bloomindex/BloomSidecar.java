package dev.regolith.samples.bloomindex;

import static java.util.Objects.requireNonNull;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnel;
import com.google.common.hash.Funnels;
import dev.regolith.engine.api.exceptions.CorruptedFileException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * One bloom sidecar: a bloom filter over the values of one column of one SST file, as stored in
 * {@code <dir>/<region>/<file>.bloom}. Immutable and thread-safe.
 *
 * <p>The file, big-endian:
 * <pre>
 * offset  size  field
 *      0     4  magic "RBLM"
 *      4     4  format version, 1
 *      8     2  n: length of the column name in UTF-8 bytes
 *     10     n  the column name, UTF-8
 *   10+n     8  distinct non-null values put into the filter
 *   18+n     4  m: length of the filter
 *   22+n     m  the filter, as Guava's BloomFilter.writeTo writes it (UTF-8 string funnel)
 * 22+n+m     4  CRC32C of every byte before it
 * </pre>
 */
public final class BloomSidecar {

    /** The file name suffix of a sidecar. */
    public static final String SUFFIX = ".bloom";
    /** The current format version. */
    public static final int FORMAT_VERSION = 1;

    private static final int MAGIC = 0x52424C4D; // "RBLM"
    private static final Funnel<CharSequence> FUNNEL = Funnels.stringFunnel(StandardCharsets.UTF_8);
    /** magic, version, column length, value count, filter length, checksum. */
    private static final int FIXED_BYTES = 4 + 4 + 2 + 8 + 4 + 4;

    private final String column;
    private final long valueCount;
    private final BloomFilter<CharSequence> filter;

    private BloomSidecar(String column, long valueCount, BloomFilter<CharSequence> filter) {
        this.column = column;
        this.valueCount = valueCount;
        this.filter = filter;
    }

    /**
     * A sidecar over {@code values} of {@code column}: a filter sized for the number of distinct
     * values at false positive probability {@code fpp}. The result depends on the set of values
     * only, not on their order, so the same file always gives the same bytes.
     */
    static BloomSidecar build(String column, Set<String> values, double fpp) {
        requireNonNull(column, "column is null");
        BloomFilter<CharSequence> filter = BloomFilter.create(FUNNEL, Math.max(1, values.size()), fpp);
        values.forEach(filter::put);
        return new BloomSidecar(column, values.size(), filter);
    }

    /**
     * Reads and checks the sidecar {@code file}.
     *
     * @throws UncheckedIOException with a {@link NoSuchFileException} if there is no such file, or
     *     if it cannot be read
     * @throws CorruptedFileException if it is not a sidecar of this format or does not match its
     *     checksum; the message names the file and the offset
     */
    public static BloomSidecar read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        }
        catch (NoSuchFileException e) {
            NoSuchFileException missing = new NoSuchFileException(file.toString(), null,
                    "no bloom-index sidecar (the SST is not live, not indexed yet, or its schema has no indexed column)");
            missing.initCause(e);
            throw new UncheckedIOException("No bloom-index sidecar " + file, missing);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read bloom-index sidecar " + file + ": " + e.getMessage(), e);
        }
        return decode(file.toString(), bytes);
    }

    static BloomSidecar decode(String file, byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (bytes.length < FIXED_BYTES) {
            throw new CorruptedFileException(file, 0, "too short for a bloom-index sidecar: " + bytes.length + " bytes");
        }
        int magic = buffer.getInt(0);
        if (magic != MAGIC) {
            throw new CorruptedFileException(file, 0, String.format("bad magic 0x%08x, expected 0x%08x (\"RBLM\")", magic, MAGIC));
        }
        int bodyLength = bytes.length - 4;
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bodyLength);
        int stored = buffer.getInt(bodyLength);
        if (stored != (int) crc.getValue()) {
            throw new CorruptedFileException(file, bodyLength, String.format("checksum mismatch: stored 0x%08x, computed 0x%08x",
                    stored, (int) crc.getValue()));
        }
        buffer.position(4).limit(bodyLength);
        try {
            int version = buffer.getInt();
            if (version != FORMAT_VERSION) {
                throw new CorruptedFileException(file, 4, "format version " + version + ", this reader reads version "
                        + FORMAT_VERSION);
            }
            int columnLength = Short.toUnsignedInt(buffer.getShort());
            ByteBuffer columnBytes = buffer.slice(buffer.position(), columnLength);
            buffer.position(buffer.position() + columnLength);
            String column = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(columnBytes).toString();
            long valueCount = buffer.getLong();
            int filterOffset = buffer.position() + 4;
            int filterLength = buffer.getInt();
            if (filterLength != buffer.remaining()) {
                throw new CorruptedFileException(file, filterOffset - 4, "filter length " + filterLength + ", but "
                        + buffer.remaining() + " bytes precede the checksum");
            }
            BloomFilter<CharSequence> filter;
            ByteArrayInputStream in = new ByteArrayInputStream(bytes, filterOffset, filterLength);
            try {
                filter = BloomFilter.readFrom(in, FUNNEL);
            }
            catch (IOException | RuntimeException e) {
                throw new CorruptedFileException(file, filterOffset, "the filter does not decode: " + e.getMessage(), e);
            }
            if (in.available() != 0) {
                throw new CorruptedFileException(file, filterOffset + filterLength - in.available(), in.available()
                        + " bytes of the filter are left over after decoding it");
            }
            return new BloomSidecar(column, valueCount, filter);
        }
        catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new CorruptedFileException(file, buffer.position(), "the header is truncated", e);
        }
        catch (CharacterCodingException e) {
            throw new CorruptedFileException(file, 10, "the column name is not UTF-8", e);
        }
    }

    /** The file's bytes, checksum included. */
    byte[] encode() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(64 + (int) Math.min(filter.approximateElementCount(), 1 << 20));
            DataOutputStream data = new DataOutputStream(out);
            byte[] columnBytes = column.getBytes(StandardCharsets.UTF_8);
            if (columnBytes.length > 0xFFFF) {
                throw new IllegalArgumentException("Column name too long for a bloom-index sidecar: " + columnBytes.length
                        + " UTF-8 bytes");
            }
            ByteArrayOutputStream filterBytes = new ByteArrayOutputStream();
            filter.writeTo(filterBytes);
            data.writeInt(MAGIC);
            data.writeInt(FORMAT_VERSION);
            data.writeShort(columnBytes.length);
            data.write(columnBytes);
            data.writeLong(valueCount);
            data.writeInt(filterBytes.size());
            filterBytes.writeTo(data);
            data.flush();
            CRC32C crc = new CRC32C();
            byte[] body = out.toByteArray();
            crc.update(body);
            data.writeInt((int) crc.getValue());
            data.flush();
            return out.toByteArray();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
    }

    /** The column whose values the filter holds. */
    public String column() {
        return column;
    }

    /** How many distinct non-null values were put into the filter. */
    public long valueCount() {
        return valueCount;
    }

    /**
     * Whether the SST file may hold {@code value} in {@link #column()}: {@code false} means it
     * certainly does not (the file can be skipped), {@code true} that it may (read it).
     */
    public boolean mightContain(String value) {
        return filter.mightContain(requireNonNull(value, "value is null"));
    }

    @Override
    public String toString() {
        return "BloomSidecar[column=" + column + ", values=" + valueCount + ", fpp=" + filter.expectedFpp() + "]";
    }
}
