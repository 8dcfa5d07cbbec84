package dev.regolith.samples.auditlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestAction.TruncatePartial;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.testkit.HookTestKit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The audit log on a real region, driven through the test kit. */
class AuditLogHookTest {

    private static final Instant TIME = Instant.parse("2026-11-21T07:00:00Z");
    private static final Pattern VERSIONS = Pattern.compile("\"version\":(\\d+),\"firstVersion\":(\\d+),");
    private static final Pattern FILE = Pattern.compile("\\{\"file\":\"[^\"]+\",\"level\":\\d+,\"rows\":\\d+,\"bytes\":\\d+,"
            + "\"timeRange\":\\[-?\\d+,-?\\d+\\]\\}");
    private static final String REGION = HookTestKit.REGION.toString();

    @TempDir
    Path dir;

    /** Where the log goes: its own directory, so that the rotation tests can list it. */
    private Path log() {
        return dir.resolve("log").resolve("audit.jsonl");
    }

    /** The hook logging to {@link #log()}; a compaction merges every file of a window from 2 on. */
    private HookTestKit.Builder<AuditLogHook> kit() {
        return HookTestKit.builder(AuditLogHook::new, dir.resolve("engine")).hookOption("file", log().toString())
                .engineOption("compaction.trigger.files", "2");
    }

    @Test
    void registeredForServiceLoaderUnderItsName() {
        HookTestKit.assertRegistered(AuditLogHook.class);
        assertThat(new AuditLogHook().name()).isEqualTo("audit-log").isEqualTo(AuditLogHook.NAME);
    }

    @Test
    void initCreatesTheConfiguredFileAndItsDirectories() {
        Path target = dir.resolve("nested/deeper/audit.jsonl");

        try (HookTestKit<AuditLogHook> kit = kit().hookOption("file", target.toString()).start()) {
            assertThat(kit.hook().file()).isEqualTo(target.toAbsolutePath());
            assertThat(target).exists();
        }
    }

    @Test
    void eachLineNamesRegionVersionsActionKindsAndFilesWithRowsAndSizes() throws IOException {
        try (HookTestKit<AuditLogHook> kit = kit().start()) {
            kit.write(30);
            kit.flush();
            kit.write(30);
            kit.flush();
            Collection<FileMeta> flushed = kit.manifest().files().values();
            kit.compact();
            Collection<FileMeta> compacted = kit.manifest().files().values();
            kit.addField("extra");
            kit.truncate();
            kit.drain();

            List<String> lines = Files.readAllLines(log());
            assertThat(lines).hasSize(6);
            assertThat(withoutTime(lines.get(0))).isEqualTo("{\"region\":\"" + REGION + "\",\"version\":1,\"firstVersion\":1"
                    + ",\"actions\":[\"CHANGE\",\"EDIT\"],\"filesAdded\":[],\"filesRemoved\":[]}");
            FileMeta first = flushed.stream().min((a, b) -> Long.compare(a.maxSequence(), b.maxSequence())).orElseThrow();
            assertThat(withoutTime(lines.get(1))).isEqualTo("{\"region\":\"" + REGION + "\",\"version\":2,\"firstVersion\":2"
                    + ",\"actions\":[\"EDIT\"],\"filesAdded\":[" + json(first) + "],\"filesRemoved\":[]}");
            assertThat(first.numRows()).isEqualTo(30);

            String compaction = lines.get(3);
            assertThat(compaction).contains("\"version\":4,\"firstVersion\":4,\"actions\":[\"EDIT\"]");
            assertThat(filesIn(compaction, "filesAdded")).containsExactlyElementsOf(json(compacted));
            assertThat(filesIn(compaction, "filesRemoved")).containsExactlyInAnyOrderElementsOf(json(flushed));
            assertThat(compacted).singleElement().satisfies(file -> {
                assertThat(file.level()).isEqualTo(1);
                assertThat(file.numRows()).isEqualTo(60);
            });

            assertThat(withoutTime(lines.get(4))).isEqualTo("{\"region\":\"" + REGION + "\",\"version\":5,\"firstVersion\":5"
                    + ",\"actions\":[\"CHANGE\"],\"filesAdded\":[],\"filesRemoved\":[]}");
            // A whole-region truncate names no files.
            assertThat(withoutTime(lines.get(5))).isEqualTo("{\"region\":\"" + REGION + "\",\"version\":6,\"firstVersion\":6"
                    + ",\"actions\":[\"TRUNCATE\"],\"filesAdded\":[],\"filesRemoved\":[]}");
        }
    }

