package dev.regolith.engine.manifest;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.addFile;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.HookMetrics;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.testing.RecordingHook;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.RegionHook;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PendingManifestHookTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<RegionHooks> opened = new ArrayList<>();

    private ManifestCommitter create(String name, RegionId regionId, RegionHook... hooks) {
        RegionHooks regionHooks = RegionHooks.of(List.of(hooks));
        opened.add(regionHooks);
        return ManifestCommitter.create(new LocalFileIO(), dir.resolve(name), metadata(regionId), regionHooks,
                ManifestOptions.DEFAULT);
    }

    /** Waits until every hook of every committer created here has been delivered everything fired. */
    private void drain() {
        for (RegionHooks hooks : opened) {
            assertThat(hooks.drain(WAIT)).as("hooks drained").isTrue();
        }
    }

    @AfterEach
    void closeHooks() {
        opened.forEach(RegionHooks::close);
    }

    private static List<PendingManifestHook> commitLocked(ManifestCommitter committer, int count) {
        List<PendingManifestHook> receipts = new ArrayList<>();
        try (ManifestLock.Held held = committer.lock().acquire()) {
            for (int i = 0; i < count; i++) {
                receipts.add(committer.commitLocked(partitionExpr("p" + i)));
            }
        }
        return receipts;
    }

    private static ManifestActionList partitionExpr(String expr) {
        return ManifestActionList.of(new ManifestAction.PartitionExprChange(Optional.of(expr)));
    }

    @Test
    void mergeKeepsActionsInOrderAndLaterVersion() {
        List<PendingManifestHook> receipts = commitLocked(create("r", REGION), 2);

        PendingManifestHook merged = receipts.get(0).merge(receipts.get(1));

        assertThat(merged.actions()).containsExactly(
                new ManifestAction.PartitionExprChange(Optional.of("p0")),
                new ManifestAction.PartitionExprChange(Optional.of("p1")));
        assertThat(merged.firstVersion()).isEqualTo(2);
        assertThat(merged.version()).isEqualTo(3);
        merged.fire();
    }

    @Test
    void mergeRejectsReceiptsThatAreNotAdjacent() {
        List<PendingManifestHook> receipts = commitLocked(create("r", REGION), 3);

        // Merged, versions 2 and 4 would claim 3 too, which another receipt still owes.
        assertThatThrownBy(() -> receipts.get(0).merge(receipts.get(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot merge the receipt of region 1024_0000000001 versions 2 to 2 with versions 4 to 4: only a "
                        + "receipt that starts right after this one's last version merges into it");
        assertThatThrownBy(() -> receipts.get(1).merge(receipts.get(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("versions 3 to 3 with versions 2 to 2");
        receipts.forEach(PendingManifestHook::fire);
    }

    @Test
    void mergeWithEmptyReceiptIsIdentity() {
        ManifestCommitter committer = create("r", REGION);
        List<PendingManifestHook> receipts = commitLocked(committer, 2);

        PendingManifestHook right = receipts.get(0).merge(committer.emptyReceipt());
        PendingManifestHook left = committer.emptyReceipt().merge(receipts.get(1));

        assertThat(right).isSameAs(receipts.get(0));
        assertThat(left).isSameAs(receipts.get(1));
        PendingManifestHook empty = committer.emptyReceipt().merge(committer.emptyReceipt());
        assertThat(empty.isEmpty()).isTrue();
        assertThat(empty.version()).isZero();
        right.fire();
        left.fire();
        empty.fire();
    }

    @Test
    void mergeIsAssociative() {
        // Two regions with identical histories give receipts with identical contents.
        List<PendingManifestHook> a = commitLocked(create("a", REGION), 3);
        List<PendingManifestHook> b = commitLocked(create("b", REGION), 3);

        PendingManifestHook leftFirst = a.get(0).merge(a.get(1)).merge(a.get(2));
        PendingManifestHook rightFirst = b.get(0).merge(b.get(1).merge(b.get(2)));

        assertThat(leftFirst.actions()).isEqualTo(rightFirst.actions()).hasSize(3);
        assertThat(leftFirst.version()).isEqualTo(rightFirst.version()).isEqualTo(4);
        assertThat(leftFirst.firstVersion()).isEqualTo(rightFirst.firstVersion()).isEqualTo(2);
        leftFirst.fire();
        rightFirst.fire();
    }

    @Test
    void mergeRejectsReceiptOfAnotherRegion() {
        PendingManifestHook one = commitLocked(create("a", REGION), 1).get(0);
        PendingManifestHook other = commitLocked(create("b", RegionId.of(1024, 2)), 1).get(0);

        assertThatThrownBy(() -> one.merge(other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot merge receipts of different regions: 1024_0000000001 (version 2) and 1024_0000000002 (version 2)");
        one.fire();
        other.fire();
    }

    @Test
    void mergeRejectsUsedReceipt() {
        List<PendingManifestHook> receipts = commitLocked(create("r", REGION), 2);
        receipts.get(0).fire();

        assertThatThrownBy(() -> receipts.get(0).merge(receipts.get(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already fired, merged or discarded");
        receipts.get(1).fire();
    }

    @Test
    void fireUnderLockIsRejected() {
        RecordingHook hook = new RecordingHook("recorder");
        ManifestCommitter committer = create("r", REGION, hook);
        PendingManifestHook receipt;
        try (ManifestLock.Held held = committer.lock().acquire()) {
            receipt = committer.commitLocked(addFile(REGION));
            assertThatThrownBy(receipt::fire)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Receipt of region 1024_0000000001 version 2 fired while the manifest write lock is held: "
                            + "hooks never run under the lock, release it first");
            drain();
            assertThat(hook.versions()).containsExactly(1L);
        }

        receipt.fire();

        drain();
        assertThat(hook.versions()).containsExactly(1L, 2L);
    }

    @Test
    void fireHandsEveryHookEachVersionInOrderOnTheHooksOwnThreads() {
        RecordingHook late = new RecordingHook("b-late", 5);
        RecordingHook early = new RecordingHook("z-early", -1);
        RecordingHook middle = new RecordingHook("a-middle", 5);
        ManifestCommitter committer = create("r", REGION, late, early, middle);

        committer.commit(addFile(REGION));

        drain();
        assertThat(opened.get(0).names()).containsExactly("z-early", "a-middle", "b-late");
        for (RecordingHook hook : List.of(late, early, middle)) {
            assertThat(hook.versions()).containsExactly(1L, 2L);
            assertThat(hook.threads()).allSatisfy(thread -> assertThat(thread).startsWith("regolith-hook-" + hook.name() + "-"));
        }
        ManifestUpdatedEvent event = middle.manifestUpdates().get(1);
        assertThat(event.regionId()).isEqualTo(REGION);
        assertThat(event.actions().kinds()).containsExactly(ManifestAction.Kind.EDIT);
        assertThat(event.idempotencyKey()).isEqualTo("1024_0000000001@2");
    }

    @Test
    void secondFireIsRejected() {
        PendingManifestHook receipt = commitLocked(create("r", REGION), 1).get(0);
        receipt.fire();

        assertThatThrownBy(receipt::fire)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Cannot fire the receipt of region 1024_0000000001 version 2: it was already fired, merged or discarded");
    }

    @Test
    void discardedReceiptCannotBeFired() {
        RecordingHook hook = new RecordingHook("recorder");
        ManifestCommitter committer = create("r", REGION, hook);
        PendingManifestHook receipt = commitLocked(committer, 1).get(0);

        receipt.discard();

        assertThatThrownBy(receipt::fire).isInstanceOf(IllegalStateException.class);
        // The discarded version is skipped, so the next one is not held back waiting for it.
        committer.commit(addFile(REGION));
        drain();
        assertThat(hook.versions()).containsExactly(1L, 3L);
    }

    @Test
    void hookRunningDuringFireCanTakeTheLockFromAnotherThread() {
        AtomicReference<Long> committedByOtherThread = new AtomicReference<>();
        AtomicReference<ManifestCommitter> committer = new AtomicReference<>();
        RecordingHook hook = new RecordingHook("reentrant").onUpdate(event -> {
            if (event.manifestVersion() != 2) {
                return;
            }
            // Another thread commits to the same region while this callback waits for it. If fire()
            // ran under the manifest lock, the other thread could not get it and this would time out.
            CompletableFuture<Long> other = CompletableFuture.supplyAsync(() -> {
                try {
                    if (!committer.get().lock().tryAcquire(10, TimeUnit.SECONDS)) {
                        return -1L;
                    }
                    PendingManifestHook receipt;
                    try {
                        receipt = committer.get().commitLocked(partitionExpr("from-hook"));
                    }
                    finally {
                        committer.get().lock().release();
                    }
                    receipt.discard();
                    return receipt.version();
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1L;
                }
            });
            committedByOtherThread.set(other.join());
        });
        committer.set(create("r", REGION, hook));

        committer.get().commit(addFile(REGION));

        drain();
        assertThat(committedByOtherThread.get()).isEqualTo(3L);
        assertThat(committer.get().current().partitionExpr()).contains("from-hook");
    }

    @Test
    void throwingHookLeavesCommitAndOtherHooksIntact() {
        RegionHook throwing = new RegionHook() {
            @Override
            public String name() {
                return "a-throwing";
            }

            @Override
            public void onManifestUpdated(ManifestUpdatedEvent event) {
                throw new IllegalStateException("boom at " + event.manifestVersion());
            }
        };
        RecordingHook recorder = new RecordingHook("b-recorder");
        RegionHooks hooks = RegionHooks.of(List.of(throwing, recorder),
                Map.of("hooks.a-throwing.retry.limit", "1", "hooks.a-throwing.backoff.initial.ms", "1"));
        opened.add(hooks);
        ManifestCommitter committer = ManifestCommitter.create(new LocalFileIO(), dir.resolve("r"), metadata(REGION), hooks,
                ManifestOptions.DEFAULT);

        long version = committer.commit(addFile(REGION));

        assertThat(version).isEqualTo(2);
        assertThat(committer.current().files()).hasSize(1);
        assertThat(ManifestCommitter.read(new LocalFileIO(), dir.resolve("r"), REGION)).isEqualTo(committer.current());
        assertThat(hooks.drain("b-recorder", WAIT)).isTrue();
        assertThat(recorder.versions()).containsExactly(1L, 2L);
        // Version 1 failed, was retried once, failed again: quarantined, version 2 kept for a re-enable.
        assertThat(hooks.drain(WAIT)).isFalse();
        List<HookMetrics> metrics = hooks.metrics();
        assertThat(metrics.get(0).name()).isEqualTo("a-throwing");
        assertThat(metrics.get(0).quarantined()).isTrue();
        assertThat(metrics.get(0).failed()).isEqualTo(2);
        assertThat(metrics.get(0).retried()).isEqualTo(1);
        assertThat(metrics.get(0).deliveredVersions()).containsEntry(REGION, 0L);
        assertThat(metrics.get(1).delivered()).isEqualTo(2);
        assertThat(metrics.get(1).failed()).isZero();
    }

    @Test
    void fireWithNoHooksDeliversNothing() {
        ManifestCommitter committer = create("r", REGION);
        PendingManifestHook receipt = commitLocked(committer, 1).get(0);

        receipt.fire();

        assertThat(receipt.toString()).contains("used");
    }
}
