package dev.regolith.engine.manifest;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.addFile;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;

import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.manifest.ManifestCommitter.CommittedVersion;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading committed versions back for a hook that missed them, and keeping the deltas it needs. */
class ManifestCatchUpTest {

    @TempDir
    Path dir;

    private ManifestCommitter create(ManifestOptions options) {
        return ManifestCommitter.create(new LocalFileIO(), dir.resolve("manifest"), metadata(REGION), RegionHooks.none(), options);
    }

    private static List<ManifestActionList> commit(ManifestCommitter committer, int count) {
        List<ManifestActionList> committed = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ManifestActionList actions = addFile(REGION);
            committer.commit(actions);
            committed.add(actions);
        }
        return committed;
    }

    @Test
    void versionsAfterACursorComeBackInOrderWithTheirActions() {
        ManifestCommitter committer = create(new ManifestOptions(100));
        List<ManifestActionList> committed = commit(committer, 5); // versions 2..6

        List<CommittedVersion> missed = committer.committedAfter(3).orElseThrow();

        assertThat(missed).extracting(CommittedVersion::version).containsExactly(4L, 5L, 6L);
        assertThat(missed).extracting(CommittedVersion::actions).containsExactlyElementsOf(committed.subList(2, 5));
        assertThat(committer.committedAfter(6).orElseThrow()).isEmpty();
    }

    @Test
    void deltasACheckpointReplacedMeanReconcile() {
        ManifestCommitter committer = create(new ManifestOptions(2));
        commit(committer, 5);

        assertThat(committer.committedAfter(1)).isEmpty();
    }

    @Test
    void checkpointsKeepTheDeltasAHookStillNeeds() {
        ManifestCommitter committer = create(new ManifestOptions(2));
        committer.setRetentionFloor(() -> 2); // a hook has seen version 1 only
        commit(committer, 6);

        assertThat(committer.committedAfter(1).orElseThrow()).extracting(CommittedVersion::version)
                .containsExactly(2L, 3L, 4L, 5L, 6L, 7L);
        // The retained deltas below the checkpoint do not confuse a reopen.
        assertThat(ManifestCommitter.read(new LocalFileIO(), dir.resolve("manifest"), REGION)).isEqualTo(committer.current());
    }

    @Test
    void retentionIsBoundedSoAHookFarBehindReconciles() {
        ManifestCommitter committer = create(new ManifestOptions(2, 3));
        committer.setRetentionFloor(() -> 2);
        commit(committer, 8); // head 9: only versions 7..9 are kept for it

        assertThat(committer.committedAfter(1)).isEmpty();
        assertThat(committer.committedAfter(6).orElseThrow()).extracting(CommittedVersion::version).containsExactly(7L, 8L, 9L);
    }
}