    @Test
    void everyLineIsToJsonOfItsEventWithTheTimeItWasWritten() throws IOException {
        try (HookTestKit<AuditLogHook> kit = kit().start()) {
            Instant started = Instant.now();
            kit.write(10);
            kit.flush();
            kit.write(10);
            kit.flush();
            kit.compact();
            kit.drain();

            List<String> lines = Files.readAllLines(log(), StandardCharsets.UTF_8);
            List<ManifestUpdatedEvent> events = kit.events(ManifestUpdatedEvent.class);
            assertThat(lines).hasSameSizeAs(events).hasSize(4);
            for (int i = 0; i < lines.size(); i++) {
                assertThat(withoutTime(lines.get(i))).isEqualTo(withoutTime(AuditLogHook.toJson(events.get(i), TIME)));
                Matcher time = Pattern.compile("^\\{\"time\":\"([^\"]+Z)\",").matcher(lines.get(i));
                assertThat(time.find()).as(lines.get(i)).isTrue();
                assertThat(Instant.parse(time.group(1))).isBetween(started.minusSeconds(60), Instant.now());
            }
        }
    }

    @Test
    void oneLinePerVersionInOrderAcrossFlushCompactionAlterAndTruncate() throws IOException {
        try (HookTestKit<AuditLogHook> kit = kit().start()) {
            kit.write(20);
            kit.flush();
            kit.write(20);
            kit.flush();
            kit.compact();
            kit.addField("extra");
            kit.write(20); // flushed by the alter below, before its CHANGE
            kit.addField("more");
            kit.truncate();
            kit.write(5);
            kit.flush();
            kit.drain();

            long head = kit.manifest().manifestVersion();
            assertThat(kit.deliveredVersions()).isEqualTo(range(1, head));
            assertThat(versionsIn(log())).isEqualTo(kit.deliveredVersions());
            assertThat(Files.readAllLines(log())).hasSize((int) head);
        }
    }

    @Test
    void stagingApplyIsLoggedAsTheVersionsItCovers() throws IOException {
        try (HookTestKit<AuditLogHook> kit = kit().start()) {
            kit.write(10);
            kit.enterStaging("host < 'host-5'");
            kit.write(10);
            kit.flush();
            kit.applyStaging();
            kit.drain();

            ManifestUpdatedEvent apply = kit.events(ManifestUpdatedEvent.class).get(kit.events(ManifestUpdatedEvent.class).size() - 1);
            List<String> lines = Files.readAllLines(log());
            String last = lines.get(lines.size() - 1);
            assertThat(last).contains("\"version\":" + apply.manifestVersion() + ",\"firstVersion\":" + apply.firstVersion() + ",");
            assertThat(last).contains("\"PARTITION_EXPR_CHANGE\"").contains("\"EDIT\"");
            assertThat(versionsIn(log())).isEqualTo(kit.deliveredVersions()).isEqualTo(range(1, kit.manifest().manifestVersion()));
        }
    }

    @Test
    void redeliveringEveryEventLeavesTheLogByteForByte() throws IOException {
        try (HookTestKit<AuditLogHook> kit = kit().start()) {
            kit.write(20);
            kit.flush();
            kit.write(20);
            kit.flush();
            kit.compact();
            kit.addField("extra");
            kit.truncate();
            kit.drain();
            byte[] before = Files.readAllBytes(log());

            kit.redeliverAll();

            assertThat(Files.readAllBytes(log())).isEqualTo(before);
        }
    }

