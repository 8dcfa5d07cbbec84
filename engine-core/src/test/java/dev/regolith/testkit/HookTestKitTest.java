package dev.regolith.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.hooks.spi.HookContext;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.ReconcileEvent;
import dev.regolith.hooks.spi.RegionDroppedEvent;
import dev.regolith.hooks.spi.WrittenSstFile;
import dev.regolith.hooks.spi.RegionHook;
import dev.regolith.hooks.spi.RegionOpenedEvent;
import dev.regolith.hooks.spi.SstFilesWrittenEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HookTestKitTest {

    @TempDir
    Path dir;

    /** Remembers the highest version applied per region "durably" (in a map the test keeps across instances). */
    static final class VersionHook implements RegionHook {
        final Map<String, Long> store;
        final List<Long> applied = new ArrayList<>();
        final List<Integer> hostValues = new ArrayList<>();

        VersionHook(Map<String, Long> store) {
            this.store = store;
        }

        @Override
        public String name() {
            return "versions";
        }

        @Override
        public synchronized void onManifestUpdated(ManifestUpdatedEvent event) {
            applied.add(event.manifestVersion());
            store.merge(event.regionId().toString(), event.manifestVersion(), Math::max);
        }
    }

    @Test
    void drivesARealRegionAndRecordsWhatTheHookAccepted() {
        Map<String, Long> store = new ConcurrentHashMap<>();
        try (HookTestKit<VersionHook> kit = HookTestKit.builder(() -> new VersionHook(store), dir).start()) {
            kit.write(100);
            kit.flush();
            kit.addField("extra");
            kit.write(10);
            kit.flush();
            kit.compact();
            kit.truncate();
            kit.drain();

            long head = kit.manifest().manifestVersion();
            assertThat(kit.deliveredVersions()).isEqualTo(range(1, head));
            assertThat(kit.deliveredActionKinds()).contains(List.of(ManifestAction.Kind.CHANGE));
            assertThat(kit.deliveredActionKinds()).contains(List.of(ManifestAction.Kind.TRUNCATE));
            assertThat(kit.events(SstFilesWrittenEvent.class)).hasSizeGreaterThanOrEqualTo(2);
            assertThat(kit.events().get(0)).isInstanceOf(ManifestUpdatedEvent.class);
            assertThat(kit.metrics().failed()).isZero();
            assertThat(store).containsEntry(kit.region().toString(), head);

            // Re-delivery: every event twice more, in order, on this thread; nothing new recorded.
            int before = kit.events().size();
            kit.redeliverAll();
            assertThat(kit.hook().applied).hasSize(3 * kit.events(ManifestUpdatedEvent.class).size());
            assertThat(kit.events()).hasSize(before);
            assertThat(store).containsEntry(kit.region().toString(), head);
        }
    }

    @Test
    void aCrashBetweenCommitAndDeliveryIsCaughtUpByTheNextHookInstance() {
        Map<String, Long> store = new ConcurrentHashMap<>();
        List<VersionHook> instances = new ArrayList<>();
        try (HookTestKit<VersionHook> kit = HookTestKit.builder(() -> {
            VersionHook hook = new VersionHook(store);
            instances.add(hook);
            return hook;
        }, dir).engineOption("delivery.cursor.interval.ms", "10").start()) {
            kit.write(50);
            kit.flush();
            kit.drain();
            kit.engine().persistHookCursors();
            long delivered = kit.manifest().manifestVersion();

            kit.crashBeforeDelivery(() -> {
                kit.write(20);
                kit.flush();
                kit.addField("more");
            });
            kit.drain();

            assertThat(instances).hasSize(2);
            long head = kit.manifest().manifestVersion();
            assertThat(head).isGreaterThan(delivered + 1);
            // The first instance never saw what was committed after the crash point...
            assertThat(instances.get(0).applied).allMatch(version -> version <= delivered);
            // ...the second gets every missed version in order, then the region opened.
            assertThat(instances.get(1).applied).isEqualTo(range(delivered + 1, head));
            assertThat(kit.deliveredVersions()).isEqualTo(range(1, head));
            assertThat(kit.events().get(kit.events().size() - 1)).isInstanceOf(RegionOpenedEvent.class);
            assertThat(store).containsEntry(kit.region().toString(), head);
        }
    }

    @Test
    void drainFailsWithTheMetricsWhenTheHookIsQuarantined() {
        RegionHook failing = new RegionHook() {
            @Override
            public String name() {
                return "failing";
            }

            @Override
            public void onManifestUpdated(ManifestUpdatedEvent event) {
                throw new IllegalStateException("index store is down");
            }
        };
        try (HookTestKit<RegionHook> kit = HookTestKit.builder(() -> failing, dir)
                .engineOption("hooks.failing.retry.limit", "0").engineOption("delivery.close.timeout.ms", "0").start()) {
            assertThatThrownBy(kit::drain).isInstanceOf(AssertionError.class).hasMessageContaining("quarantined=true");
            assertThat(kit.events()).isEmpty();
        }
    }

    /** Reads the host column of every SST it is told about, by path and by manifest file id. */
    static final class ColumnHook implements RegionHook {
        HookContext context;
        final List<String> written = new ArrayList<>();
        final List<java.nio.file.Path> paths = new ArrayList<>();

        @Override
        public String name() {
            return "columns";
        }

        @Override
        public void init(HookContext context) {
            this.context = context;
        }

        @Override
        public synchronized void onSstFilesWritten(SstFilesWrittenEvent event) {
            for (WrittenSstFile file : event.files()) {
                context.sstFiles().forEachValue(file.path(), "host", value -> written.add((String) value));
                paths.add(file.path());
            }
        }
    }

    @Test
    void hooksReadSstColumnsAndFindManifestFilesThroughTheirContext() {
        try (HookTestKit<ColumnHook> kit = HookTestKit.builder(ColumnHook::new, dir).start()) {
            kit.write(25);
            kit.flush();
            kit.drain();

            assertThat(kit.hook().written).hasSize(25).contains("host-0", "host-9").allMatch(host -> host.startsWith("host-"));
            FileMeta file = kit.manifest().files().values().iterator().next();
            assertThat(kit.hook().context.sstFiles().path(kit.region(), file.fileId())).isEqualTo(kit.hook().paths.get(0))
                    .exists();
            assertThatThrownBy(() -> kit.hook().context.sstFiles().forEachValue(kit.hook().paths.get(0), "nope", value -> { }))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("has no column nope; its columns are [host, usage, ts");
        }
    }

    @Test
    void stagingAppliesAsOneUpdateAndADroppedRegionEndsTheStream() {
        try (HookTestKit<VersionHook> kit = HookTestKit.builder(() -> new VersionHook(new ConcurrentHashMap<>()), dir).start()) {
            kit.write(10);
            kit.enterStaging("host < 'host-5'");
            kit.write(10);
            kit.flush();
            kit.drain();
            long before = kit.deliveredVersions().size();
            kit.applyStaging();
            kit.drain();
            List<List<ManifestAction.Kind>> kinds = kit.deliveredActionKinds();
            assertThat(kinds.get(kinds.size() - 1)).contains(ManifestAction.Kind.PARTITION_EXPR_CHANGE, ManifestAction.Kind.EDIT);
            assertThat(kit.deliveredVersions()).hasSizeGreaterThan((int) before);

            kit.dropRegion();
            kit.drain();
            assertThat(kit.events().get(kit.events().size() - 1)).isInstanceOf(RegionDroppedEvent.class);
        }
    }

    @Test
    void aHookFarBehindAfterACrashGetsOneReconcile() {
        try (HookTestKit<VersionHook> kit = HookTestKit.builder(() -> new VersionHook(new ConcurrentHashMap<>()), dir)
                .engineOption("manifest.checkpoint.distance", "2").engineOption("manifest.retained.deltas.max", "1").start()) {
            kit.write(5);
            kit.flush();
            kit.drain();
            kit.engine().persistHookCursors();
            kit.clearEvents();

            kit.crashBeforeDelivery(() -> {
                for (int i = 0; i < 6; i++) {
                    kit.write(5);
                    kit.flush();
                }
            });
            kit.drain();

            assertThat(kit.events(ReconcileEvent.class)).hasSize(1);
            assertThat(kit.events(ReconcileEvent.class).get(0).manifest().manifestVersion())
                    .isEqualTo(kit.manifest().manifestVersion());
            assertThat(kit.events().get(kit.events().size() - 1)).isInstanceOf(RegionOpenedEvent.class);
        }
    }

    @Test
    void assertRegisteredNamesWhatIsRegisteredInstead() {
        assertThatThrownBy(() -> HookTestKit.assertRegistered(VersionHook.class))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(VersionHook.class.getName() + " is not registered in META-INF/services/")
                .hasMessageContaining("dev.regolith.engine.hook.TestingClassPathHook");
    }

    private static List<Long> range(long from, long to) {
        List<Long> versions = new ArrayList<>();
        for (long v = from; v <= to; v++) {
            versions.add(v);
        }
        return versions;
    }
}
