package dev.regolith.testkit;

import static java.util.Objects.requireNonNull;

import dev.regolith.engine.RegolithEngine;
import dev.regolith.engine.api.AlterRequest;
import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.EngineOptions;
import dev.regolith.engine.api.HookMetrics;
import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionManifest;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.hook.HookLoader;
import dev.regolith.engine.hook.RegionHooks;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.ReconcileEvent;
import dev.regolith.hooks.spi.RegionHook;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/**
 * A real engine with one region and the hook under test, in a directory of a test: no database
 * node needed. Drive the region with {@link #write}, {@link #flush}, {@link #compact},
 * {@link #alter}, {@link #truncate}, {@link #enterStaging} and the rest (or
 * {@link #engine()} for anything else), call {@link #drain()}, then assert on {@link #events()}
 * (what the hook accepted, in order) and on what the hook wrote.
 *
 * <pre>{@code
 * try (HookTestKit<MyHook> kit = HookTestKit.builder(MyHook::new, tempDir).hookOption("dir", out.toString()).start()) {
 *     kit.write(100);
 *     kit.flush();
 *     kit.drain();
 *     assertThat(kit.deliveredVersions()).containsExactly(1L, 2L, 3L);
 *     kit.redeliverAll();                 // every event again, twice: the output must not change
 *     kit.crashBeforeDelivery(kit::flush); // committed, never delivered; reopened with a new hook
 *     kit.drain();                         // the new hook got the flush from the manifest on disk
 * }
 * }</pre>
 *
 * <p>The region's default schema is a tag {@code host} (string), a field {@code usage} (float64)
 * and a time index {@code ts} (milliseconds); {@link Builder#schema} sets another. The hook is
 * created by the supplier: once at start, and again after each {@link #restart()} or simulated
 * crash, as a new process would. It is initialized as the engine would (its options are the
 * {@code hooks.<name>.*} options given to the builder) and gets the same delivery guarantees,
 * on the engine's own hook threads.
 *
 * @param <H> the hook's type
 */
public final class HookTestKit<H extends RegionHook> implements AutoCloseable {

    /** The region of the default schema. */
    public static final RegionId REGION = RegionId.of(4096, 1);
    /** The first timestamp {@link #write(int)} writes. */
    public static final long START_MILLIS = 1_700_000_000_000L;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private final Supplier<? extends H> hooks;
    private final Path directory;
    private final RegionMetadata schema;
    private final Map<String, String> engineOptions;
    private final Map<String, String> hookOptions;
    private final List<Object> events = new ArrayList<>();
    private H hook;
    private KitHook installed;
    private RegolithEngine engine;
    private long rowsWritten;
    private int nextColumnId;

    private HookTestKit(Builder<H> builder) {
        this.hooks = builder.hooks;
        this.directory = builder.directory;
        this.schema = builder.schema;
        this.engineOptions = Map.copyOf(builder.engineOptions);
        this.hookOptions = Map.copyOf(builder.hookOptions);
        this.nextColumnId = schema.columns().stream().mapToInt(ColumnSchema::columnId).max().orElse(0) + 1;
    }

    /**
     * A kit for the hook {@code hooks} creates, whose engine keeps its data in
     * {@code directory/data} (use a JUnit {@code @TempDir}).
     */
    public static <H extends RegionHook> Builder<H> builder(Supplier<? extends H> hooks, Path directory) {
        return new Builder<>(hooks, directory);
    }

    /** Builds a {@link HookTestKit}. */
    public static final class Builder<H extends RegionHook> {
        private final Supplier<? extends H> hooks;
        private final Path directory;
        private RegionMetadata schema = defaultSchema();
        private final Map<String, String> engineOptions = new LinkedHashMap<>();
        private final Map<String, String> hookOptions = new LinkedHashMap<>();

        private Builder(Supplier<? extends H> hooks, Path directory) {
            this.hooks = requireNonNull(hooks, "hooks is null");
            this.directory = requireNonNull(directory, "directory is null");
            // Small SSTs, and no background compaction or indexing: the test decides what happens.
            engineOptions.put("compaction.auto", "false");
            engineOptions.put("index.auto", "false");
            engineOptions.put("sst.row.group.rows", "64");
        }

        /** The hook's own option {@code key} (engine option {@code hooks.<name>.<key>}). */
        public Builder<H> hookOption(String key, String value) {
            hookOptions.put(requireNonNull(key, "key is null"), requireNonNull(value, "value is null"));
            return this;
        }

        /** An engine option, such as {@code wal.sync} or {@code hooks.<name>.deadline.ms}. */
        public Builder<H> engineOption(String key, String value) {
            engineOptions.put(requireNonNull(key, "key is null"), requireNonNull(value, "value is null"));
            return this;
        }