    @Test
    void versionsDeliveredAgainAfterACrashAreLoggedOnce() throws IOException {
        // No cursor is persisted before the crash: the new hook instance gets every version again.
        try (HookTestKit<AuditLogHook> kit = kit().engineOption("delivery.cursor.interval.ms", "3600000").start()) {
            kit.write(20);
            kit.flush();
            kit.write(20);
            kit.flush();
            kit.drain();

            kit.crashBeforeDelivery(() -> {
                kit.compact();
                kit.addField("extra");
                kit.write(10);
                kit.flush();
            });
            kit.drain();

            long head = kit.manifest().manifestVersion();
            List<Long> delivered = kit.deliveredVersions();
            assertThat(delivered).as("versions the old and the new hook instance were delivered").hasSizeGreaterThan((int) head)
                    .containsAll(range(1, head));
            assertThat(versionsIn(log())).isEqualTo(range(1, head));

            byte[] caughtUp = Files.readAllBytes(log());
            kit.redeliverAll();
            assertThat(Files.readAllBytes(log())).isEqualTo(caughtUp);
        }
    }

    @Test
    void theLastVersionsAreRecoveredFromRotatedFilesToo() throws IOException {
        RegionId other = RegionId.of(4096, 2);
        try (HookTestKit<AuditLogHook> kit = kit().hookOption("max-bytes", "600").hookOption("max-files", "50")
                .engineOption("delivery.cursor.interval.ms", "3600000").start()) {
            kit.write(5);
            kit.flush();
            // Another region's lines rotate the kit's region's last line out of the live file.
            kit.engine().createRegion(new RegionMetadata(other, HookTestKit.defaultSchema().columns(), 0, Map.of()));
            for (int i = 0; i < 6; i++) {
                kit.engine().write(other, WriteBatch.builder("host", "usage", "ts").put("h", 1.0, HookTestKit.START_MILLIS + i).build());
                kit.engine().flush(other);
            }
            kit.drain();
            assertThat(Files.readString(log())).doesNotContain(REGION);

            kit.crashBeforeDelivery(() -> {
                kit.write(5);
                kit.flush();
            });
            kit.drain();

            assertThat(kit.deliveredVersions()).as("the kit's region's versions were delivered again").startsWith(1L, 2L, 1L, 2L);
            assertThat(versionsOldestFirst(log(), 50, REGION)).isEqualTo(range(1, kit.manifest().manifestVersion()));
            assertThat(versionsOldestFirst(log(), 50, other.toString())).isEqualTo(range(1, 7));
        }
    }

    @Test
    void aRegionDroppedAndCreatedAgainIsLoggedFromVersionOne() throws IOException {
        try (HookTestKit<AuditLogHook> kit = kit().start()) {
            kit.write(10);
            kit.flush();
            kit.dropRegion();
            kit.drain();
            kit.engine().createRegion(HookTestKit.defaultSchema()); // forgotten at onRegionDropped
            kit.write(10);
            kit.flush();
            kit.dropRegion();
            kit.drain();

            // A new hook instance recovers from the log: the region's last line is its REMOVE.
            kit.crashBeforeDelivery(() -> kit.engine().createRegion(HookTestKit.defaultSchema()));
            kit.drain();

            assertThat(versionsIn(log())).containsExactly(1L, 2L, 3L, 1L, 2L, 3L, 1L);
            List<String> lines = Files.readAllLines(log());
            assertThat(lines.get(2)).contains("\"actions\":[\"REMOVE\"]");
            assertThat(lines.get(5)).contains("\"actions\":[\"REMOVE\"]");
            assertThat(lines.get(6)).contains("\"actions\":[\"CHANGE\",\"EDIT\"]");
        }
    }

