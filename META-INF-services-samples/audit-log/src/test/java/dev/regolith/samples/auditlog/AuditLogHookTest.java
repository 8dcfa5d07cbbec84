package dev.regolith.samples.auditlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.ManifestAction.Change;
import dev.regolith.engine.api.ManifestAction.Edit;
import dev.regolith.engine.api.ManifestAction.TruncatePartial;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.TimeRange;
import dev.regolith.hooks.spi.HookContext;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.RegionHook;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuditLogHookTest {

    private static final RegionId REGION = RegionId.of(1024, 1);
    private static final RegionMetadata METADATA = new RegionMetadata(REGION,
            List.of(ColumnSchema.tag("host", 1, DataType.STRING), ColumnSchema.timeIndex("ts", 0, DataType.TIMESTAMP_MILLIS)));
    private static final Instant TIME = Instant.parse("2026-11-21T07:00:00Z");
    private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+),");

    /** What the engine would pass to {@link RegionHook#init}. */
    private record TestingHookContext(String hookName, Map<String, String> options) implements HookContext {
        @Override
        public dev.regolith.hooks.spi.SstFiles sstFiles() {
            throw new UnsupportedOperationException("the audit log reads no SST");
        }
    }

    @TempDir
    Path dir;

    private final List<AuditLogHook> opened = new ArrayList<>();

    @AfterEach
    void closeHooks() {
        opened.forEach(AuditLogHook::close);
    }

    private AuditLogHook init(Map<String, String> options) {
        AuditLogHook hook = new AuditLogHook();
        hook.init(new TestingHookContext(AuditLogHook.NAME, options));
        opened.add(hook);
        return hook;
    }

    private static FileMeta file(long n, long rows, long bytes) {
        return new FileMeta(REGION, new FileId(new UUID(0, n)), new TimeRange(0, 9_990_000), 0, bytes, rows, 1, n,
                Optional.empty());
    }

    private static ManifestUpdatedEvent edit(long version) {
        return new ManifestUpdatedEvent(REGION,
                ManifestActionList.of(Edit.ofFiles(List.of(file(version, 1_000, 52_311)), List.of())), version, version);
    }

    @Test
    void nameIsAuditLog() {
        assertThat(new AuditLogHook().name()).isEqualTo("audit-log");
    }

    @Test
    void initCreatesTheConfiguredFileAndItsDirectories() {
        Path target = dir.resolve("nested/deeper/audit.jsonl");

        AuditLogHook hook = init(Map.of("file", target.toString()));

        assertThat(hook.file()).isEqualTo(target.toAbsolutePath());
        assertThat(target).exists().isEmptyFile();
    }

    @Test
    void eventBeforeInitIsRejected() {
        assertThatThrownBy(() -> new AuditLogHook().onManifestUpdated(edit(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("audit-log is not open: init was not called, or the hook was closed");
    }

    @Test
    void eventAfterCloseIsRejectedAndReinitReopens() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        AuditLogHook hook = init(Map.of("file", file.toString()));
        hook.close();

        assertThatThrownBy(() -> hook.onManifestUpdated(edit(1)))
                .hasMessage("audit-log is not open: init was not called, or the hook was closed");
        hook.init(new TestingHookContext("audit-log", Map.of("file", file.toString())));
        hook.init(new TestingHookContext("audit-log", Map.of("file", file.toString())));
        hook.onManifestUpdated(edit(2));
        hook.close();
        assertThat(Files.readAllLines(file)).singleElement().asString().contains("\"version\":2");
    }

    @Test
    void writesOneLinePerEventMatchingToJson() throws IOException {
        AuditLogHook hook = init(Map.of("file", dir.resolve("audit.jsonl").toString()));

        for (long version = 1; version <= 3; version++) {
            hook.onManifestUpdated(edit(version));
        }

        List<String> lines = Files.readAllLines(hook.file(), StandardCharsets.UTF_8);
        assertThat(lines).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(withoutTime(lines.get(i))).isEqualTo(withoutTime(AuditLogHook.toJson(edit(i + 1), TIME)));
            assertThat(lines.get(i)).matches("\\{\"time\":\"\\d{4}-\\d\\d-\\d\\dT[^\"]+Z\",.*");
        }
    }

    @Test
    void jsonNamesRegionVersionsActionKindsAndFiles() {
        ManifestUpdatedEvent event = new ManifestUpdatedEvent(REGION, ManifestActionList.of(
                Edit.ofFiles(List.of(file(1, 1_000, 52_311)), List.of(file(2, 20, 300))),
                new TruncatePartial(List.of(file(3, 7, 4_096)))), 6, 7);

        assertThat(AuditLogHook.toJson(event, TIME)).isEqualTo("{\"time\":\"2026-11-21T07:00:00Z\""
                + ",\"region\":\"1024_0000000001\",\"version\":7,\"firstVersion\":6,\"actions\":[\"EDIT\",\"TRUNCATE\"]"
                + ",\"filesAdded\":[{\"file\":\"00000000-0000-0000-0000-000000000001\",\"level\":0,\"rows\":1000"
                + ",\"bytes\":52311,\"timeRange\":[0,9990000]}]"
                + ",\"filesRemoved\":[{\"file\":\"00000000-0000-0000-0000-000000000002\",\"level\":0,\"rows\":20"
                + ",\"bytes\":300,\"timeRange\":[0,9990000]}"
                + ",{\"file\":\"00000000-0000-0000-0000-000000000003\",\"level\":0,\"rows\":7"
                + ",\"bytes\":4096,\"timeRange\":[0,9990000]}]}");
    }

    @Test
    void jsonOfAChangeHasEmptyFileLists() {
        ManifestUpdatedEvent event = new ManifestUpdatedEvent(REGION, ManifestActionList.of(new Change(METADATA)), 1, 1);

        assertThat(AuditLogHook.toJson(event, TIME)).isEqualTo("{\"time\":\"2026-11-21T07:00:00Z\""
                + ",\"region\":\"1024_0000000001\",\"version\":1,\"firstVersion\":1,\"actions\":[\"CHANGE\"]"
                + ",\"filesAdded\":[],\"filesRemoved\":[]}");
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

    @Test
    void rotationKeepsEveryVersionExactlyOnceWhileNoFileIsDropped() throws IOException {
        AuditLogHook hook = init(Map.of("file", dir.resolve("audit.jsonl").toString(), "max-bytes", "1000", "max-files",
                "50"));

        for (long version = 1; version <= 40; version++) {
            hook.onManifestUpdated(edit(version));
        }

        assertThat(dir.resolve("audit.jsonl.1")).exists();
        assertThat(dir.resolve("audit.jsonl.2")).exists();
        assertThat(versionsOldestFirst(hook.file(), 50)).containsExactlyElementsOf(range(1, 40));
    }

    @Test
    void rotationNeverKeepsMoreThanMaxFilesRotatedFiles() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        AuditLogHook hook = init(Map.of("file", file.toString(), "max-bytes", "700", "max-files", "2"));
        Set<String> allowed = Set.of("audit.jsonl", "audit.jsonl.1", "audit.jsonl.2");

        for (long version = 1; version <= 60; version++) {
            hook.onManifestUpdated(edit(version));

            assertThat(fileNames()).as("after version %d", version).isSubsetOf(allowed);
            for (String name : fileNames()) {
                assertThat(Files.size(dir.resolve(name))).as("size of %s after version %d", name, version).isLessThanOrEqualTo(700);
            }
        }

        assertThat(fileNames()).isEqualTo(allowed);
        List<Long> kept = versionsOldestFirst(file, 2);
        assertThat(kept).as("the newest versions, each once, in order").containsExactlyElementsOf(range(61 - kept.size(), 60));
        assertThat(kept.get(0)).as("older versions were rotated out").isGreaterThan(1);
    }

    @Test
    void initCountsAnExistingFileTowardsMaxBytes() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        Files.writeString(file, "x".repeat(299) + "\n");
        AuditLogHook hook = init(Map.of("file", file.toString(), "max-bytes", "400"));

        hook.onManifestUpdated(edit(1));

        assertThat(Files.readString(dir.resolve("audit.jsonl.1"))).isEqualTo("x".repeat(299) + "\n");
        assertThat(versionsIn(file)).containsExactly(1L);
    }

    @Test
    void initAppendsToAnExistingFile() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        AuditLogHook first = init(Map.of("file", file.toString()));
        first.onManifestUpdated(edit(1));
        first.close();

        init(Map.of("file", file.toString())).onManifestUpdated(edit(2));

        assertThat(versionsIn(file)).containsExactly(1L, 2L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "abc", "", "1.5", "99999999999999999999"})
    void invalidMaxBytesIsRejectedWithTheOptionName(String value) {
        assertThatThrownBy(() -> init(Map.of("file", dir.resolve("audit.jsonl").toString(), "max-bytes", value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid hooks.audit-log.max-bytes: '" + value + "' (expected a positive number)");
    }

    @Test
    void invalidMaxFilesIsRejectedWithTheOptionName() {
        assertThatThrownBy(() -> init(Map.of("file", dir.resolve("audit.jsonl").toString(), "max-files", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid hooks.audit-log.max-files: '0' (expected a positive number up to 2147483647)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2147483648", "4294967297"})
    void maxFilesBeyondIntRangeIsRejectedInsteadOfWrappingAround(String value) {
        assertThatThrownBy(() -> init(Map.of("file", dir.resolve("audit.jsonl").toString(), "max-files", value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid hooks.audit-log.max-files: '" + value + "' (expected a positive number up to 2147483647)");
    }

    @Test
    void rotationWithHugeMaxFilesShiftsOnlyTheFilesThatExist() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        AuditLogHook hook = new AuditLogHook();
        hook.init(new TestingHookContext(AuditLogHook.NAME, Map.of("file", file.toString(), "max-bytes", "1", "max-files",
                "2147483647")));

        // Guards against a hang (rotation used to visit every slot up to max-files). The hook is closed
        // inside the guard: on timeout the stuck thread still holds the hook's monitor.
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (hook) {
                for (long version = 1; version <= 4; version++) {
                    hook.onManifestUpdated(edit(version));
                }
            }
        });

        assertThat(fileNames()).containsExactly("audit.jsonl", "audit.jsonl.1", "audit.jsonl.2", "audit.jsonl.3");
        assertThat(versionsOldestFirst(file, 3)).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void serviceLoaderFindsTheHook() {
        List<ServiceLoader.Provider<RegionHook>> providers = ServiceLoader.load(RegionHook.class).stream().toList();

        assertThat(providers).extracting(ServiceLoader.Provider::type).contains(AuditLogHook.class);
        RegionHook hook = providers.stream().filter(p -> p.type() == AuditLogHook.class).findFirst().orElseThrow().get();
        assertThat(hook).isInstanceOf(AuditLogHook.class);
        assertThat(hook.name()).isEqualTo(AuditLogHook.NAME);
    }

    private Set<String> fileNames() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(path -> path.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** The versions in {@code file.maxFiles} … {@code file.1}, then {@code file}: oldest first. */
    private static List<Long> versionsOldestFirst(Path file, int maxFiles) throws IOException {
        List<Long> versions = new ArrayList<>();
        for (int i = maxFiles; i >= 1; i--) {
            Path rotated = file.resolveSibling(file.getFileName() + "." + i);
            if (Files.exists(rotated)) {
                versions.addAll(versionsIn(rotated));
            }
        }
        versions.addAll(versionsIn(file));
        return versions;
    }

    private static List<Long> versionsIn(Path file) throws IOException {
        List<Long> versions = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            Matcher matcher = VERSION.matcher(line);
            assertThat(matcher.find()).as("version in %s: %s", file.getFileName(), line).isTrue();
            versions.add(Long.parseLong(matcher.group(1)));
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
