package dev.regolith.engine;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.api.RegionRole;
import dev.regolith.engine.api.RegionScanner;
import dev.regolith.engine.api.ScanRequest;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.api.exceptions.RegionReadOnlyException;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.testing.RecordingHook;
import dev.regolith.hooks.spi.RegionOpenedEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leader, follower (on the same shared directory, its own WAL) and downgrading leader. */
class RegionRolesTest {

    @TempDir
    Path dir;

    private final List<RegolithEngine> engines = new ArrayList<>();

    @AfterEach
    void closeEngines() {
        engines.forEach(RegolithEngine::close);
    }

    private RegolithEngine engine(String walDir, RecordingHook... hooks) {
        RegolithEngine engine = RegolithEngine.open(EngineOptions.of(dir).with("wal.dir", walDir)
                .with("compaction.auto", "false").with("index.auto", "false"), RegionHooks.of(List.of(hooks)));
        engines.add(engine);
        return engine;
    }

    private static WriteBatch row(String host, long ts) {
        return WriteBatch.builder("hostname", "usage_user", "ts").put(host, 1.0, ts).build();
    }

    private static List<Object> hosts(RegolithEngine engine) {
        List<Object> hosts = new ArrayList<>();
        try (RegionScanner scanner = engine.scan(REGION, ScanRequest.all())) {
            scanner.forEachRemaining(row -> hosts.add(row.get(0)));
        }
        return hosts;
    }

    @Test
    void followerPromotedToLeaderDeliversWhatTheOldLeadersHookMissed() {
        // Cursors are written when asked, not on a timer, so the crash below loses exactly what it should.
        EngineOptions options = EngineOptions.of(dir).with("compaction.auto", "false").with("index.auto", "false")
                .with("delivery.cursor.interval.ms", "3600000");
        RecordingHook oldHook = new RecordingHook("audit");
        RegolithEngine leader = RegolithEngine.open(options.with("wal.dir", "wal"), RegionHooks.of(List.of(oldHook)));
        leader.createRegion(metadata(REGION));
        leader.write(REGION, row("a", 1));
        leader.flush(REGION); // version 2
        assertThat(leader.drainHooks(Duration.ofSeconds(30))).isTrue();
        leader.hooks().persistCursors(); // the hook's cursor on the shared directory: 2

        RecordingHook newHook = new RecordingHook("audit");
        RegolithEngine follower = engine("wal-follower", newHook);
        follower.openRegion(REGION, RegionRole.FOLLOWER);
        leader.write(REGION, row("b", 2));
        leader.flush(REGION); // version 3
        leader.write(REGION, row("c", 3));
        leader.flush(REGION); // version 4
        leader.halt(); // the leader dies before its hook's cursor moves past 2

        follower.setRole(REGION, RegionRole.LEADER);
        assertThat(follower.drainHooks(Duration.ofSeconds(30))).isTrue();
        assertThat(newHook.manifestUpdates()).extracting(event -> event.manifestVersion())
                .as("the versions after the shared cursor, read back from the manifest, in order").containsExactly(3L, 4L);
        assertThat(newHook.events()).last().as("then the open, with the state they lead to")
                .isInstanceOf(RegionOpenedEvent.class);
        follower.write(REGION, row("d", 4));
        follower.flush(REGION);
        assertThat(follower.drainHooks(Duration.ofSeconds(30))).isTrue();
        assertThat(newHook.manifestUpdates()).extracting(event -> event.manifestVersion()).containsExactly(3L, 4L, 5L);
        assertThat(hosts(follower)).containsExactly("a", "b", "c", "d");
    }

    @Test
    void followerRejectsWritesAndSeesTheLeadersNewFilesAfterSync() {
        RegolithEngine leader = engine("wal");
        leader.createRegion(metadata(REGION));
        leader.write(REGION, row("a", 1));
        leader.flush(REGION);
        RecordingHook followerHook = new RecordingHook("follower-hook");
        RegolithEngine follower = engine("wal-follower", followerHook);

        follower.openRegion(REGION, RegionRole.FOLLOWER);
        assertThat(hosts(follower)).containsExactly("a");
        leader.write(REGION, row("b", 2));
        leader.flush(REGION);
        leader.write(REGION, row("unflushed", 3));
        assertThat(hosts(follower)).containsExactly("a");

        follower.syncRegion(REGION);

        assertThat(hosts(follower)).containsExactly("a", "b");
        assertThatThrownBy(() -> follower.write(REGION, row("c", 4)))
                .isInstanceOf(RegionReadOnlyException.class)
                .hasMessage("Region 1024_0000000001 is a FOLLOWER: writing is not allowed; send it to the region's leader");
        assertThatThrownBy(() -> follower.flush(REGION)).isInstanceOf(RegionReadOnlyException.class);
        assertThatThrownBy(() -> follower.compact(REGION)).isInstanceOf(RegionReadOnlyException.class);
        follower.closeRegion(REGION);
        assertThat(follower.drainHooks(Duration.ofSeconds(30))).isTrue();
        assertThat(followerHook.events()).as("a follower authors nothing and notifies nobody").isEmpty();
        assertThat(hosts(leader)).containsExactly("a", "b", "unflushed");
    }

    @Test
    void downgradingLeaderRejectsWritesButFinishesItsFlush() {
        RecordingHook hook = new RecordingHook("recorder");
        RegolithEngine engine = engine("wal", hook);
        engine.createRegion(metadata(REGION));
        engine.write(REGION, row("a", 1));

        engine.setRole(REGION, RegionRole.DOWNGRADING_LEADER);

        assertThatThrownBy(() -> engine.write(REGION, row("b", 2)))
                .isInstanceOf(RegionReadOnlyException.class)
                .hasMessage("Region 1024_0000000001 is a DOWNGRADING_LEADER: writing is not allowed; the region is handing "
                        + "over leadership");
        engine.flush(REGION);
        assertThat(engine.manifest(REGION).files()).hasSize(1);
        assertThat(engine.drainHooks(Duration.ofSeconds(30))).isTrue();
        assertThat(hook.versions()).containsExactly(1L, 2L);

        engine.setRole(REGION, RegionRole.FOLLOWER);
        assertThat(engine.role(REGION)).isEqualTo(RegionRole.FOLLOWER);
        assertThatThrownBy(() -> engine.flush(REGION)).isInstanceOf(RegionReadOnlyException.class);

        engine.setRole(REGION, RegionRole.LEADER); // reopens as leader
        engine.write(REGION, row("b", 2));
        assertThat(hosts(engine)).containsExactly("a", "b");
    }

    @Test
    void syncIsForFollowersOnly() {
        RegolithEngine engine = engine("wal");
        engine.createRegion(metadata(REGION));

        assertThatThrownBy(() -> engine.syncRegion(REGION))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Region 1024_0000000001 is a LEADER: only a follower syncs from the manifest");
    }
}