        /** The region's schema, instead of the default; {@link #write(int)} needs the default. */
        public Builder<H> schema(RegionMetadata metadata) {
            this.schema = requireNonNull(metadata, "metadata is null");
            return this;
        }

        /** Starts the engine, installs the hook and creates the region. */
        public HookTestKit<H> start() {
            HookTestKit<H> kit = new HookTestKit<>(this);
            kit.open(true);
            return kit;
        }
    }

    /** The default schema: tag {@code host}, field {@code usage}, time index {@code ts}. */
    public static RegionMetadata defaultSchema() {
        return new RegionMetadata(REGION, List.of(ColumnSchema.tag("host", 1, DataType.STRING),
                ColumnSchema.field("usage", 2, DataType.FLOAT64), ColumnSchema.timeIndex("ts", 3, DataType.TIMESTAMP_MILLIS)),
                0, Map.of());
    }

    private void open(boolean create) {
        hook = requireNonNull(hooks.get(), "the hook supplier returned null");
        String name = hook.name();
        Map<String, String> options = new LinkedHashMap<>(engineOptions);
        hookOptions.forEach((key, value) -> options.put("hooks." + name + "." + key, value));
        EngineOptions engineOptions = EngineOptions.of(directory.resolve("data"));
        for (Map.Entry<String, String> option : options.entrySet()) {
            engineOptions = engineOptions.with(option.getKey(), option.getValue());
        }
        installed = new KitHook(hook, events);
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(hook.getClass().getClassLoader());
        try {
            hook.init(HookLoader.contextFor(name, engineOptions));
        }
        finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
        RegionHooks regionHooks = RegionHooks.of(List.of(installed), engineOptions.settings());
        try {
            engine = RegolithEngine.open(engineOptions, regionHooks);
        }
        catch (RuntimeException e) {
            regionHooks.close(Duration.ZERO);
            throw e;
        }
        if (create) {
            engine.createRegion(schema);
        }
        else {
            engine.openRegion(schema.regionId());
        }
    }

    /** The engine, for what the kit has no method for. */
    public RegolithEngine engine() {
        return engine;
    }

    /** The hook instance now installed (a new one after each restart or crash). */
    public H hook() {
        return hook;
    }

    /** The region under test. */
    public RegionId region() {
        return schema.regionId();
    }

    /** The region's manifest as of now. */
    public RegionManifest manifest() {
        return engine.manifest(region());
    }