    @Test
    void aTornLastLineIsCutOffAtInit() throws IOException {
        try (HookTestKit<AuditLogHook> kit = kit().start()) {
            kit.write(10);
            kit.flush();
            kit.drain();
            List<String> complete = Files.readAllLines(log());
            Files.writeString(log(), "{\"time\":\"2026-11-21T07:00:0", StandardOpenOption.APPEND);

            kit.restart();
            kit.write(10);
            kit.flush();
            kit.drain();

            List<String> lines = Files.readAllLines(log());
            assertThat(lines).hasSize(3).startsWith(complete.toArray(String[]::new));
            for (String line : lines) {
                Matcher time = Pattern.compile("^\\{\"time\":\"([^\"]*)\",\"region\":").matcher(line);
                assertThat(time.find()).as("a whole line: %s", line).isTrue();
                assertThat(Instant.parse(time.group(1))).isNotNull();
            }
            assertThat(versionsIn(log())).containsExactly(1L, 2L, 3L);
        }
    }

    @Test
    void rotationKeepsEveryVersionExactlyOnceWhileNoFileIsDropped() throws IOException {
        try (HookTestKit<AuditLogHook> kit = kit().hookOption("max-bytes", "1000").hookOption("max-files", "50").start()) {
            for (int i = 0; i < 12; i++) {
                kit.write(3);
                kit.flush();
            }
            kit.drain();

            assertThat(log().resolveSibling("audit.jsonl.1")).exists();
            assertThat(log().resolveSibling("audit.jsonl.2")).exists();
            assertThat(versionsOldestFirst(log(), 50)).isEqualTo(range(1, 13));
        }
    }

    @Test
    void rotationNeverKeepsMoreThanMaxFilesRotatedFiles() throws IOException {
        Set<String> allowed = Set.of("audit.jsonl", "audit.jsonl.1", "audit.jsonl.2");
        try (HookTestKit<AuditLogHook> kit = kit().hookOption("max-bytes", "700").hookOption("max-files", "2").start()) {
            for (int i = 0; i < 20; i++) {
                kit.write(3);
                kit.flush();
                kit.drain();

                long version = kit.manifest().manifestVersion();
                assertThat(logFileNames()).as("after version %d", version).isSubsetOf(allowed);
                for (String name : logFileNames()) {
                    assertThat(Files.size(log().resolveSibling(name))).as("size of %s after version %d", name, version)
                            .isLessThanOrEqualTo(700);
                }
            }

            assertThat(logFileNames()).isEqualTo(allowed);
            List<Long> kept = versionsOldestFirst(log(), 2);
            assertThat(kept).as("the newest versions, each once, in order").isEqualTo(range(22 - kept.size(), 21));
            assertThat(kept.get(0)).as("older versions were rotated out").isGreaterThan(1);
        }
    }

    @Test
    void rotationWithHugeMaxFilesShiftsOnlyTheFilesThatExist() throws IOException {
        // A rotation (or the recovery at init) that visited every slot up to max-files would hang:
        // drain fails after 30 s.
        try (HookTestKit<AuditLogHook> kit = kit().hookOption("max-bytes", "1").hookOption("max-files", "2147483647").start()) {
            for (int i = 0; i < 3; i++) {
                kit.write(1);
                kit.flush();
            }
            kit.drain();

            assertThat(logFileNames()).containsExactly("audit.jsonl", "audit.jsonl.1", "audit.jsonl.2", "audit.jsonl.3");
            assertThat(versionsOldestFirst(log(), 3)).containsExactly(1L, 2L, 3L, 4L);
        }
    }

