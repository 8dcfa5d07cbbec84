package dev.regolith.engine.wal;

import static dev.regolith.engine.wal.WalTesting.REGION_A;
import static dev.regolith.engine.wal.WalTesting.REGION_B;
import static dev.regolith.engine.wal.WalTesting.REGION_C;
import static dev.regolith.engine.wal.WalTesting.delete;
import static dev.regolith.engine.wal.WalTesting.put;
import static dev.regolith.engine.wal.WalTesting.replay;
import static dev.regolith.engine.wal.WalTesting.replayedIds;
import static dev.regolith.engine.wal.WalTesting.rows;
import static dev.regolith.engine.wal.WalTesting.segmentNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.io.InMemoryFileIO;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.wal.WalTesting.Replayed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Appends read back exactly, per region, in entry-id order, from any entry id, across reopens. */
class WalTest {

    @TempDir
    Path dir;

    private Wal open() {
        return Wal.open(new LocalFileIO(), dir.resolve("wal"), WalOptions.DEFAULT);
    }

    @Test
    void everyValueTypeRoundTripsExactly() {
        InternalRow row = put(7,
                true, false,
                42, Integer.MIN_VALUE,
                42L, Long.MAX_VALUE, -1L,
                1.5f, Float.NaN, -0.0f,
                -0.0d, Double.POSITIVE_INFINITY, Double.MIN_VALUE,
                "héllo ☃ 𝄞", "",
                new byte[] {0, 1, -1, 127}, new byte[0],
                null);
        try (Wal wal = open()) {
            long entryId = wal.append(REGION_A, 3, List.of(row));

            assertThat(replay(wal, REGION_A, 0)).containsExactly(new Replayed(entryId, 3, List.of(row)));
        }
        try (Wal wal = open()) {
            List<Replayed> replayed = replay(wal, REGION_A, 0);

            assertThat(replayed).containsExactly(new Replayed(1, 3, List.of(row)));
            InternalRow back = replayed.get(0).rows().get(0);
            // An Integer 42 must not come back as a Long 42 or the other way round.
            assertThat(back.values()).extracting(value -> value == null ? null : value.getClass().getSimpleName())
                    .containsExactly("Boolean", "Boolean", "Integer", "Integer", "Long", "Long", "Long", "Float", "Float",
                            "Float", "Double", "Double", "Double", "String", "String", "byte[]", "byte[]", null);
            assertThat(Float.floatToRawIntBits((Float) back.value(8))).isEqualTo(Float.floatToRawIntBits(Float.NaN));
            assertThat(Float.floatToRawIntBits((Float) back.value(9))).isEqualTo(Float.floatToRawIntBits(-0.0f));
            assertThat(Double.doubleToRawLongBits((Double) back.value(10))).isEqualTo(Double.doubleToRawLongBits(-0.0d));
        }
    }

    @Test
    void deletesAndNullsRoundTrip() {
        List<InternalRow> rows = List.of(
                put(10, "host-1", 0.25, 1000L),
                delete(11, "host-1", null, 1000L),
                put(12, null, null, 2000L),
                delete(13, null, null, null));
        try (Wal wal = open()) {
            wal.append(REGION_A, 0, rows);
        }
        try (Wal wal = open()) {
            assertThat(replay(wal, REGION_A, 0)).containsExactly(new Replayed(1, 0, rows));
            assertThat(replay(wal, REGION_A, 0).get(0).rows()).extracting(InternalRow::op).map(Enum::name)
                    .containsExactly("PUT", "DELETE", "PUT", "DELETE");
        }
    }

    @Test
    void interleavedRegionsReplaySeparatelyInEntryIdOrder() {
        Map<RegionId, List<Replayed>> expected = new HashMap<>();
        RegionId[] regions = {REGION_A, REGION_B, REGION_C, REGION_A, REGION_A, REGION_C, REGION_B};
        try (Wal wal = open()) {
            long previous = 0;
            for (int i = 0; i < 30; i++) {
                RegionId region = regions[i % regions.length];
                long entryId = wal.append(region, i % 3, rows(i));
                assertThat(entryId).isGreaterThan(previous);
                previous = entryId;
                expected.computeIfAbsent(region, r -> new ArrayList<>()).add(new Replayed(entryId, i % 3, rows(i)));
            }
            for (RegionId region : expected.keySet()) {
                assertThat(replay(wal, region, 0)).as("region %s before reopening", region).isEqualTo(expected.get(region));
            }
        }
        try (Wal wal = open()) {
            for (RegionId region : expected.keySet()) {
                assertThat(replay(wal, region, 0)).as("region %s after reopening", region).isEqualTo(expected.get(region));
            }
            assertThat(replay(wal, RegionId.of(9, 9), 0)).isEmpty();
        }
    }

    @Test
    void replayStartsAfterTheGivenEntryId() {
        try (Wal wal = open()) {
            for (int i = 0; i < 10; i++) {
                wal.append(i % 2 == 0 ? REGION_A : REGION_B, 0, rows(i));
            }
            assertThat(replayedIds(wal, REGION_A, 0)).containsExactly(1L, 3L, 5L, 7L, 9L);
            assertThat(replayedIds(wal, REGION_A, 3)).containsExactly(5L, 7L, 9L);
            assertThat(replayedIds(wal, REGION_A, 4)).containsExactly(5L, 7L, 9L);
            assertThat(replayedIds(wal, REGION_A, 9)).isEmpty();
            assertThat(replayedIds(wal, REGION_B, 7)).containsExactly(8L, 10L);
        }
    }

