package dev.regolith.engine.manifest;

import static dev.regolith.engine.testing.TestingRegions.REGION;
import static dev.regolith.engine.testing.TestingRegions.metadata;
import static org.assertj.core.api.Assertions.assertThat;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileIndex;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.engine.io.LocalFileIO;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commits random action sequences with random checkpoint distances and reopens the manifest at
 * random points: what is read back must equal what was kept in memory, and both must match an
 * independent model of the live files.
 *
 * <p>Rerun a failure with {@code -Dregolith.test.seed=<seed printed in the output>}.
 */
class ManifestRandomizedTest {

    @TempDir
    Path dir;

    @RepeatedTest(5)
    void committedCheckpointedAndReopenedStateMatchesMemory() {
        long seed = Long.getLong("regolith.test.seed", new Random().nextLong());
        System.out.println("ManifestRandomizedTest seed=" + seed);
        Random random = new Random(seed);
        int checkpointDistance = 1 + random.nextInt(12);
        Path manifestDir = dir.resolve("manifest");
        LocalFileIO io = new LocalFileIO();
        ManifestCommitter committer = ManifestCommitter.create(io, manifestDir, metadata(REGION), RegionHooks.none(),
                new ManifestOptions(checkpointDistance));
        Map<FileId, FileMeta> expectedFiles = new HashMap<>();
        RegionMetadata expectedMetadata = metadata(REGION);

        for (int step = 0; step < 120; step++) {
            List<ManifestAction> actions = new ArrayList<>();
            int count = 1 + random.nextInt(3);
            for (int i = 0; i < count; i++) {
                ManifestAction action = randomAction(random, expectedFiles, expectedMetadata);
                apply(action, expectedFiles);
                if (action instanceof ManifestAction.Change change) {
                    expectedMetadata = change.metadata();
                }
                actions.add(action);
            }
            committer.commit(new ManifestActionList(actions));

            assertThat(committer.current().files()).as("seed %d step %d", seed, step).isEqualTo(expectedFiles);
            if (random.nextInt(10) == 0) {
                committer = ManifestCommitter.open(io, manifestDir, REGION, RegionHooks.none(),
                        new ManifestOptions(checkpointDistance));
            }
            if (random.nextInt(5) == 0) {
                RegionManifest read = ManifestCommitter.read(io, manifestDir, REGION);
                assertThat(read).as("seed %d step %d", seed, step).isEqualTo(committer.current());
            }
        }

        RegionManifest reopened = ManifestCommitter.read(io, manifestDir, REGION);
        assertThat(reopened).as("seed %d", seed).isEqualTo(committer.current());
        assertThat(reopened.manifestVersion()).isEqualTo(121);
        assertThat(reopened.metadata()).isEqualTo(expectedMetadata);
    }

    private static ManifestAction randomAction(Random random, Map<FileId, FileMeta> live, RegionMetadata metadata) {
        int choice = random.nextInt(100);
        if (choice < 60) {
            List<FileMeta> add = new ArrayList<>();
            for (int i = random.nextInt(4); i > 0; i--) {
                add.add(randomFile(random));
            }
            List<FileMeta> remove = randomSubset(random, live);
            return new ManifestAction.Edit(add, remove,
                    random.nextBoolean() ? OptionalLong.of(random.nextInt(1_000_000)) : OptionalLong.empty(),
                    random.nextBoolean() ? OptionalLong.of(random.nextInt(1_000_000)) : OptionalLong.empty(),
                    random.nextInt(4) == 0 ? Optional.of(Duration.ofHours(1 + random.nextInt(24))) : Optional.empty());
        }
        if (choice < 70 && !live.isEmpty()) {
            // Publish an index for one live file: the same id, replaced.
            FileMeta file = new ArrayList<>(live.values()).get(random.nextInt(live.size()));
            return ManifestAction.Edit.ofFiles(List.of(file.withIndex(new FileIndex(List.of("hostname"), 512, 1))), List.of());
        }
        if (choice < 78) {
            List<ColumnSchema> columns = new ArrayList<>(metadata.columns());
            int id = columns.stream().mapToInt(ColumnSchema::columnId).max().orElse(0) + 1;
            columns.add(ColumnSchema.field("f" + id, id, DataType.INT64));
            return new ManifestAction.Change(new RegionMetadata(REGION, columns, metadata.schemaVersion() + 1,
                    Map.of("ttl", random.nextInt(30) + "d")));
        }
        if (choice < 83) {
            return new ManifestAction.TruncateAll(random.nextInt(1_000_000), random.nextInt(1_000_000));
        }
        if (choice < 90) {
            return new ManifestAction.TruncatePartial(randomSubset(random, live));
        }
        if (choice < 95) {
            return new ManifestAction.PartitionExprChange(random.nextBoolean()
                    ? Optional.of("host < '" + random.nextInt(100) + "'")
                    : Optional.empty());
        }
        return new ManifestAction.Remove(REGION);
    }

    private static void apply(ManifestAction action, Map<FileId, FileMeta> live) {
        if (action instanceof ManifestAction.Edit edit) {
            edit.filesToRemove().forEach(file -> live.remove(file.fileId()));
            edit.filesToAdd().forEach(file -> live.put(file.fileId(), file));
        }
        else if (action instanceof ManifestAction.TruncateAll) {
            live.clear();
        }
        else if (action instanceof ManifestAction.TruncatePartial truncate) {
            truncate.filesToRemove().forEach(file -> live.remove(file.fileId()));
        }
    }

    private static List<FileMeta> randomSubset(Random random, Map<FileId, FileMeta> live) {
        List<FileMeta> subset = new ArrayList<>();
        for (FileMeta file : live.values()) {
            if (random.nextInt(4) == 0) {
                subset.add(file);
            }
        }
        return subset;
    }

    private static FileMeta randomFile(Random random) {
        long start = random.nextInt(1_000_000_000);
        return new FileMeta(REGION, new FileId(new UUID(random.nextLong(), random.nextLong())),
                new TimeRange(start, start + random.nextInt(3_600_000)), random.nextInt(2), random.nextInt(1 << 30),
                random.nextInt(1_000_000), 1 + random.nextInt(10), random.nextInt(1 << 30), Optional.empty());
    }
}