    @Test
    void initCountsAnExistingFileTowardsMaxBytes() throws IOException {
        Files.createDirectories(log().getParent());
        Files.writeString(log(), "x".repeat(299) + "\n");

        try (HookTestKit<AuditLogHook> kit = kit().hookOption("max-bytes", "400").start()) {
            kit.drain();

            assertThat(Files.readString(log().resolveSibling("audit.jsonl.1"))).isEqualTo("x".repeat(299) + "\n");
            assertThat(versionsIn(log())).containsExactly(1L);
        }
    }

    @Test
    void initAppendsToAnExistingFile() throws IOException {
        try (HookTestKit<AuditLogHook> kit = kit().start()) {
            kit.write(10);
            kit.flush();
            kit.drain();
            List<String> before = Files.readAllLines(log());

            kit.restart();
            kit.write(10);
            kit.flush();
            kit.drain();

            assertThat(Files.readAllLines(log())).startsWith(before.toArray(String[]::new));
            assertThat(versionsIn(log())).isEqualTo(range(1, 3));
        }
    }

    @Test
    void anEventBeforeInitIsRejected() {
        ManifestUpdatedEvent event;
        try (HookTestKit<AuditLogHook> kit = kit().start()) {
            kit.drain();
            event = kit.events(ManifestUpdatedEvent.class).get(0);
        }

        assertThatThrownBy(() -> new AuditLogHook().onManifestUpdated(event))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("audit-log is not open: init was not called, or the hook was closed");
    }

