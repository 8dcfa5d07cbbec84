package dev.regolith.engine.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.wal.proto.ValueProto;
import dev.regolith.engine.wal.proto.WalEntryProto;
import dev.regolith.engine.wal.proto.WalRowProto;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The mapping between row values and the WAL's protobuf messages, and the key peek replay relies on. */
class WalEntryCodecTest {

    private static InternalRow put(long sequence, Object... values) {
        return new InternalRow(values, sequence, OpType.PUT);
    }

    @Test
    void eachJavaTypeHasItsOwnValueKind() {
        assertThat(WalEntryCodec.encodeValue(true).getValueCase()).isEqualTo(ValueProto.ValueCase.BOOL_VALUE);
        assertThat(WalEntryCodec.encodeValue(1).getValueCase()).isEqualTo(ValueProto.ValueCase.INT32_VALUE);
        assertThat(WalEntryCodec.encodeValue(1L).getValueCase()).isEqualTo(ValueProto.ValueCase.INT64_VALUE);
        assertThat(WalEntryCodec.encodeValue(1f).getValueCase()).isEqualTo(ValueProto.ValueCase.FLOAT_VALUE);
        assertThat(WalEntryCodec.encodeValue(1d).getValueCase()).isEqualTo(ValueProto.ValueCase.DOUBLE_VALUE);
        assertThat(WalEntryCodec.encodeValue("1").getValueCase()).isEqualTo(ValueProto.ValueCase.STRING_VALUE);
        assertThat(WalEntryCodec.encodeValue(new byte[] {1}).getValueCase()).isEqualTo(ValueProto.ValueCase.BYTES_VALUE);
        assertThat(WalEntryCodec.encodeValue(null).getValueCase()).isEqualTo(ValueProto.ValueCase.VALUE_NOT_SET);
    }

    @Test
    void rowsDecodeToWhatWasEncoded() {
        List<InternalRow> rows = List.of(put(1, 7, 7L, "x", null, new byte[] {9}), new InternalRow(new Object[] {"x", null}, 2, OpType.DELETE));

        List<InternalRow> decoded = WalEntryCodec.decodeRows(WalEntryCodec.encodeRows(rows));

        assertThat(decoded).isEqualTo(rows);
        assertThat(decoded.get(0).value(0)).isInstanceOf(Integer.class);
        assertThat(decoded.get(0).value(1)).isInstanceOf(Long.class);
    }

    @Test
    void unknownOpTypeDoesNotDecode() {
        WalRowProto row = WalRowProto.newBuilder().setSequence(1).setOpType(7).build();

        assertThatThrownBy(() -> WalEntryCodec.decodeRows(List.of(row)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("row 0: Unknown op type code 7");
    }

    @Test
    void nullRowIsRejected() {
        assertThatThrownBy(() -> WalEntryCodec.encodeRows(Arrays.asList(put(1, "x"), null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid WAL rows: row 1 is null");
    }

    @Test
    void keyIsReadWithoutTheRows() throws Exception {
        RegionId region = RegionId.of(-1, -1); // all 64 bits set: fixed64 must not be read as signed varint
        byte[] payload = WalEntryCodec.entry(region, 1L << 40, 3, WalEntryCodec.encodeRows(List.of(put(1, "x")))).toByteArray();

        assertThat(WalEntryCodec.peekKey(payload)).isEqualTo(new WalEntryCodec.EntryKey(region.id(), 1L << 40));
    }

    @Test
    void keyOfRegionZeroIsFoundThoughProtobufOmitsTheField() throws Exception {
        byte[] payload = WalEntryProto.newBuilder().setRegionId(0).setEntryId(5)
                .addRows(WalRowProto.newBuilder().setSequence(1)).build().toByteArray();

        assertThat(WalEntryCodec.peekKey(payload)).isEqualTo(new WalEntryCodec.EntryKey(0, 5));
    }
}
