package dev.regolith.engine.manifest;

import static dev.regolith.engine.testing.TestingFileIO.named;
import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.addFile;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.api.exceptions.CommitStateUnknownException;
import dev.regolith.engine.api.exceptions.RegionNotFoundException;
import dev.regolith.engine.api.exceptions.RegionStorageException;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.testing.RecordingHook;
import dev.regolith.engine.testing.TestingFileIO;
import dev.regolith.engine.testing.TestingFileIO.WriteFault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestCommitterTest {

    @TempDir
    Path dir;

    private Path manifestDir() {
        return dir.resolve("1024_0000000001").resolve("manifest");
    }

    private final List<RegionHooks> opened = new java.util.ArrayList<>();

    /** Waits until the hooks of every committer created here have been delivered everything fired. */
    private void drain() {
        opened.forEach(hooks -> assertThat(hooks.drain(java.time.Duration.ofSeconds(30))).as("hooks drained").isTrue());
    }

    @org.junit.jupiter.api.AfterEach
    void closeHooks() {
        opened.forEach(RegionHooks::close);
    }

    private ManifestCommitter create(TestingFileIO io, int checkpointDistance, RecordingHook... hooks) {
        RegionHooks regionHooks = RegionHooks.of(List.of(hooks));
        opened.add(regionHooks);
        return ManifestCommitter.create(io, manifestDir(), metadata(REGION), regionHooks,
                new ManifestOptions(checkpointDistance));
    }

    private List<String> manifestFiles() throws Exception {
        try (Stream<Path> files = Files.list(manifestDir())) {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void createCommitsVersionOneAndNotifiesHooks() throws Exception {
        RecordingHook hook = new RecordingHook("recorder");

        ManifestCommitter committer = create(new TestingFileIO(), 10, hook);

        assertThat(committer.current().manifestVersion()).isEqualTo(1);
        assertThat(committer.current().metadata()).isEqualTo(metadata(REGION));
        assertThat(manifestFiles()).containsExactly("00000000000000000001.delta");
        drain();
        assertThat(hook.manifestUpdates()).singleElement().satisfies(event -> {
            assertThat(event.manifestVersion()).isEqualTo(1);
            assertThat(event.actions()).isEqualTo(ManifestActionList.of(new ManifestAction.Change(metadata(REGION))));
        });
    }

    @Test
    void createRejectsExistingManifest() {
        create(new TestingFileIO(), 10);

        assertThatThrownBy(() -> create(new TestingFileIO(), 10))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Region 1024_0000000001 already has a manifest in " + manifestDir());
    }

    @Test
    void openRestoresCommittedState() {
        ManifestCommitter committer = create(new TestingFileIO(), 10);
        committer.commit(addFile(REGION));
        committer.commit(addFile(REGION));

        ManifestCommitter reopened = ManifestCommitter.open(new LocalFileIO(), manifestDir(), REGION, RegionHooks.none(),
                ManifestOptions.DEFAULT);

        assertThat(reopened.current()).isEqualTo(committer.current());
        assertThat(reopened.current().files()).hasSize(2);
        assertThat(reopened.commit(addFile(REGION))).isEqualTo(4);
    }

    @Test
    void openOfMissingRegionNamesIt() {
        assertThatThrownBy(() -> ManifestCommitter.open(new LocalFileIO(), manifestDir(), REGION, RegionHooks.none(),
                ManifestOptions.DEFAULT))
                .isInstanceOf(RegionNotFoundException.class)
                .hasMessage("Region 1024_0000000001 not found: no manifest directory " + manifestDir());
    }

    @Test
    void commitLockedRequiresTheLock() {
        ManifestCommitter committer = create(new TestingFileIO(), 10);

        assertThatThrownBy(() -> committer.commitLocked(addFile(REGION)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Committing to the manifest of region 1024_0000000001 requires its manifest write lock, "
                        + "which the current thread does not hold");
        assertThat(committer.current().manifestVersion()).isEqualTo(1);
    }

    @Test
    void invalidActionsWriteNothing() throws Exception {
        ManifestCommitter committer = create(new TestingFileIO(), 10);
        ManifestActionList foreign = ManifestActionList.of(new ManifestAction.Change(metadata(RegionId.of(7, 7))));

        assertThatThrownBy(() -> committer.commit(foreign))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid commit to region 1024_0000000001 at version 2: metadata of region 7_0000000007 "
                        + "committed to region 1024_0000000001");

        assertThat(committer.current().manifestVersion()).isEqualTo(1);
        assertThat(manifestFiles()).containsExactly("00000000000000000001.delta");
    }

    @Test
    void checkpointsEveryDistanceAndDeletesWhatTheyReplace() throws Exception {
        RecordingHook hook = new RecordingHook("recorder");
        ManifestCommitter committer = create(new TestingFileIO(), 3, hook);

        committer.commit(addFile(REGION)); // 2
        assertThat(manifestFiles()).containsExactly("00000000000000000001.delta", "00000000000000000002.delta");
        committer.commit(addFile(REGION)); // 3: checkpoint
        assertThat(manifestFiles()).containsExactly("00000000000000000003.checkpoint", "_last_checkpoint");
        for (int i = 0; i < 4; i++) {
            committer.commit(addFile(REGION)); // 4..7: checkpoint at 6
        }

        assertThat(manifestFiles()).containsExactly("00000000000000000006.checkpoint", "00000000000000000007.delta",
                "_last_checkpoint");
        assertThat(committer.lastCheckpointVersion()).isEqualTo(6);
        assertThat(ManifestCommitter.read(new LocalFileIO(), manifestDir(), REGION)).isEqualTo(committer.current());
        // Checkpoints and cleanup are bookkeeping: hooks saw exactly the seven commits.
        drain();
        assertThat(hook.versions()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    }

    @Test
    void failedDeltaWriteCommitsNothingAndKeepsTheVersion() throws Exception {
        TestingFileIO io = new TestingFileIO();
        RecordingHook hook = new RecordingHook("recorder");
        ManifestCommitter committer = create(io, 10, hook);
        io.failNextWrite(named(".delta"), WriteFault.FAIL_BEFORE_PUBLISH);

        assertThatThrownBy(() -> committer.commit(addFile(REGION)))
                .isInstanceOf(RegionStorageException.class)
                .hasMessageStartingWith("Failed to commit version 2 of region 1024_0000000001: could not write "
                        + manifestDir().resolve("00000000000000000002.delta"));

        assertThat(committer.current().manifestVersion()).isEqualTo(1);
        assertThat(manifestFiles()).containsExactly("00000000000000000001.delta");
        assertThat(committer.commit(addFile(REGION))).isEqualTo(2);
        drain();
        assertThat(hook.versions()).containsExactly(1L, 2L);
    }

    @Test
    void unknownCommitStateStopsFurtherCommitsUntilReopen() {
        TestingFileIO io = new TestingFileIO();
        RecordingHook hook = new RecordingHook("recorder");
        ManifestCommitter committer = create(io, 10, hook);
        io.failNextWrite(named(".delta"), WriteFault.FAIL_AFTER_PUBLISH);

        assertThatThrownBy(() -> committer.commit(addFile(REGION)))
                .isInstanceOf(CommitStateUnknownException.class)
                .hasMessageStartingWith("Commit of region 1024_0000000001 version 2 may or may not be durable");
        assertThatThrownBy(() -> committer.commit(addFile(REGION)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reopen it");

        // The delta did land; reopening reads back what is really there.
        ManifestCommitter reopened = ManifestCommitter.open(io, manifestDir(), REGION, RegionHooks.none(), ManifestOptions.DEFAULT);
        assertThat(reopened.current().manifestVersion()).isEqualTo(2);
        drain();
        assertThat(hook.versions()).containsExactly(1L);
    }

    @Test
    void failedCheckpointDoesNotFailTheCommit() throws Exception {
        TestingFileIO io = new TestingFileIO();
        ManifestCommitter committer = create(io, 2);
        io.failNextWrite(named(".checkpoint"), WriteFault.FAIL_BEFORE_PUBLISH);

        assertThat(committer.commit(addFile(REGION))).isEqualTo(2);

        assertThat(committer.checkpointFailures()).isEqualTo(1);
        assertThat(committer.lastCheckpointVersion()).isZero();
        assertThat(manifestFiles()).containsExactly("00000000000000000001.delta", "00000000000000000002.delta");
        committer.commit(addFile(REGION));
        assertThat(committer.lastCheckpointVersion()).isEqualTo(3);
        assertThat(ManifestCommitter.read(io, manifestDir(), REGION)).isEqualTo(committer.current());
    }

    @Test
    void readerRacingCheckpointCleanupStartsOver() {
        TestingFileIO io = new TestingFileIO();
        ManifestCommitter writer = create(io, 3);
        writer.commit(addFile(REGION)); // 2
        // The reader lists deltas 1 and 2; before it reads delta 1, the writer checkpoints at 3 and
        // deletes both. The reader must start over from the new pointer, not fail or miss a version.
        io.beforeNextRead(named("00000000000000000001.delta"), () -> writer.commit(addFile(REGION)));

        RegionManifest read = ManifestCommitter.read(io, manifestDir(), REGION);

        assertThat(writer.lastCheckpointVersion()).isEqualTo(3);
        assertThat(read).isEqualTo(writer.current());
    }

    @Test
    void concurrentCommitsGetDistinctConsecutiveVersions() throws Exception {
        RecordingHook hook = new RecordingHook("recorder");
        ManifestCommitter committer = create(new TestingFileIO(), 7, hook);
        int threads = 4;
        int commitsPerThread = 25;
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        List<Future<List<Long>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            results.add(executor.submit(() -> {
                List<Long> versions = new ArrayList<>();
                for (int i = 0; i < commitsPerThread; i++) {
                    versions.add(committer.commit(addFile(REGION)));
                }
                return versions;
            }));
        }
        List<Long> versions = new ArrayList<>();
        for (Future<List<Long>> result : results) {
            versions.addAll(result.get());
        }
        executor.shutdown();

        long last = 1 + threads * commitsPerThread;
        assertThat(versions).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(2, last).boxed().toList());
        drain();
        assertThat(hook.versions()).as("every version, in order").containsExactlyElementsOf(LongStream.rangeClosed(1, last).boxed().toList());
        assertThat(committer.current().files()).hasSize(threads * commitsPerThread);
        assertThat(ManifestCommitter.read(new LocalFileIO(), manifestDir(), REGION)).isEqualTo(committer.current());
    }
}
