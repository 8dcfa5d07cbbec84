package dev.regolith.samples.bloomindex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.AlterRequest;
import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.RegionScanner;
import dev.regolith.engine.api.ScanRequest;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.api.exceptions.CorruptedFileException;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.ReconcileEvent;
import dev.regolith.hooks.spi.RegionOpenedEvent;
import dev.regolith.hooks.spi.SstFilesWrittenEvent;
import dev.regolith.hooks.spi.WrittenSstFile;
import dev.regolith.testkit.HookTestKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BloomIndexHookTest {

    @TempDir
    Path temp;

    private Path bloom() {
        return temp.resolve("bloom");
    }

    /** The hook indexing {@code host} into {@link #bloom()}; a compaction merges every file of a window from 2 on. */
    private HookTestKit.Builder<BloomIndexHook> kit() {
        return HookTestKit.builder(BloomIndexHook::new, temp).hookOption("dir", bloom().toString()).hookOption("column", "host")
                .engineOption("compaction.trigger.files", "2");
    }

    @Test
    void registeredForServiceLoader() {
        HookTestKit.assertRegistered(BloomIndexHook.class);
        assertThat(new BloomIndexHook().name()).isEqualTo("bloom-index");
    }

    @Test
    void sidecarsAreExactlyTheLiveFilesThroughFlushesCompactionAndTruncate() {
        try (HookTestKit<BloomIndexHook> kit = kit().start()) {
            for (int i = 0; i < 3; i++) {
                kit.write(50);
                kit.flush();
            }
            kit.drain();
            Set<FileId> flushed = kit.manifest().files().keySet();
            assertThat(flushed).hasSize(3);
            assertSidecarsMatchManifest(kit);

            kit.compact();
            kit.drain();
            assertThat(kit.manifest().files().keySet()).as("compaction merged the L0 files").hasSize(1)
                    .doesNotContainAnyElementsOf(flushed);
            assertSidecarsMatchManifest(kit);

            kit.write(20);
            kit.flush();
            kit.truncate();
            kit.drain();
            assertThat(kit.manifest().files()).isEmpty();
            assertThat(sidecarNames(kit.region())).isEmpty();

            kit.write(5);
            kit.flush();
            kit.drain();
            assertSidecarsMatchManifest(kit);
            assertThat(kit.metrics().failed()).isZero();
        }
    }

    @Test
    void everyWrittenHostIsFoundInItsFileAndMostOthersAreNot() {
        try (HookTestKit<BloomIndexHook> kit = kit().start()) {
            List<String> first = hosts("alpha-", 200);
            List<String> second = hosts("beta-", 200);
            FileId firstFile = writeAndFlush(kit, first);
            FileId secondFile = writeAndFlush(kit, second);
            kit.drain();

            for (String host : first) {
                assertThat(BloomIndex.mightContain(bloom(), kit.region(), firstFile, host)).as(host).isTrue();
            }
            for (String host : second) {
                assertThat(BloomIndex.mightContain(bloom(), kit.region(), secondFile, host)).as(host).isTrue();
            }
            BloomSidecar firstSidecar = BloomSidecar.read(BloomIndex.sidecarPath(bloom(), kit.region(), firstFile));
            assertThat(firstSidecar.column()).isEqualTo("host");
            assertThat(firstSidecar.valueCount()).isEqualTo(200);
            // fpp 0.01: about 1% of values never written come out as "maybe".
            long falsePositives = Stream.concat(hosts("gamma-", 2_000).stream(), second.stream())
                    .filter(firstSidecar::mightContain).count();
            assertThat(falsePositives).as("false positives among 2,200 values absent from the file").isLessThan(66);
        }
    }

    @Test
    void fppOptionSizesTheFilter() throws IOException {
        long defaultSize;
        try (HookTestKit<BloomIndexHook> kit = kit().start()) {
            FileId file = writeAndFlush(kit, hosts("h-", 500));
            kit.drain();
            defaultSize = Files.size(BloomIndex.sidecarPath(bloom(), kit.region(), file));
        }
        Path loose = temp.resolve("loose");
        try (HookTestKit<BloomIndexHook> kit = HookTestKit.builder(BloomIndexHook::new, temp.resolve("other"))
                .hookOption("dir", loose.toString()).hookOption("column", "host").hookOption("fpp", "0.2").start()) {
            FileId file = writeAndFlush(kit, hosts("h-", 500));
            kit.drain();
            assertThat(Files.size(BloomIndex.sidecarPath(loose, kit.region(), file))).isLessThan(defaultSize / 2);
        }
    }

    @Test
    void redeliveringEveryEventLeavesTheSidecarsByteForByte() throws IOException {
        try (HookTestKit<BloomIndexHook> kit = kit().start()) {
            for (int i = 0; i < 3; i++) {
                kit.write(40);
                kit.flush();
            }
            List<Path> compacted = kit.events(SstFilesWrittenEvent.class).stream().flatMap(event -> event.files().stream())
                    .map(WrittenSstFile::path).toList();
            // An open scan keeps the compacted files on disk: re-delivered events that name them must
            // not bring their sidecars back although the SST files are still there to read.
            try (RegionScanner scan = kit.engine().scan(kit.region(), ScanRequest.all())) {
                kit.compact();
                kit.write(30);
                kit.flush();
                kit.addField("extra");
                kit.write(30);
                kit.flush();
                kit.drain();
                assertThat(compacted).hasSize(3).allMatch(Files::exists);
                Map<String, byte[]> before = snapshot(bloom());
                assertThat(before).hasSize(kit.manifest().files().size());

                kit.redeliverAll();

                assertThat(snapshot(bloom())).containsOnlyKeys(before.keySet())
                        .allSatisfy((name, bytes) -> assertThat(bytes).as(name).isEqualTo(before.get(name)));
                assertSidecarsMatchManifest(kit);
            }
        }
    }

    @Test
    void anOldEventDeliveredLateChangesNothing() throws IOException {
        try (HookTestKit<BloomIndexHook> kit = kit().start()) {
            for (int i = 0; i < 2; i++) {
                kit.write(40);
                kit.flush();
            }
            try (RegionScanner scan = kit.engine().scan(kit.region(), ScanRequest.all())) {
                kit.compact();
                kit.drain();
                Map<String, byte[]> before = snapshot(bloom());
                RegionOpenedEvent opened = kit.events(RegionOpenedEvent.class).get(0);
                ManifestUpdatedEvent firstFlush = kit.events(ManifestUpdatedEvent.class).stream()
                        .filter(event -> event.actions().kinds().equals(List.of(ManifestAction.Kind.EDIT))).findFirst().orElseThrow();

                // The region as it was at version 1 (no files), and a flush whose file compaction removed
                // (still on disk for the scan): both older than what the hook applied.
                kit.hook().onRegionOpened(opened);
                kit.hook().onManifestUpdated(firstFlush);

                assertThat(opened.manifest().manifestVersion()).isLessThan(kit.manifest().manifestVersion());
                assertThat(snapshot(bloom())).containsOnlyKeys(before.keySet())
                        .allSatisfy((name, bytes) -> assertThat(bytes).as(name).isEqualTo(before.get(name)));
            }
        }
    }

    @Test
    void afterACrashBeforeDeliveryTheSidecarsMatchTheManifest() throws IOException {
        try (HookTestKit<BloomIndexHook> kit = kit().start()) {
            kit.write(40);
            kit.flush();
            kit.drain();

            kit.crashBeforeDelivery(() -> {
                kit.write(40);
                kit.flush();
                kit.write(40);
                kit.flush();
                kit.compact(); // the old hook never hears that the flushed files are gone
                kit.write(40);
                kit.flush();
            });
            kit.drain();

            assertThat(kit.manifest().files()).hasSize(2);
            assertSidecarsMatchManifest(kit);
            Map<String, byte[]> caughtUp = snapshot(bloom());
            kit.redeliverAll();
            assertThat(snapshot(bloom())).containsOnlyKeys(caughtUp.keySet())
                    .allSatisfy((name, bytes) -> assertThat(bytes).as(name).isEqualTo(caughtUp.get(name)));
        }
    }

    @Test
    void aHookFarBehindReconcilesFromTheWholeManifest() {
        try (HookTestKit<BloomIndexHook> kit = kit().engineOption("manifest.checkpoint.distance", "2")
                .engineOption("manifest.retained.deltas.max", "1").start()) {
            kit.write(20);
            kit.flush();
            kit.drain();

            kit.crashBeforeDelivery(() -> {
                for (int i = 0; i < 4; i++) {
                    kit.write(20);
                    kit.flush();
                }
                kit.compact();
                kit.write(20);
                kit.flush();
            });
            kit.drain();

            assertThat(kit.events(ReconcileEvent.class)).isNotEmpty();
            assertSidecarsMatchManifest(kit);
        }
    }

    @Test
    void openingTheRegionRepairsMissingDamagedAndStraySidecars() throws IOException {
        try (HookTestKit<BloomIndexHook> kit = kit().start()) {
            FileId damaged = writeAndFlush(kit, hosts("a-", 30));
            FileId deleted = writeAndFlush(kit, hosts("b-", 30));
            kit.drain();
            Map<String, byte[]> good = snapshot(bloom());
            Path damagedPath = BloomIndex.sidecarPath(bloom(), kit.region(), damaged);
            flipByte(damagedPath, 20);
            Files.delete(BloomIndex.sidecarPath(bloom(), kit.region(), deleted));
            Path stray = BloomIndex.sidecarPath(bloom(), kit.region(), FileId.random());
            Files.write(stray, good.get(kit.region() + "/" + deleted + ".bloom"));
            Path leftover = stray.resolveSibling(FileId.random() + ".bloom.tmp");
            Files.writeString(leftover, "half a sidecar");

            kit.restart();
            kit.drain();

            assertSidecarsMatchManifest(kit);
            assertThat(snapshot(bloom())).containsOnlyKeys(good.keySet())
                    .allSatisfy((name, bytes) -> assertThat(bytes).as(name).isEqualTo(good.get(name)));
        }
    }

    @Test
    void filesAddedWithoutAnSstWrittenEventGetTheirSidecarFromTheManifestUpdate() {
        try (HookTestKit<BloomIndexHook> kit = kit().start()) {
            RegionId other = RegionId.of(4096, 2);
            RegionMetadata defaults = HookTestKit.defaultSchema();
            kit.engine().createRegion(new RegionMetadata(other, defaults.columns(), 0, Map.of()));
            kit.engine().write(other, batch(hosts("copied-", 25)));
            kit.engine().flush(other);
            kit.drain();
            kit.clearEvents();

            kit.engine().copyRegion(other, kit.region());
            kit.drain();

            Set<FileId> copied = kit.manifest().files().keySet();
            assertThat(copied).hasSize(1);
            assertThat(kit.events(SstFilesWrittenEvent.class)).as("copy region writes files without onSstFilesWritten")
                    .flatMap(SstFilesWrittenEvent::files).extracting(file -> file.meta().fileId())
                    .doesNotContainAnyElementsOf(copied);
            assertSidecarsMatchManifest(kit);
            FileId file = copied.iterator().next();
            assertThat(BloomIndex.mightContain(bloom(), kit.region(), file, "copied-7")).isTrue();
            assertThat(BloomIndex.indexedFiles(bloom(), other)).as("the other region is indexed too")
                    .isEqualTo(kit.engine().manifest(other).files().keySet());
        }
    }

    @Test
    void filesWithoutTheColumnGetNoSidecarAndFailNothing() {
        try (HookTestKit<BloomIndexHook> kit = kit().hookOption("column", "datacenter").start()) {
            kit.write(20);
            kit.flush();
            kit.drain();
            FileId before = kit.manifest().files().keySet().iterator().next();
            assertThat(sidecarNames(kit.region())).isEmpty();

            kit.alter(AlterRequest.addColumn(ColumnSchema.field("datacenter", 10, DataType.STRING)));
            kit.write(WriteBatch.builder("host", "usage", "ts", "datacenter")
                    .put("h1", 1.0, HookTestKit.START_MILLIS, "eu-west")
                    .put("h2", 1.0, HookTestKit.START_MILLIS, "us-east").build());
            kit.flush();
            kit.drain();
            kit.restart(); // reconciles: the file written before the column was added stays without a sidecar
            kit.drain();

            Set<FileId> live = new TreeSet<>(kit.manifest().files().keySet());
            live.remove(before);
            assertThat(BloomIndex.indexedFiles(bloom(), kit.region())).isEqualTo(live).hasSize(1);
            FileId after = live.iterator().next();
            assertThat(BloomIndex.mightContain(bloom(), kit.region(), after, "eu-west")).isTrue();
            assertThatThrownBy(() -> BloomIndex.mightContain(bloom(), kit.region(), before, "eu-west"))
                    .isInstanceOf(UncheckedIOException.class).hasCauseInstanceOf(NoSuchFileException.class);
            assertThat(kit.metrics().failed()).isZero();
        }
    }

    @Test
    void aColumnThatIsNotAStringIsNotIndexed() {
        try (HookTestKit<BloomIndexHook> kit = kit().hookOption("column", "usage").start()) {
            kit.write(20);
            kit.flush();
            kit.drain();

            assertThat(kit.manifest().files()).hasSize(1);
            assertThat(sidecarNames(kit.region())).isEmpty();
            assertThat(kit.metrics().failed()).isZero();
        }
    }

    @Test
    void droppingTheRegionDeletesItsSidecarDirectory() {
        try (HookTestKit<BloomIndexHook> kit = kit().start()) {
            kit.write(20);
            kit.flush();
            kit.drain();
            assertThat(BloomIndex.regionDirectory(bloom(), kit.region())).isDirectory();

            kit.dropRegion();
            kit.drain();

            assertThat(BloomIndex.regionDirectory(bloom(), kit.region())).doesNotExist();
            assertThat(bloom()).isDirectory();
        }
    }

    @Test
    void aDamagedSidecarIsReportedWithItsPath() throws IOException {
        try (HookTestKit<BloomIndexHook> kit = kit().start()) {
            FileId file = writeAndFlush(kit, hosts("h-", 40));
            kit.drain();
            Path sidecar = BloomIndex.sidecarPath(bloom(), kit.region(), file);
            long size = Files.size(sidecar);

            flipByte(sidecar, (int) size / 2);

            assertThatThrownBy(() -> BloomIndex.mightContain(bloom(), kit.region(), file, "h-1"))
                    .isInstanceOf(CorruptedFileException.class)
                    .hasMessageStartingWith("Corrupted file " + sidecar + " at offset " + (size - 4) + ": checksum mismatch");

            flipByte(sidecar, (int) size / 2);
            flipByte(sidecar, 0);
            assertThatThrownBy(() -> BloomSidecar.read(sidecar))
                    .isInstanceOf(CorruptedFileException.class)
                    .hasMessage("Corrupted file " + sidecar + " at offset 0: bad magic 0x53424c4d, expected 0x52424c4d (\"RBLM\")");

            Files.write(sidecar, new byte[] {'R', 'B', 'L', 'M'});
            assertThatThrownBy(() -> BloomSidecar.read(sidecar))
                    .isInstanceOf(CorruptedFileException.class)
                    .hasMessageContaining(sidecar.toString()).hasMessageContaining("too short");
        }
    }

    @Test
    void aMissingSidecarIsReportedWithItsPath() {
        RegionId region = HookTestKit.REGION;
        FileId file = FileId.random();
        Path expected = bloom().resolve(region.toString()).resolve(file + ".bloom");

        assertThatThrownBy(() -> BloomIndex.mightContain(bloom(), region, file, "h"))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage("No bloom-index sidecar " + expected)
                .cause().isInstanceOf(NoSuchFileException.class).hasMessageContaining(expected.toString());
    }

    @Test
    void theSidecarHeaderHoldsMagicVersionColumnAndValueCount() throws IOException {
        try (HookTestKit<BloomIndexHook> kit = kit().start()) {
            kit.write(100); // hosts host-0 to host-9
            kit.flush();
            kit.drain();
            FileId file = kit.manifest().files().keySet().iterator().next();

            byte[] bytes = Files.readAllBytes(BloomIndex.sidecarPath(bloom(), kit.region(), file));
            java.nio.ByteBuffer header = java.nio.ByteBuffer.wrap(bytes);
            assertThat(new String(bytes, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RBLM");
            assertThat(header.getInt(4)).isEqualTo(BloomSidecar.FORMAT_VERSION);
            assertThat(header.getShort(8)).isEqualTo((short) 4);
            assertThat(new String(bytes, 10, 4, StandardCharsets.UTF_8)).isEqualTo("host");
            assertThat(header.getLong(14)).isEqualTo(10);
            assertThat(header.getInt(22)).isEqualTo(bytes.length - 26 - 4);
        }
    }

    @Test
    void aMissingColumnOptionFailsInitNamingIt() {
        assertThatThrownBy(() -> HookTestKit.builder(BloomIndexHook::new, temp).hookOption("dir", bloom().toString()).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Missing hooks.bloom-index.column: ");
    }

    @Test
    void aMissingDirOptionFailsInitNamingIt() {
        assertThatThrownBy(() -> HookTestKit.builder(BloomIndexHook::new, temp).hookOption("column", "host").start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Missing hooks.bloom-index.dir: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "-0.5", "1.5", "abc", "", "NaN"})
    void anInvalidFppFailsInitNamingIt(String fpp) {
        assertThatThrownBy(() -> kit().hookOption("fpp", fpp).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid hooks.bloom-index.fpp: '" + fpp
                        + "' (expected a false positive probability between 0 and 1, exclusive, for example 0.01)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"data", "data/4096_0000000001/bloom"})
    void aDirInTheEnginesRegionDirectoriesIsRefused(String inData) {
        Path dir = temp.resolve(inData);
        assertThatThrownBy(() -> kit().hookOption("dir", dir.toString()).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid hooks.bloom-index.dir: " + dir + " would put sidecars in the engine's region "
                        + "directories");
    }

    private void assertSidecarsMatchManifest(HookTestKit<BloomIndexHook> kit) {
        Set<String> expected = kit.manifest().files().keySet().stream().map(id -> id + ".bloom").collect(Collectors.toSet());
        assertThat(sidecarNames(kit.region())).as("every file in the region's sidecar directory").isEqualTo(expected);
        assertThat(BloomIndex.indexedFiles(bloom(), kit.region())).isEqualTo(kit.manifest().files().keySet());
    }

    private Set<String> sidecarNames(RegionId region) {
        Path directory = BloomIndex.regionDirectory(bloom(), region);
        if (!Files.isDirectory(directory)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every file under {@code root} by relative path, with its bytes. */
    private static Map<String, byte[]> snapshot(Path root) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
            }
        }
        return files;
    }

    private static void flipByte(Path file, int offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[offset] ^= 0x01;
        Files.write(file, bytes);
    }

    private static List<String> hosts(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
    }

    private static WriteBatch batch(List<String> hosts) {
        WriteBatch.Builder batch = WriteBatch.builder("host", "usage", "ts");
        for (int i = 0; i < hosts.size(); i++) {
            batch.put(hosts.get(i), (double) i, HookTestKit.START_MILLIS + i * 1000L);
        }
        return batch.build();
    }

    /** Writes one row per host, flushes, and returns the one file the flush added. */
    private static FileId writeAndFlush(HookTestKit<BloomIndexHook> kit, List<String> hosts) {
        Set<FileId> before = new HashSet<>(kit.manifest().files().keySet());
        kit.write(batch(hosts));
        kit.flush();
        Set<FileId> added = new HashSet<>(kit.manifest().files().keySet());
        added.removeAll(before);
        assertThat(added).as("files the flush added").hasSize(1);
        return added.iterator().next();
    }
}
