package dev.regolith.engine.cli;

import dev.regolith.engine.RegolithEngine;
import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.api.FileMeta;
import dev.regolith.engine.api.HookMetrics;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.api.RegionScanner;
import dev.regolith.engine.api.ScanRequest;
import dev.regolith.engine.hook.HookLoadOptions;
import dev.regolith.engine.hook.HookLoader;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.hooks.spi.FilesRemovedEvent;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.RegionOpenedEvent;
import dev.regolith.hooks.spi.RegionHook;
import dev.regolith.hooks.spi.SstFilesWrittenEvent;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code regolith demo}: creates a region, ingests a deterministic TSBS-style cpu dataset through
 * the WAL, flushes, scans it back and checks the count, and shows what the hooks saw.
 */
final class DemoCommand {

    static final RegionId REGION = RegionId.of(1024, 1);
    private static final int BATCH_ROWS = 1_000;

    private final PrintStream out;
    private final PrintStream err;

    DemoCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    void run(List<String> args) {
        Arguments arguments = new Arguments(args, Set.of("--dir", "--rows", "--hosts", "--hooks-dir"), Set.of());
        if (!arguments.positional().isEmpty()) {
            throw new UsageException("demo takes no positional arguments, got " + arguments.positional());
        }
        Path directory = Path.of(arguments.value("--dir", "regolith-demo")).toAbsolutePath().normalize();
        long rows = arguments.number("--rows", 1_000_000, 1);
        int hosts = (int) Math.min(arguments.number("--hosts", 100, 1), rows);
        String hooksDir = arguments.value("--hooks-dir", null);
        Path plugins = hooksDir == null ? null : CommandSupport.existingDirectory(hooksDir);
        prepare(directory);

        // Where the sample hooks keep what they write, when they are installed.
        EngineOptions options = EngineOptions.of(directory)
                .with("hooks.audit-log.file", directory.resolve("audit-log.jsonl").toString())
                .with("hooks.sst-catalog.dir", directory.resolve("catalog").toString())
                .with("hooks.bloom-index.dir", directory.resolve("bloom").toString())
                .with("hooks.bloom-index.column", "hostname");
        EventLog events = new EventLog();
        // Plugins of --hooks-dir each get their own class loader; one that cannot load stops the demo.
        RegionHooks loaded = HookLoader.load(HookLoadOptions.forEngine(options)
                .withPluginDirectory(plugins).withStrict(plugins != null));
        RegionHooks all = loaded.plus(List.of(events), options.settings());
        CpuDataset dataset = new CpuDataset(hosts);

        out.printf(Locale.ROOT, "Regolith demo: %,d cpu rows (%d hosts, one row per host every 10 s) into %s%n", rows, hosts,
                directory);
        out.println("Hooks installed: " + all.names() + (plugins == null ? "" : " (plugins from " + plugins + ")"));
        try (RegolithEngine engine = RegolithEngine.open(options, all)) {
            engine.createRegion(CpuDataset.metadata(REGION));

            long started = System.nanoTime();
            long lastReport = started;
            for (long from = 0; from < rows; from += BATCH_ROWS) {
                engine.write(REGION, dataset.batch(from, Math.min(rows, from + BATCH_ROWS)));
                long now = System.nanoTime();
                if (now - lastReport > 1_000_000_000L) {
                    lastReport = now;
                    err.printf(Locale.ROOT, "  ingested %,d of %,d rows (%d%%)%n", from + BATCH_ROWS, rows,
                            (from + BATCH_ROWS) * 100 / rows);
                }
            }
            double ingestSeconds = (System.nanoTime() - started) / 1e9;
            out.printf(Locale.ROOT, "Ingest: %,d rows in %.2f s = %,.0f rows/s (WAL fsync per batch of %,d rows)%n", rows,
                    ingestSeconds, rows / ingestSeconds, BATCH_ROWS);

            long flushStarted = System.nanoTime();
            engine.flush(REGION);
            out.printf(Locale.ROOT, "Flush: done in %.2f s%n", (System.nanoTime() - flushStarted) / 1e9);

            // Flushes compact in the background as they go; compact what is left until nothing is.
            long compactStarted = System.nanoTime();
            int compactions = 0;
            for (long before = -1; before != engine.manifest(REGION).manifestVersion(); compactions++) {
                before = engine.manifest(REGION).manifestVersion();
                engine.compact(REGION);
            }
            out.printf(Locale.ROOT, "Compaction: %d manual round(s) in %.2f s (time-window compaction also ran after flushes)%n",
                    compactions, (System.nanoTime() - compactStarted) / 1e9);

            RegionManifest manifest = engine.manifest(REGION);
            long fileRows = manifest.files().values().stream().mapToLong(FileMeta::numRows).sum();
            out.printf(Locale.ROOT, "SST files (manifest version %d): %d file(s), %,d rows%n", manifest.manifestVersion(),
                    manifest.files().size(), fileRows);
            for (FileMeta file : manifest.files().values()) {
                out.printf(Locale.ROOT, "  %s  %,d rows  %d row group(s)  %,d bytes  level %d%n",
                        directory.resolve(REGION.toString()).resolve(file.fileId() + ".parquet"), file.numRows(),
                        file.numRowGroups(), file.fileSize(), file.level());
            }

            long scanStarted = System.nanoTime();
            long scanned = 0;
            try (RegionScanner scanner = engine.scan(REGION, ScanRequest.all())) {
                while (scanner.hasNext()) {
                    scanner.next();
                    scanned++;
                }
            }
            double scanSeconds = (System.nanoTime() - scanStarted) / 1e9;
            out.printf(Locale.ROOT, "Scan: %,d rows read back in %.2f s (%,.0f rows/s); expected %,d: %s%n", scanned,
                    scanSeconds, scanned / scanSeconds, rows, scanned == rows ? "OK" : "MISMATCH");
            boolean drained = engine.drainHooks(Duration.ofSeconds(30));
            out.println("Hook delivery (each hook on its own threads; drained: " + (drained ? "yes" : "NO, within 30 s") + "):");
            for (HookMetrics metrics : engine.hookMetrics()) {
                out.printf(Locale.ROOT, "  %-12s delivered %,d  failed %d  retried %d  coalesced %d  slow %d  quarantined %s  "
                        + "queue %d  lag %s  cursor %s  latency mean %.3f ms p99 %.3f ms max %.3f ms%n", metrics.name(),
                        metrics.delivered(), metrics.failed(), metrics.retried(), metrics.coalesced(), metrics.slow(),
                        metrics.quarantined() ? "YES" : "no", metrics.queueDepth(), metrics.lag().getOrDefault(REGION, 0L),
                        metrics.deliveredVersions().getOrDefault(REGION, 0L), metrics.latency().meanNanos() / 1e6,
                        metrics.latency().p99Nanos() / 1e6, metrics.latency().maxNanos() / 1e6);
            }
            out.println("Hook events seen:");
            events.lines().forEach(line -> out.println("  " + line));
            List<String> problems = new ArrayList<>();
            checkSampleHooks(directory, engine.manifest(REGION), problems);
            out.println("Try: bin/regolith inspect " + directory + "   or   bin/regolith scan " + directory + " --region "
                    + REGION + " --where hostname=host_1 --limit 5");
            if (scanned != rows) {
                problems.add("the scan returned " + scanned + " rows, expected " + rows);
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException(String.join("; ", problems));
            }
        }
    }

