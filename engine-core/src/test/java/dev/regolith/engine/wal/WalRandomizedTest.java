package dev.regolith.engine.wal;

import static dev.regolith.engine.wal.WalTesting.replay;
import static org.assertj.core.api.Assertions.assertThat;

import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.wal.WalOptions.SyncMode;
import dev.regolith.engine.wal.WalTesting.Replayed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Appends random batches to random regions, reports random flushes, reopens, and "crashes" (opens a
 * copy of the directory taken while the WAL was open, sometimes with a half-written record after
 * the last one), checking every replay against a model of what was acknowledged.
 *
 * <p>Rerun a failure with {@code -Dregolith.test.seed=<seed printed in the output>}.
 */
class WalRandomizedTest {

    private static final RegionId[] REGIONS = {RegionId.of(1, 1), RegionId.of(1, 2), RegionId.of(2, 1), RegionId.of(3, 0)};

    @TempDir
    Path dir;

    private record Entry(RegionId region, long schemaVersion, List<InternalRow> rows) {
    }

    private final TreeMap<Long, Entry> acknowledged = new TreeMap<>();
    private final Map<RegionId, Long> flushed = new HashMap<>();
    private Random random;
    private Path walDir;
    private WalOptions options;
    private int copies;

    @RepeatedTest(5)
    void replayMatchesWhatWasAcknowledged() {
        long seed = Long.getLong("regolith.test.seed", new Random().nextLong());
        System.out.println("WalRandomizedTest seed=" + seed);
        random = new Random(seed);
        options = new WalOptions(SyncMode.values()[random.nextInt(SyncMode.values().length)], Duration.ofMillis(1 + random.nextInt(5)),
                100 + random.nextInt(3000));
        walDir = dir.resolve("wal");
        Wal wal = Wal.open(new LocalFileIO(), walDir, options);
        try {
            for (int step = 0; step < 400; step++) {
                int action = random.nextInt(100);
                if (action < 60) {
                    append(wal);
                }
                else if (action < 75) {
                    RegionId region = REGIONS[random.nextInt(REGIONS.length)];
                    long upTo = random.nextLong(wal.lastEntryId() + 1);
                    wal.obsolete(region, upTo);
                    flushed.merge(region, upTo, Math::max);
                }
                else if (action < 90) {
                    checkReplay(wal, REGIONS[random.nextInt(REGIONS.length)]);
                }
                else if (action < 95) {
                    wal.close();
                    wal = reopen();
                }
                else {
                    wal = crash(wal);
                }
            }
            wal.close();
            wal = reopen();
            for (RegionId region : REGIONS) {
                checkReplay(wal, region);
            }
        }
        finally {
            wal.close();
        }
    }

    private void append(Wal wal) {
        RegionId region = REGIONS[random.nextInt(REGIONS.length)];
        long schemaVersion = random.nextInt(3);
        List<InternalRow> rows = new ArrayList<>();
        int count = random.nextInt(6);
        for (int i = 0; i < count; i++) {
            Object[] values = new Object[random.nextInt(6)];
            for (int column = 0; column < values.length; column++) {
                values[column] = randomValue();
            }
            rows.add(new InternalRow(values, random.nextLong(), random.nextBoolean() ? OpType.PUT : OpType.DELETE));
        }
        long previous = wal.lastEntryId();
        long entryId = wal.append(region, schemaVersion, rows);
        assertThat(entryId).isGreaterThan(previous);
        acknowledged.put(entryId, new Entry(region, schemaVersion, rows));
    }

    private Object randomValue() {
        return switch (random.nextInt(8)) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> random.nextInt();
            case 3 -> random.nextLong();
            case 4 -> random.nextFloat() * 1e6f - 5e5f;
            case 5 -> random.nextDouble() * 1e12 - 5e11;
            case 6 -> {
                StringBuilder text = new StringBuilder();
                for (int i = random.nextInt(12); i > 0; i--) {
                    text.appendCodePoint(random.nextBoolean() ? 'a' + random.nextInt(26) : 0x1F600 + random.nextInt(40));
                }
                yield text.toString();
            }
            default -> {
                byte[] bytes = new byte[random.nextInt(20)];
                random.nextBytes(bytes);
                yield bytes;
            }
        };
    }

    /** Replay from the flush mark must be exact; from further back it may also return flushed entries still kept. */
    private void checkReplay(Wal wal, RegionId region) {
        long mark = flushed.getOrDefault(region, 0L);
        long after = random.nextBoolean() ? mark : random.nextLong(wal.lastEntryId() + 1);
        List<Replayed> replayed = replay(wal, region, after);
        List<Replayed> expected = new ArrayList<>();
        acknowledged.tailMap(Math.max(after, mark), false).forEach((entryId, entry) -> {
            if (entry.region().equals(region)) {
                expected.add(new Replayed(entryId, entry.schemaVersion(), entry.rows()));
            }
        });
        List<Replayed> unflushed = replayed.stream().filter(entry -> entry.entryId() > mark).toList();
        assertThat(unflushed).as("replay of %s after %s (flushed up to %s)", region, after, mark).isEqualTo(expected);
        for (Replayed entry : replayed) {
            Entry kept = acknowledged.get(entry.entryId());
            assertThat(kept).as("entry %s was acknowledged", entry.entryId()).isNotNull();
            assertThat(new Replayed(entry.entryId(), kept.schemaVersion(), kept.rows())).isEqualTo(entry);
            assertThat(kept.region()).isEqualTo(region);
        }
    }

    private Wal reopen() {
        Wal wal = Wal.open(new LocalFileIO(), walDir, options);
        assertThat(wal.lastEntryId()).isGreaterThanOrEqualTo(acknowledged.isEmpty() ? 0 : acknowledged.lastKey());
        // Flush marks live in memory: the regions report them again after a reopen, or some of them do.
        for (Map.Entry<RegionId, Long> mark : flushed.entrySet()) {
            if (random.nextInt(4) > 0) {
                wal.obsolete(mark.getKey(), mark.getValue());
            }
        }
        return wal;
    }

    /**
     * Copies the directory while the WAL is open, as a crash would leave it (every acknowledged
     * append has been written, and with EVERY_BATCH synced), maybe adds a half-written record to the
     * newest segment, and goes on with the copy.
     */
    private Wal crash(Wal wal) {
        Path copy = dir.resolve("crash-" + ++copies);
        boolean torn = random.nextBoolean();
        try {
            Files.createDirectories(copy);
            List<String> names;
            try (var files = Files.list(walDir)) {
                names = files.map(file -> file.getFileName().toString()).sorted().toList();
            }
            for (String name : names) {
                Files.copy(walDir.resolve(name), copy.resolve(name));
            }
            if (torn) {
                int length = 1 + random.nextInt(300);
                byte[] partial = new byte[8 + random.nextInt(length)];
                random.nextBytes(partial);
                ByteBuffer.wrap(partial).putInt(length);
                Files.write(copy.resolve(names.get(names.size() - 1)), partial, StandardOpenOption.APPEND);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        wal.close();
        walDir = copy;
        Wal reopened = reopen();
        assertThat(reopened.recoveryWarnings()).hasSize(torn ? 1 : 0);
        return reopened;
    }
}
