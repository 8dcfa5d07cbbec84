package dev.regolith.engine;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.api.RegionScanner;
import dev.regolith.engine.api.ScanRequest;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.manifest.ManifestCommitter;
import dev.regolith.engine.testing.RecordingHook;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagingTest {

    @TempDir
    Path dir;

    private final RecordingHook hook = new RecordingHook("recorder");
    private RegolithEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private void open() {
        engine = RegolithEngine.open(EngineOptions.of(dir).with("compaction.auto", "false").with("index.auto", "false"),
                RegionHooks.of(List.of(hook)));
    }

    private void write(String host, long ts) {
        engine.write(REGION, WriteBatch.builder("hostname", "usage_user", "ts").put(host, 1.0, ts).build());
    }

    private List<Object> hosts() {
        List<Object> hosts = new ArrayList<>();
        try (RegionScanner scanner = engine.scan(REGION, ScanRequest.all())) {
            scanner.forEachRemaining(row -> hosts.add(row.get(0)));
        }
        return hosts;
    }

    /** The live manifest as any reader of the directory sees it. */
    private RegionManifest liveOnDisk() {
        return ManifestCommitter.read(new LocalFileIO(), dir.resolve(REGION.toString()).resolve("manifest"), REGION);
    }

    @Test
    void stagingIsInvisibleUntilAppliedThenOneNotification() {
        open();
        engine.createRegion(metadata(REGION));
        write("live", 1);
        engine.enterStaging(REGION, Optional.of("host < 'm'"));
        long liveVersion = liveOnDisk().manifestVersion();
        write("staged", 2);
        engine.flush(REGION);
        write("staged-unflushed", 3);
        assertThat(engine.drainHooks(java.time.Duration.ofSeconds(30))).isTrue();
        hook.clear();

        assertThat(liveOnDisk().manifestVersion()).isEqualTo(liveVersion);
        assertThat(liveOnDisk().partitionExpr()).isEmpty();
        assertThat(liveOnDisk().files()).hasSize(1);
        assertThat(hook.manifestUpdates()).isEmpty();

        engine.applyStaging(REGION);

        assertThat(engine.drainHooks(java.time.Duration.ofSeconds(30))).isTrue();
        assertThat(hook.manifestUpdates()).singleElement().satisfies(event -> {
            assertThat(event.actions().kinds()).containsExactly(ManifestAction.Kind.PARTITION_EXPR_CHANGE,
                    ManifestAction.Kind.EDIT, ManifestAction.Kind.EDIT);
            assertThat(event.firstVersion()).isEqualTo(liveVersion + 1);
            assertThat(event.manifestVersion()).isEqualTo(liveVersion + 3);
        });
        assertThat(liveOnDisk().partitionExpr()).contains("host < 'm'");
        assertThat(liveOnDisk().files()).hasSize(3);
        assertThat(hosts()).containsExactly("live", "staged", "staged-unflushed");
        assertThat(dir.resolve(REGION.toString()).resolve("staging").resolve("manifest")).doesNotExist();
    }

    @Test
    void discardedStagingIsGoneAndStaysGoneAfterARestart() {
        open();
        engine.createRegion(metadata(REGION));
        write("live", 1);
        engine.flush(REGION);
        write("live-unflushed", 2);
        engine.enterStaging(REGION, Optional.of("host < 'm'"));
        write("staged", 3);
        engine.flush(REGION);
        write("staged-unflushed", 4);
        assertThat(engine.drainHooks(java.time.Duration.ofSeconds(30))).isTrue();
        hook.clear();

        engine.discardStaging(REGION);

        assertThat(engine.drainHooks(java.time.Duration.ofSeconds(30))).isTrue();
        assertThat(hook.events()).isEmpty();
        assertThat(hosts()).containsExactly("live", "live-unflushed");
        assertThat(liveOnDisk().partitionExpr()).isEmpty();
        engine.close();
        open();
        engine.openRegion(REGION);
        assertThat(hosts()).containsExactly("live", "live-unflushed");
        write("after", 5);
        engine.flush(REGION);
        engine.close();
        open();
        engine.openRegion(REGION);
        assertThat(hosts()).containsExactly("after", "live", "live-unflushed");
    }

    @Test
    void aRestartWhileStagingDiscardsIt() {
        open();
        engine.createRegion(metadata(REGION));
        write("live", 1);
        engine.enterStaging(REGION, Optional.of("host < 'm'"));
        write("staged", 2);
        engine.flush(REGION);
        write("staged-unflushed", 3);

        engine.close();
        open();
        engine.openRegion(REGION);

        assertThat(hosts()).containsExactly("live");
        assertThat(liveOnDisk().partitionExpr()).isEmpty();
        engine.enterStaging(REGION, Optional.of("host < 'n'"));
        engine.applyStaging(REGION);
        assertThat(liveOnDisk().partitionExpr()).contains("host < 'n'");
    }

    @Test
    void operationsThatWouldBypassTheStagingWaitForIt() {
        open();
        engine.createRegion(metadata(REGION));
        engine.enterStaging(REGION, Optional.empty());

        assertThatThrownBy(() -> engine.truncate(REGION))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Region 1024_0000000001 is staging: truncating waits until the staging is applied or discarded");
        assertThatThrownBy(() -> engine.enterStaging(REGION, Optional.empty()))
                .hasMessage("Region 1024_0000000001 is already staging");
        engine.discardStaging(REGION);
        assertThatThrownBy(() -> engine.applyStaging(REGION)).hasMessage("Region 1024_0000000001 is not staging");
    }
}