    @Test
    void anEventAfterCloseIsRejectedAndInitReopens() throws IOException {
        AuditLogHook hook = new AuditLogHook();
        ManifestUpdatedEvent first;
        // The kit hands the same instance back at restart: closed, then initialized again.
        try (HookTestKit<AuditLogHook> kit = HookTestKit.builder(() -> hook, dir.resolve("engine"))
                .hookOption("file", log().toString()).start()) {
            kit.drain();
            first = kit.events(ManifestUpdatedEvent.class).get(0);
            kit.restart();
            kit.write(10);
            kit.flush();
            kit.drain();
            assertThat(versionsIn(log())).containsExactly(1L, 2L);
        }

        assertThatThrownBy(() -> hook.onManifestUpdated(first))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("audit-log is not open: init was not called, or the hook was closed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "abc", "", "1.5", "99999999999999999999"})
    void anInvalidMaxBytesFailsInitNamingIt(String value) {
        assertThatThrownBy(() -> kit().hookOption("max-bytes", value).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid hooks.audit-log.max-bytes: '" + value + "' (expected a positive number)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "2147483648", "4294967297"})
    void anInvalidMaxFilesFailsInitNamingIt(String value) {
        assertThatThrownBy(() -> kit().hookOption("max-files", value).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid hooks.audit-log.max-files: '" + value + "' (expected a positive number up to 2147483647)");
    }

    @Test
    void jsonListsTheFilesOfAPartialTruncate() {
        // No engine operation commits a TruncatePartial yet, so no kit run produces one: the event is built here.
        FileMeta file = new FileMeta(HookTestKit.REGION, new FileId(new UUID(0, 3)), new TimeRange(0, 9_990_000), 1, 4_096, 7, 1,
                3, Optional.empty());
        ManifestUpdatedEvent event = new ManifestUpdatedEvent(HookTestKit.REGION,
                ManifestActionList.of(new TruncatePartial(List.of(file))), 6, 7);

        assertThat(AuditLogHook.toJson(event, TIME)).isEqualTo("{\"time\":\"2026-11-21T07:00:00Z\",\"region\":\"" + REGION
                + "\",\"version\":7,\"firstVersion\":6,\"actions\":[\"TRUNCATE\"],\"filesAdded\":[]"
                + ",\"filesRemoved\":[{\"file\":\"00000000-0000-0000-0000-000000000003\",\"level\":1,\"rows\":7,\"bytes\":4096"
                + ",\"timeRange\":[0,9990000]}]}");
        assertThat(event.actions().kinds()).containsExactly(ManifestAction.Kind.TRUNCATE);
    }

    @Test
    void quoteEscapesQuotesBackslashesAndControlCharacters() {
        assertThat(AuditLogHook.quote("say \"hi\" \\ \n\r\t\u0000\b\f\u001f"))
                .isEqualTo("\"say \\\"hi\\\" \\\\ \\n\\r\\t\\u0000\\u0008\\u000c\\u001f\"");
    }

    @Test
    void quoteKeepsPrintableAndNonAsciiCharacters() {
        assertThat(AuditLogHook.quote("h\u00e9 \u20ac/\u007f\ud83d\ude00")).isEqualTo("\"h\u00e9 \u20ac/\u007f\ud83d\ude00\"");
        assertThat(AuditLogHook.quote("")).isEqualTo("\"\"");
    }

    /** The JSON object the log writes for {@code file}. */
    private static String json(FileMeta file) {
        return "{\"file\":\"" + file.fileId() + "\",\"level\":" + file.level() + ",\"rows\":" + file.numRows() + ",\"bytes\":"
                + file.fileSize() + ",\"timeRange\":[" + file.timeRange().start() + "," + file.timeRange().end() + "]}";
    }

    private static List<String> json(Collection<FileMeta> files) {
        return files.stream().map(AuditLogHookTest::json).toList();
    }

    /** The file objects of one list ({@code filesAdded} or {@code filesRemoved}) of a line, in order. */
    private static List<String> filesIn(String line, String list) {
        String key = "\"" + list + "\":[";
        int from = line.indexOf(key);
        assertThat(from).as("%s in %s", list, line).isNotNegative();
        from += key.length();
        int end = from;
        for (int depth = 0; end < line.length(); end++) {
            char c = line.charAt(end);
            if (c == '[') {
                depth++;
            }
            else if (c == ']' && depth-- == 0) {
                break;
            }
        }
        List<String> files = new ArrayList<>();
        Matcher matcher = FILE.matcher(line.substring(from, end));
        while (matcher.find()) {
            files.add(matcher.group());
        }
        return files;
    }

    private Set<String> logFileNames() throws IOException {
        try (Stream<Path> files = Files.list(log().getParent())) {
            return files.map(path -> path.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** The versions in {@code file.maxFiles} … {@code file.1}, then {@code file}: oldest first. */
    private static List<Long> versionsOldestFirst(Path file, int maxFiles) throws IOException {
        return versionsOldestFirst(file, maxFiles, "");
    }

    /** The versions of {@code region} (every region if empty) in the rotated files and the file: oldest first. */
    private static List<Long> versionsOldestFirst(Path file, int maxFiles, String region) throws IOException {
        List<Long> versions = new ArrayList<>();
        for (int i = maxFiles; i >= 1; i--) {
            Path rotated = file.resolveSibling(file.getFileName() + "." + i);
            if (Files.exists(rotated)) {
                versions.addAll(versionsIn(rotated, region));
            }
        }
        versions.addAll(versionsIn(file, region));
        return versions;
    }

    /** Every version the lines of {@code file} cover (firstVersion to version), in order. */
    private static List<Long> versionsIn(Path file) throws IOException {
        return versionsIn(file, "");
    }

    /** Every version the lines of {@code region} (every region if empty) in {@code file} cover, in order. */
    private static List<Long> versionsIn(Path file, String region) throws IOException {
        List<Long> versions = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.contains("\"region\":\"" + region)) {
                continue;
            }
            Matcher matcher = VERSIONS.matcher(line);
            assertThat(matcher.find()).as("version in %s: %s", file.getFileName(), line).isTrue();
            LongStream.rangeClosed(Long.parseLong(matcher.group(2)), Long.parseLong(matcher.group(1))).forEach(versions::add);
        }
        return versions;
    }

    private static List<Long> range(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    private static String withoutTime(String line) {
        return line.replaceFirst("^\\{\"time\":\"[^\"]*\",", "{");
    }
}