    /**
     * Writes {@code rows} new rows to the default schema: hosts {@code host-0} to {@code host-9} in
     * turn, one second apart, each key new.
     *
     * @return the sequence of the last row
     */
    public long write(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        }
        WriteBatch.Builder batch = WriteBatch.builder("host", "usage", "ts");
        for (int i = 0; i < rows; i++, rowsWritten++) {
            batch.put("host-" + rowsWritten % 10, (rowsWritten % 1000) / 10.0, START_MILLIS + rowsWritten * 1000);
        }
        return engine.write(region(), batch.build());
    }

    /** Writes a batch of the test's own. */
    public long write(WriteBatch batch) {
        return engine.write(region(), batch);
    }

    /** Flushes the memtables to an SST file and commits it. */
    public void flush() {
        engine.flush(region());
    }

    /**
     * Compacts the region (with TTL expiry), as {@link dev.regolith.engine.api.Engine#compact} does:
     * a time window is compacted once it has {@code compaction.trigger.files} files (4 unless set
     * with {@link Builder#engineOption}; the kit runs no compaction on its own).
     */
    public void compact() {
        engine.compact(region());
    }

    /** Builds and publishes the tag indexes of files that have none. */
    public void buildIndexes() {
        engine.buildIndexes(region());
    }

    /** Changes the schema or options. */
    public void alter(AlterRequest request) {
        engine.alter(region(), request);
    }

    /** Adds a nullable float64 field named {@code name}. */
    public void addField(String name) {
        alter(AlterRequest.addColumn(ColumnSchema.field(name, nextColumnId++, DataType.FLOAT64)));
    }

    /** Drops every row of the region. */
    public void truncate() {
        engine.truncate(region());
    }

    /** Enters staging with a new partition expression. */
    public void enterStaging(String partitionExpression) {
        engine.enterStaging(region(), Optional.ofNullable(partitionExpression));
    }

    /** Commits everything staged as one change. */
    public void applyStaging() {
        engine.applyStaging(region());
    }

    /** Drops what was staged. */
    public void discardStaging() {
        engine.discardStaging(region());
    }

    /** Drops the region (its directory is deleted). */
    public void dropRegion() {
        engine.dropRegion(region());
    }

    /**
     * Waits until the hook has been delivered everything committed so far.
     *
     * @throws AssertionError if it has not within 30 s, or is quarantined (the message has its metrics)
     */
    public void drain() {
        if (!engine.drainHooks(DRAIN_TIMEOUT)) {
            throw new AssertionError("The hook did not catch up within " + DRAIN_TIMEOUT.toSeconds() + " s (or is quarantined "
                    + "after failing): " + metrics());
        }
    }

    /** The hook's delivery metrics: delivered, failed, retried, quarantined, lag and so on. */
    public HookMetrics metrics() {
        return engine.hookMetrics().get(0);
    }

    /**
     * Every event the hook accepted so far (returned from without throwing), in the order
     * delivered, across restarts and crashes: {@code SstFilesWrittenEvent},
     * {@code ManifestUpdatedEvent}, {@code ReconcileEvent}, {@code RegionOpenedEvent} and the rest.
     */
    public List<Object> events() {
        return KitHook.snapshot(events);
    }

    /** The events of one type, in order. */
    public <T> List<T> events(Class<T> type) {
        return events().stream().filter(type::isInstance).map(type::cast).toList();
    }

    /**
     * The manifest versions the hook was delivered through {@code onManifestUpdated} and
     * {@code onReconcile}, in order, one entry per version (a merged event covers several).
     * After a crash a version can appear twice: delivery is at least once.
     */
    public List<Long> deliveredVersions() {
        List<Long> versions = new ArrayList<>();
        for (Object event : events()) {
            if (event instanceof ManifestUpdatedEvent updated) {
                for (long v = updated.firstVersion(); v <= updated.manifestVersion(); v++) {
                    versions.add(v);
                }
            }
            else if (event instanceof ReconcileEvent reconcile) {
                for (long v = reconcile.firstVersion(); v <= reconcile.manifestVersion(); v++) {
                    versions.add(v);
                }
            }
        }
        return versions;
    }

    /** The kinds of the actions of each delivered manifest update, in order (CHANGE, EDIT, ...). */
    public List<List<ManifestAction.Kind>> deliveredActionKinds() {
        return events(ManifestUpdatedEvent.class).stream()
                .map(event -> event.actions().actions().stream().map(ManifestAction::kind).toList())
                .toList();
    }

    /** Forgets the events recorded so far; what the hook wrote stays. */
    public void clearEvents() {
        synchronized (events) {
            events.clear();
        }
    }

    /**
     * Delivers every event recorded so far to the hook again, twice over, in the original order,
     * on this thread: what a hook sees when the engine re-delivers after a crash. An idempotent
     * hook ends in the same state; assert that on what it wrote. Call {@link #drain()} first.
     *
     * <p>These deliveries are not recorded in {@link #events()}. The first failure is thrown.
     */
    public void redeliverAll() {
        List<Object> recorded = events();
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(hook.getClass().getClassLoader());
        try {
            for (int round = 0; round < 2; round++) {
                for (Object event : recorded) {
                    KitHook.deliver(hook, event);
                }
            }
        }
        finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    /**
     * Simulates a crash between commit and delivery: drains, then runs {@code commits} (flushes,
     * writes, alters... through this kit) while nothing more reaches the hook, then stops the
     * engine as a killed process would ({@link RegolithEngine#halt()}: no drain, no cursor written,
     * the hook not closed), and opens the region again with a new hook instance. The new hook is
     * delivered what it missed, from the manifest on disk, possibly with versions the old one
     * already had (its cursor is written every {@code delivery.cursor.interval.ms}), then
     * {@code onRegionOpened}. Call {@link #drain()} before asserting.
     *
     * <p>{@code onSstFilesWritten} still reaches the hook during {@code commits}: it runs before
     * the commit it belongs to.
     */
    public void crashBeforeDelivery(Runnable commits) {
        drain();
        installed.hold();
        try {
            commits.run();
        }
        finally {
            engine.halt();
            installed.abandon();
        }
        open(false);
    }

    /** Closes the engine cleanly (drained, cursors written, the hook closed) and opens it again with a new hook. */
    public void restart() {
        engine.close();
        open(false);
    }

    /**
     * Checks that {@code type} is registered for {@link ServiceLoader} in
     * {@code META-INF/services/dev.regolith.hooks.spi.RegionHook} on the test's class path, as the
     * engine will look for it in the hook's jar.
     *
     * @throws AssertionError naming the hooks that are registered instead
     */
    public static void assertRegistered(Class<? extends RegionHook> type) {
        List<String> found = ServiceLoader.load(RegionHook.class, type.getClassLoader()).stream()
                .map(provider -> provider.type().getName()).toList();
        if (!found.contains(type.getName())) {
            throw new AssertionError(type.getName() + " is not registered in META-INF/services/" + RegionHook.class.getName()
                    + "; registered: " + found);
        }
    }

    /** Drains, then closes the engine and the hook. */
    @Override
    public void close() {
        try {
            engine.drainHooks(DRAIN_TIMEOUT);
        }
        finally {
            engine.close();
        }
    }
}