    @Test
    void entryIdsKeepIncreasingAcrossReopens() {
        try (Wal wal = open()) {
            assertThat(wal.lastEntryId()).isZero();
            assertThat(wal.append(REGION_A, 0, rows(1))).isEqualTo(1);
            assertThat(wal.append(REGION_A, 0, rows(2))).isEqualTo(2);
        }
        try (Wal wal = open()) {
            assertThat(wal.lastEntryId()).isEqualTo(2);
            assertThat(wal.append(REGION_B, 0, rows(3))).isEqualTo(3);
        }
        long last;
        // Reopening without appending leaves segments that hold nothing; ids must not go back.
        try (Wal wal = open()) {
            last = wal.lastEntryId();
        }
        try (Wal wal = open()) {
            assertThat(wal.lastEntryId()).isGreaterThanOrEqualTo(last);
            assertThat(wal.append(REGION_A, 0, rows(4))).isGreaterThan(last);
            assertThat(replayedIds(wal, REGION_A, 0)).containsExactly(1L, 2L, wal.lastEntryId());
        }
    }

    @Test
    void reopeningWritesToANewSegmentNamedAfterTheNextEntryId() {
        Path walDir = dir.resolve("wal");
        try (Wal wal = open()) {
            wal.append(REGION_A, 0, rows(1));
            wal.append(REGION_A, 0, rows(2));
        }
        try (Wal wal = open()) {
            assertThat(segmentNames(walDir)).containsExactly("00000000000000000001.wal", "00000000000000000003.wal");
            assertThat(wal.append(REGION_A, 0, rows(3))).isEqualTo(3);
        }
    }

    @Test
    void flushedEntryIdBeyondTheLogRaisesLaterIds() {
        // A crash lost the unsynced tail (PERIODIC) after region A flushed entries up to 100.
        try (Wal wal = open()) {
            wal.obsolete(REGION_A, 100);

            assertThat(wal.lastEntryId()).isEqualTo(100);
            assertThat(wal.append(REGION_A, 0, rows(1))).isEqualTo(101);
            assertThat(replayedIds(wal, REGION_A, 100)).containsExactly(101L);
        }
        try (Wal wal = open()) {
            assertThat(replayedIds(wal, REGION_A, 100)).containsExactly(101L);
        }
    }

    @Test
    void invalidValueIsRejectedBeforeAnEntryIdIsTaken() {
        try (Wal wal = open()) {
            assertThatThrownBy(() -> wal.append(REGION_A, 0, List.of(put(1, "host", (short) 3))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Invalid value in row 0, column 1: unsupported value type java.lang.Short (expected Boolean, "
                            + "Integer, Long, Float, Double, String, byte[] or null)");
            assertThatThrownBy(() -> wal.append(REGION_A, 0, List.of(put(1, "ok"), put(2, "bad \uD800 surrogate"))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Invalid value in row 1, column 0: string is not valid UTF-16");
            assertThatThrownBy(() -> wal.append(REGION_A, -1, rows(1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Invalid schema version for a WAL append to region 1024_0000000001: -1");

            assertThat(wal.append(REGION_A, 0, rows(1))).isEqualTo(1);
        }
    }

    @Test
    void emptyEntryRoundTrips() {
        try (Wal wal = open()) {
            wal.append(REGION_A, 5, List.of());
        }
        try (Wal wal = open()) {
            assertThat(replay(wal, REGION_A, 0)).containsExactly(new Replayed(1, 5, List.of()));
        }
    }

    @Test
    void closedWalRejectsUseAndClosesOnce() {
        Wal wal = open();
        wal.append(REGION_A, 0, rows(1));
        wal.close();
        wal.close();

        assertThatThrownBy(() -> wal.append(REGION_A, 0, rows(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("The WAL in " + dir.resolve("wal") + " is closed");
        assertThatThrownBy(() -> replay(wal, REGION_A, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> wal.obsolete(REGION_A, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void replayConsumerCannotDeleteSegmentsUnderItself() {
        try (Wal wal = open()) {
            wal.append(REGION_A, 0, rows(1));

            assertThatThrownBy(() -> wal.replay(REGION_A, 0, (entryId, schemaVersion, rows) -> wal.obsolete(REGION_A, entryId)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Wal.obsolete() cannot be called from a replay consumer");
        }
    }

    @Test
    void worksOnInMemoryFileIO() {
        InMemoryFileIO io = new InMemoryFileIO();
        Path walDir = Path.of("/engine/wal");
        try (Wal wal = Wal.open(io, walDir, WalOptions.DEFAULT.withSegmentBytes(100))) {
            for (int i = 0; i < 20; i++) {
                wal.append(REGION_A, 0, rows(i));
            }
        }
        try (Wal wal = Wal.open(io, walDir, WalOptions.DEFAULT)) {
            assertThat(replay(wal, REGION_A, 0)).hasSize(20);
        }
    }
}
