package dev.regolith.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegionIdTest {

    @Test
    void ofPacksTableIdHighAndRegionNumberLow() {
        RegionId id = RegionId.of(1024, 1);

        assertThat(id.id()).isEqualTo((1024L << 32) | 1L);
        assertThat(id.tableId()).isEqualTo(1024);
        assertThat(id.regionNumber()).isEqualTo(1);
    }

    @Test
    void regionNumberWithHighBitSetDoesNotLeakIntoTableId() {
        RegionId id = RegionId.of(7, 0x8000_0000);

        assertThat(id.id()).isEqualTo(0x0000_0007_8000_0000L);
        assertThat(id.tableId()).isEqualTo(7);
        assertThat(Integer.toUnsignedLong(id.regionNumber())).isEqualTo(2_147_483_648L);
    }

    @Test
    void tableIdAndRegionNumberAreUnsigned() {
        RegionId id = RegionId.of(-1, -1);

        assertThat(id.id()).isEqualTo(-1L);
        assertThat(Integer.toUnsignedLong(id.tableId())).isEqualTo(4_294_967_295L);
        assertThat(Integer.toUnsignedLong(id.regionNumber())).isEqualTo(4_294_967_295L);
        assertThat(id).hasToString("4294967295_4294967295");
    }

    @Test
    void toStringPadsRegionNumberToTenDigits() {
        assertThat(RegionId.of(1024, 1)).hasToString("1024_0000000001");
        assertThat(RegionId.of(0, 0)).hasToString("0_0000000000");
        assertThat(RegionId.of(1, 1_234_567_890)).hasToString("1_1234567890");
    }

    @Test
    void parseReadsTextForm() {
        assertThat(RegionId.parse("1024_0000000001")).isEqualTo(RegionId.of(1024, 1));
    }

    @Test
    void parseRoundTripsValuesAboveIntegerMaxValue() {
        RegionId id = RegionId.parse("3000000000_2147483648");

        assertThat(Integer.toUnsignedLong(id.tableId())).isEqualTo(3_000_000_000L);
        assertThat(Integer.toUnsignedLong(id.regionNumber())).isEqualTo(2_147_483_648L);
        assertThat(id).hasToString("3000000000_2147483648");
        assertThat(RegionId.parse(id.toString())).isEqualTo(id);
    }

    @Test
    void parseRoundTripsRandomIds() {
        long seed = Long.getLong("regolith.test.seed", System.nanoTime());
        System.out.println("RegionIdTest.parseRoundTripsRandomIds seed=" + seed + " (rerun with -Dregolith.test.seed=" + seed + ")");
        Random random = new Random(seed);
        for (int i = 0; i < 10_000; i++) {
            RegionId id = new RegionId(random.nextLong());
            assertThat(RegionId.parse(id.toString())).as("seed %d, id %s", seed, id).isEqualTo(id);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1024", "_0000000001", "1024_"})
    void parseRejectsMissingUnderscoreOrPart(String text) {
        assertThatThrownBy(() -> RegionId.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid region id '" + text + "': expected {table_id}_{region_number}, e.g. 1024_0000000001");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc_1", "1024_x", "-1_1", "1024_-1", "1_2_3", "1 _2", "+1024_1", "1024_+1",
            "\u0661\u0660\u0662\u0664_1"})
    void parseRejectsPartsThatAreNotDigits(String text) {
        assertThatThrownBy(() -> RegionId.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid region id '" + text + "': table id and region number must be unsigned 32-bit numbers");
    }

    @ParameterizedTest
    @ValueSource(strings = {"4294967296_1", "1_4294967296", "99999999999999999999_1"})
    void parseRejectsPartsAboveUnsigned32Bits(String text) {
        assertThatThrownBy(() -> RegionId.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid region id '" + text + "': table id and region number must be unsigned 32-bit numbers")
                .hasCauseInstanceOf(NumberFormatException.class);
    }

    @Test
    void compareToOrdersByUnsignedTableIdThenRegionNumber() {
        RegionId small = RegionId.of(1, 5);
        RegionId sameTableLaterRegion = RegionId.of(1, -1);
        RegionId hugeTable = RegionId.of(-1, 0);

        assertThat(small).isLessThan(sameTableLaterRegion);
        assertThat(sameTableLaterRegion).isLessThan(hugeTable);
        assertThat(RegionId.of(3, 3)).isEqualByComparingTo(RegionId.of(3, 3));
    }
}
