package dev.regolith.engine.wal;

import static dev.regolith.engine.wal.WalTesting.REGION_A;
import static dev.regolith.engine.wal.WalTesting.REGION_B;
import static dev.regolith.engine.wal.WalTesting.recordOffsets;
import static dev.regolith.engine.wal.WalTesting.replayedIds;
import static dev.regolith.engine.wal.WalTesting.rows;
import static dev.regolith.engine.wal.WalTesting.segmentNames;
import static org.assertj.core.api.Assertions.assertThat;

import dev.regolith.engine.api.RegionId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segments roll over at the configured size, and a segment is deleted once every region with
 * entries in it has flushed past them, never earlier.
 */
class WalObsoleteTest {

    // Every entry is about 60 bytes, so each segment takes three of them.
    private static final WalOptions SMALL_SEGMENTS = WalOptions.DEFAULT.withSegmentBytes(150);

    @TempDir
    Path dir;

    private Path walDir;
    private TestingWalFileIO io;

    @BeforeEach
    void setUp() {
        walDir = dir.resolve("wal");
        io = new TestingWalFileIO();
    }

    private Wal open() {
        return Wal.open(io, walDir, SMALL_SEGMENTS);
    }

    /** Entry i goes to region A when odd, B when even. */
    private static RegionId regionOf(long entryId) {
        return entryId % 2 == 1 ? REGION_A : REGION_B;
    }

    private static List<Long> idsOf(RegionId region, long afterEntryId, long lastEntryId) {
        return LongStream.rangeClosed(afterEntryId + 1, lastEntryId).filter(id -> regionOf(id).equals(region)).boxed().toList();
    }

    private static void appendEntries(Wal wal, int count) {
        for (int i = 0; i < count; i++) {
            long expected = wal.lastEntryId() + 1;
            assertThat(wal.append(regionOf(expected), 0, rows(expected))).isEqualTo(expected);
        }
    }

    /** The first entry id of each segment, from the file names. */
    private List<Long> segmentIds() {
        return segmentNames(walDir).stream().map(WalSegmentFormat::firstEntryId).toList();
    }

    @Test
    void segmentsRollOverAndAreNamedAfterTheirFirstEntry() throws IOException {
        try (Wal wal = open()) {
            appendEntries(wal, 12);

            List<Long> ids = segmentIds();
            assertThat(ids).hasSizeGreaterThan(2).startsWith(1L);
            for (int i = 0; i + 1 < ids.size(); i++) {
                Path segment = walDir.resolve(WalSegmentFormat.fileName(ids.get(i)));
                assertThat(Files.size(segment)).as("%s is full", segment).isGreaterThanOrEqualTo(150);
                // Entries ids.get(i) .. ids.get(i + 1) - 1 are in this segment.
                assertThat(recordOffsets(segment)).hasSize((int) (ids.get(i + 1) - ids.get(i)) + 1);
            }
            assertThat(replayedIds(wal, REGION_A, 0)).isEqualTo(idsOf(REGION_A, 0, 12));
            assertThat(replayedIds(wal, REGION_B, 0)).isEqualTo(idsOf(REGION_B, 0, 12));
        }
    }

    @Test
    void segmentIsDeletedOnlyOnceBothRegionsHaveFlushedPastIt() {
        List<Long> before;
        try (Wal wal = open()) {
            appendEntries(wal, 12);
            before = segmentIds();
            // Segments: [1..3] [4..6] [7..9] [10..12], the last one being written.
            assertThat(before).containsExactly(1L, 4L, 7L, 10L);

            wal.obsolete(REGION_A, 11);
            assertThat(segmentIds()).as("B has not reported").isEqualTo(before);

            wal.obsolete(REGION_B, 2);
            assertThat(segmentIds()).as("B flushed 2, so [1..3] is covered").containsExactly(4L, 7L, 10L);

            wal.obsolete(REGION_B, 7);
            assertThat(segmentIds()).as("B's 8 is in [7..9]").containsExactly(7L, 10L);
            assertThat(replayedIds(wal, REGION_B, 7)).containsExactly(8L, 10L, 12L);

            wal.obsolete(REGION_A, 5); // a lower report changes nothing
            wal.obsolete(REGION_B, 12);
            assertThat(segmentIds()).as("the segment being written stays").containsExactly(10L);
            assertThat(replayedIds(wal, REGION_A, 11)).isEmpty();
            assertThat(replayedIds(wal, REGION_B, 12)).isEmpty();
        }
    }

    @Test
    void replayAfterReopenReturnsExactlyTheUnflushedEntries() {
        try (Wal wal = open()) {
            appendEntries(wal, 12);
            wal.obsolete(REGION_A, 9);
            wal.obsolete(REGION_B, 4);
            assertThat(segmentIds()).containsExactly(4L, 7L, 10L);
        }
        try (Wal wal = open()) {
            assertThat(replayedIds(wal, REGION_A, 9)).containsExactly(11L);
            assertThat(replayedIds(wal, REGION_B, 4)).containsExactly(6L, 8L, 10L, 12L);

            // The marks were in memory: the regions report again, and appends go on.
            wal.obsolete(REGION_A, 9);
            wal.obsolete(REGION_B, 4);
            appendEntries(wal, 3);
            assertThat(replayedIds(wal, REGION_A, 9)).isEqualTo(idsOf(REGION_A, 9, 15));
            assertThat(replayedIds(wal, REGION_B, 4)).isEqualTo(idsOf(REGION_B, 4, 15));
        }
    }

    @Test
    void regionThatNeverReportedKeepsItsSegments() {
        RegionId silent = RegionId.of(7, 7);
        try (Wal wal = open()) {
            appendEntries(wal, 3);
            wal.append(silent, 0, rows(4));
            appendEntries(wal, 8);
            wal.obsolete(REGION_A, wal.lastEntryId());
            wal.obsolete(REGION_B, wal.lastEntryId());

            // Only the segment holding the silent region's entry 4 survives, besides the newest.
            assertThat(segmentIds()).hasSize(2).startsWith(4L);
            assertThat(replayedIds(wal, silent, 0)).containsExactly(4L);
        }
    }

    @Test
    void deletionIsMadeDurableWithADirectorySync() {
        try (Wal wal = open()) {
            appendEntries(wal, 12);
            int syncs = io.directorySyncs();

            wal.obsolete(REGION_A, 3);
            assertThat(io.directorySyncs()).as("nothing deleted, nothing synced").isEqualTo(syncs);

            wal.obsolete(REGION_B, 12);
            assertThat(segmentIds()).containsExactly(4L, 7L, 10L);
            assertThat(io.directorySyncs()).isEqualTo(syncs + 1);
        }
    }

    @Test
    void everythingFlushedLeavesOnlyTheNewestSegmentAndIdsStillIncrease() {
        long last;
        try (Wal wal = open()) {
            appendEntries(wal, 7);
            last = wal.lastEntryId();
        }
        try (Wal wal = open()) {
            wal.obsolete(REGION_A, last);
            wal.obsolete(REGION_B, last);
            // Every segment written before the reopen is gone; only the new, empty one is left.
            assertThat(segmentIds()).containsExactly(last + 1);
        }
        try (Wal wal = open()) {
            assertThat(wal.append(REGION_A, 0, rows(1))).isGreaterThan(last);
        }
    }
}