    /** The demo owns its directory: it starts empty, or holds a previous demo run, which is removed. */
    private static void prepare(Path directory) {
        try {
            if (Files.isDirectory(directory)) {
                boolean previousRun = Files.isDirectory(directory.resolve("wal"));
                boolean empty;
                try (Stream<Path> entries = Files.list(directory)) {
                    empty = entries.findAny().isEmpty();
                }
                if (!empty && !previousRun) {
                    throw new UsageException(directory + " exists and is not a Regolith data directory; pick another --dir");
                }
                try (Stream<Path> entries = Files.walk(directory)) {
                    for (Path path : entries.sorted(Comparator.reverseOrder()).toList()) {
                        if (!path.equals(directory)) {
                            Files.delete(path);
                        }
                    }
                }
            }
            Files.createDirectories(directory);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + directory + ": " + e.getMessage(), e);
        }
    }

    private static final java.util.regex.Pattern AUDIT_VERSION = java.util.regex.Pattern.compile("\"version\":(\\d+)");

    /**
     * Shows what the sample hooks of the hooks directory wrote, and checks it against the
     * manifest: the audit log lists every version once, in order; the SST catalog is there for
     * DuckDB; there is a bloom sidecar for every live SST and none for a removed one.
     */
    private void checkSampleHooks(Path directory, RegionManifest manifest, List<String> problems) {
        Path audit = directory.resolve("audit-log.jsonl");
        if (Files.exists(audit)) {
            List<Long> versions = new ArrayList<>();
            try (Stream<String> lines = Files.lines(audit)) {
                lines.forEach(line -> {
                    java.util.regex.Matcher matcher = AUDIT_VERSION.matcher(line);
                    versions.add(matcher.find() ? Long.parseLong(matcher.group(1)) : -1L);
                });
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot read " + audit + ": " + e.getMessage(), e);
            }
            List<Long> expected = java.util.stream.LongStream.rangeClosed(1, manifest.manifestVersion()).boxed().toList();
            boolean ok = versions.equals(expected);
            out.printf(Locale.ROOT, "Audit log (audit-log hook): %s, %d line(s); versions 1 to %d, each once, in order: %s%n", audit,
                    versions.size(), manifest.manifestVersion(), ok ? "OK" : "MISMATCH");
            if (!ok) {
                problems.add("the audit log lists versions " + versions + ", expected 1 to " + manifest.manifestVersion());
            }
        }
        Path catalog = directory.resolve("catalog").resolve(REGION + ".sql");
        if (Files.exists(catalog)) {
            long liveRows = manifest.files().values().stream().mapToLong(FileMeta::numRows).sum();
            out.printf(Locale.ROOT, "SST catalog (sst-catalog hook): %s defines a DuckDB view over the %d live SST file(s) "
                    + "(%,d rows).%n  Count its rows with DuckDB: bin/duckdb-count %s%n", catalog, manifest.files().size(), liveRows,
                    catalog);
        }
        Path bloom = directory.resolve("bloom").resolve(REGION.toString());
        if (Files.isDirectory(bloom)) {
            Set<String> sidecars;
            try (Stream<Path> files = Files.list(bloom)) {
                sidecars = files.map(path -> path.getFileName().toString()).filter(name -> name.endsWith(".bloom"))
                        .map(name -> name.substring(0, name.length() - ".bloom".length()))
                        .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot list " + bloom + ": " + e.getMessage(), e);
            }
            Set<String> live = manifest.files().keySet().stream().map(Object::toString)
                    .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
            Set<String> stale = new java.util.TreeSet<>(sidecars);
            stale.removeAll(live);
            Set<String> missing = new java.util.TreeSet<>(live);
            missing.removeAll(sidecars);
            boolean ok = stale.isEmpty() && missing.isEmpty();
            out.printf(Locale.ROOT, "Bloom sidecars (bloom-index hook, column hostname): %s, %d for %d live SST file(s), %d for files "
                    + "no longer live: %s%n", bloom, sidecars.size() - stale.size(), live.size(), stale.size(), ok ? "OK" : "MISMATCH");
            if (!ok) {
                problems.add("bloom sidecars missing for " + missing + " and left for removed files " + stale);
            }
        }
    }

    /** A hook of the demo's own that summarizes what it was told. */
    private static final class EventLog implements RegionHook {
        private final List<String> lines = new ArrayList<>();

        @Override
        public String name() {
            return "demo-events";
        }

        @Override
        public int priority() {
            return Integer.MAX_VALUE;
        }

        @Override
        public synchronized void onSstFilesWritten(SstFilesWrittenEvent event) {
            for (var file : event.files()) {
                lines.add(String.format(Locale.ROOT, "onSstFilesWritten  %s %s %s: %,d rows, %,d bytes, level %d",
                        event.regionId(), event.reason(), file.path().getFileName(), file.meta().numRows(),
                        file.meta().fileSize(), file.meta().level()));
            }
        }

        @Override
        public synchronized void onManifestUpdated(ManifestUpdatedEvent event) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "onManifestUpdated  %s version %d:",
                    event.regionId(), event.manifestVersion()));
            for (ManifestAction action : event.actions().actions()) {
                line.append(' ').append(action.kind());
                if (action instanceof ManifestAction.Edit edit) {
                    boolean indexOnly = edit.filesToRemove().isEmpty() && edit.flushedEntryId().isEmpty()
                            && !edit.filesToAdd().isEmpty() && edit.filesToAdd().stream().allMatch(file -> file.index().isPresent());
                    line.append(indexOnly
                            ? String.format(Locale.ROOT, "(tag indexes published for %d file(s))", edit.filesToAdd().size())
                            : String.format(Locale.ROOT, "(+%d file(s), -%d)", edit.filesToAdd().size(), edit.filesToRemove().size()));
                }
            }
            lines.add(line.toString());
        }

        @Override
        public synchronized void onRegionOpened(RegionOpenedEvent event) {
            lines.add(String.format(Locale.ROOT, "onRegionOpened     %s at version %d, %d file(s)", event.regionId(),
                    event.manifest().manifestVersion(), event.manifest().files().size()));
        }

        @Override
        public synchronized void onFilesRemoved(FilesRemovedEvent event) {
            lines.add(String.format(Locale.ROOT, "onFilesRemoved     %s: %d file(s) deleted", event.regionId(),
                    event.fileIds().size()));
        }

        synchronized List<String> lines() {
            return List.copyOf(lines);
        }
    }
}
