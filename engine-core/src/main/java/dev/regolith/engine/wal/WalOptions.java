package dev.regolith.engine.wal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How the write-ahead log is kept.
 *
 * @param syncMode when an append is made durable
 * @param syncInterval for {@link SyncMode#PERIODIC}: the longest an append stays written but not
 *     synced
 * @param segmentBytes a new segment file is started once the current one holds at least this many
 *     bytes; a segment may exceed it by the last group of entries written to it
 */
public record WalOptions(SyncMode syncMode, Duration syncInterval, long segmentBytes) {

    /** When {@link Wal#append} returns, and what a crash of the machine may lose. */
    public enum SyncMode {
        /**
         * Every append returns once its entry is fsynced; concurrent appends share one write and
         * one fsync. A crash loses nothing that was acknowledged.
         */
        EVERY_BATCH,
        /**
         * Appends return once written to the operating system; a background fsync follows within
         * {@link WalOptions#syncInterval()}. A machine crash may lose that interval's appends, a
         * process crash loses nothing.
         */
        PERIODIC,
        /**
         * Appends return once written to the operating system and are fsynced only when a segment
         * is finished and on {@link Wal#close()}. A machine crash may lose any of them.
         */
        NEVER
    }

    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
    public static final WalOptions DEFAULT = new WalOptions(SyncMode.EVERY_BATCH, Duration.ofMillis(10), DEFAULT_SEGMENT_BYTES);

    public WalOptions {
        requireNonNull(syncMode, "syncMode is null");
        requireNonNull(syncInterval, "syncInterval is null");
        if (syncInterval.isNegative() || syncInterval.isZero()) {
            throw new IllegalArgumentException("Invalid WAL sync interval: " + syncInterval + " (must be positive)");
        }
        if (segmentBytes < 1) {
            throw new IllegalArgumentException("Invalid WAL segment size: " + segmentBytes + " bytes (must be >= 1)");
        }
    }

    public WalOptions withSyncMode(SyncMode syncMode) {
        return new WalOptions(syncMode, syncInterval, segmentBytes);
    }

    public WalOptions withSyncInterval(Duration syncInterval) {
        return new WalOptions(syncMode, syncInterval, segmentBytes);
    }

    public WalOptions withSegmentBytes(long segmentBytes) {
        return new WalOptions(syncMode, syncInterval, segmentBytes);
    }
}
