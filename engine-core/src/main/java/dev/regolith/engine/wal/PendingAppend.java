package dev.regolith.engine.wal;

import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.wal.proto.WalRowProto;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One append on its way through the {@link WalWriter}: its entry id is assigned, its rows are
 * encoded, and its appender waits for {@link #await()}.
 */
final class PendingAppend {

    /** Why the WAL stopped taking appends: what it failed to do to which segment. */
    record WriteFailure(Path segment, String operation, Throwable cause) {

        String describe() {
            return "failed to " + operation + " segment " + segment + ": " + cause;
        }
    }

    private final RegionId region;
    private final long schemaVersion;
    private final List<WalRowProto> rows;
    private final long entryId;
    // Completes with null once the entry is as durable as the sync mode promises; never exceptionally.
    private final CompletableFuture<Outcome> done = new CompletableFuture<>();

    private record Outcome(WriteFailure failure, boolean written) {
    }

    PendingAppend(RegionId region, long schemaVersion, List<WalRowProto> rows, long entryId) {
        this.region = region;
        this.schemaVersion = schemaVersion;
        this.rows = rows;
        this.entryId = entryId;
    }

    RegionId region() {
        return region;
    }

    long schemaVersion() {
        return schemaVersion;
    }

    List<WalRowProto> rows() {
        return rows;
    }

    long entryId() {
        return entryId;
    }

    void succeed() {
        done.complete(null);
    }

    /** The entry was part of a write or sync that failed: it may or may not be in the segment. */
    void fail(WriteFailure failure) {
        done.complete(new Outcome(failure, true));
    }

    /** The entry was never written because an earlier write failed. */
    void reject(WriteFailure failure) {
        done.complete(new Outcome(failure, false));
    }

    /**
     * Waits, without giving in to interrupts, until the writer is done with the entry: the write
     * cannot be called back, so an appender that stopped waiting would not know what happened.
     *
     * @throws RegionStorageException naming the segment if the entry did not become durable
     */
    void await() {
        Outcome outcome = done.join();
        if (outcome == null) {
            return;
        }
        WriteFailure failure = outcome.failure();
        if (outcome.written()) {
            throw new RegionStorageException("WAL entry " + entryId + " of region " + region + " is not durable: "
                    + failure.describe() + "; the WAL rejects appends until it is reopened", failure.cause());
        }
        throw rejection(failure);
    }

    static RegionStorageException rejection(WriteFailure failure) {
        return new RegionStorageException("The WAL rejects appends since it " + failure.describe() + "; reopen it",
                failure.cause());
    }
}
