package dev.regolith.engine.wal;

import com.google.common.base.Utf8;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.wal.proto.ValueProto;
import dev.regolith.engine.wal.proto.WalEntryProto;
import dev.regolith.engine.wal.proto.WalRowProto;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts between {@link InternalRow}s and the WAL's protobuf messages. Encoding rejects what
 * would not read back as written; decoding rejects what no encoder produces.
 */
final class WalEntryCodec {

    private static final ValueProto NULL = ValueProto.getDefaultInstance();

    private WalEntryCodec() {
    }

    /**
     * @throws IllegalArgumentException naming the row and column of a value of a type
     *     {@link InternalRow} does not allow, or of a string with an unpaired surrogate (protobuf
     *     would silently replace it with '?')
     */
    static List<WalRowProto> encodeRows(List<InternalRow> rows) {
        List<WalRowProto> encoded = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            InternalRow row = rows.get(i);
            if (row == null) {
                throw new IllegalArgumentException("Invalid WAL rows: row " + i + " is null");
            }
            WalRowProto.Builder builder = WalRowProto.newBuilder()
                    .setSequence(row.sequence())
                    .setOpType(row.op().code());
            for (int column = 0; column < row.size(); column++) {
                try {
                    builder.addValues(encodeValue(row.value(column)));
                }
                catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("Invalid value in row " + i + ", column " + column + ": " + e.getMessage(), e);
                }
            }
            encoded.add(builder.build());
        }
        return encoded;
    }

    static ValueProto encodeValue(Object value) {
        if (value == null) {
            return NULL;
        }
        ValueProto.Builder builder = ValueProto.newBuilder();
        if (value instanceof Boolean b) {
            builder.setBoolValue(b);
        }
        else if (value instanceof Integer i) {
            builder.setInt32Value(i);
        }
        else if (value instanceof Long l) {
            builder.setInt64Value(l);
        }
        else if (value instanceof Float f) {
            builder.setFloatValue(f);
        }
        else if (value instanceof Double d) {
            builder.setDoubleValue(d);
        }
        else if (value instanceof String s) {
            try {
                Utf8.encodedLength(s);
            }
            catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("string is not valid UTF-16 (" + e.getMessage() + ")", e);
            }
            builder.setStringValue(s);
        }
        else if (value instanceof byte[] bytes) {
            // No copy: append() blocks until the entry is written, and the row owns the array.
            builder.setBytesValue(UnsafeByteOperations.unsafeWrap(bytes));
        }
        else {
            throw new IllegalArgumentException("unsupported value type " + value.getClass().getName()
                    + " (expected Boolean, Integer, Long, Float, Double, String, byte[] or null)");
        }
        return builder.build();
    }

    /** @throws IllegalArgumentException if a row has an unknown op type */
    static List<InternalRow> decodeRows(List<WalRowProto> rows) {
        List<InternalRow> decoded = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            WalRowProto row = rows.get(i);
            OpType op;
            try {
                op = OpType.ofCode(row.getOpType());
            }
            catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("row " + i + ": " + e.getMessage(), e);
            }
            Object[] values = new Object[row.getValuesCount()];
            for (int column = 0; column < values.length; column++) {
                values[column] = decodeValue(row.getValues(column));
            }
            decoded.add(new InternalRow(values, row.getSequence(), op));
        }
        return decoded;
    }

    static Object decodeValue(ValueProto value) {
        return switch (value.getValueCase()) {
            case BOOL_VALUE -> value.getBoolValue();
            case INT32_VALUE -> value.getInt32Value();
            case INT64_VALUE -> value.getInt64Value();
            case FLOAT_VALUE -> value.getFloatValue();
            case DOUBLE_VALUE -> value.getDoubleValue();
            case STRING_VALUE -> value.getStringValue();
            case BYTES_VALUE -> value.getBytesValue().toByteArray();
            case VALUE_NOT_SET -> null;
        };
    }

    static WalEntryProto entry(RegionId region, long entryId, long schemaVersion, List<WalRowProto> rows) {
        return WalEntryProto.newBuilder()
                .setRegionId(region.id())
                .setEntryId(entryId)
                .setSchemaVersion(schemaVersion)
                .addAllRows(rows)
                .build();
    }

    /** The region and entry id of an entry, read without parsing its rows. */
    record EntryKey(long regionId, long entryId) {
    }

    /**
     * Reads fields 1 and 2 of a serialized {@link WalEntryProto}. They come first in what
     * {@link WalEntryProto#writeTo} produces, so the rows are not even skipped over.
     */
    static EntryKey peekKey(byte[] payload) throws InvalidProtocolBufferException {
        CodedInputStream in = CodedInputStream.newInstance(payload);
        long regionId = 0;
        long entryId = 0;
        boolean seenRegion = false;
        boolean seenEntry = false;
        try {
            while (!(seenRegion && seenEntry)) {
                int tag = in.readTag();
                if (tag == 0) {
                    break;
                }
                int field = WireFormat.getTagFieldNumber(tag);
                int wireType = WireFormat.getTagWireType(tag);
                if (field == WalEntryProto.REGION_ID_FIELD_NUMBER && wireType == WireFormat.WIRETYPE_FIXED64) {
                    regionId = in.readFixed64();
                    seenRegion = true;
                }
                else if (field == WalEntryProto.ENTRY_ID_FIELD_NUMBER && wireType == WireFormat.WIRETYPE_VARINT) {
                    entryId = in.readUInt64();
                    seenEntry = true;
                }
                else if (!in.skipField(tag)) {
                    break;
                }
            }
        }
        catch (InvalidProtocolBufferException e) {
            throw e;
        }
        catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
        return new EntryKey(regionId, entryId);
    }
}
