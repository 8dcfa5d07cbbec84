package dev.regolith.engine.hook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.regolith.engine.api.ManifestAction;
import dev.regolith.engine.api.ManifestActionList;
import dev.regolith.engine.api.RegionId;
import dev.regolith.hooks.spi.FilesRemovedEvent;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.ReconcileEvent;
import dev.regolith.hooks.spi.RegionClosedEvent;
import dev.regolith.hooks.spi.RegionDroppedEvent;
import dev.regolith.hooks.spi.RegionHook;
import dev.regolith.hooks.spi.RegionOpenedEvent;
import dev.regolith.hooks.spi.SstFilesWrittenEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

/**
 * A hook for dispatcher tests: records every call and every successful delivery per region,
 * checks that no two callbacks of one region overlap, and runs a configurable behaviour inside
 * each callback (block on a latch, throw, ...).
 */
final class DispatchRecordingHook implements RegionHook {

    /** What a callback does after it was recorded as entered; throwing makes the call fail. */
    @FunctionalInterface
    interface Behavior {
        void run(ManifestUpdatedEvent event) throws Exception;
    }

    @FunctionalInterface
    interface SstBehavior {
        void run(SstFilesWrittenEvent event) throws Exception;
    }

    private final String name;
    private final Map<RegionId, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger maxInFlightPerRegion = new AtomicInteger();
    private final Map<RegionId, List<ManifestUpdatedEvent>> delivered = new ConcurrentHashMap<>();
    private final List<ManifestUpdatedEvent> calls = new ArrayList<>();
    private final Map<RegionId, List<String>> streams = new ConcurrentHashMap<>();
    private final Set<String> threads = ConcurrentHashMap.newKeySet();
    private volatile Behavior behavior = event -> { };
    private volatile SstBehavior sstBehavior = event -> { };

    DispatchRecordingHook(String name) {
        this.name = name;
    }

    DispatchRecordingHook behave(Behavior behavior) {
        this.behavior = behavior;
        return this;
    }

    DispatchRecordingHook behaveOnSst(SstBehavior behavior) {
        this.sstBehavior = behavior;
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void onManifestUpdated(ManifestUpdatedEvent event) {
        threads.add(Thread.currentThread().getName());
        AtomicInteger running = inFlight.computeIfAbsent(event.regionId(), region -> new AtomicInteger());
        maxInFlightPerRegion.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
            synchronized (calls) {
                calls.add(event);
            }
            behavior.run(event);
            delivered.computeIfAbsent(event.regionId(), region -> new ArrayList<>()).add(event);
            stream(event.regionId(), event.firstVersion() == event.manifestVersion() ? "v" + event.manifestVersion()
                    : "v" + event.firstVersion() + "-" + event.manifestVersion());
        }
        catch (RuntimeException e) {
            throw e;
        }
        catch (Exception e) {
            throw new RuntimeException(e);
        }
        finally {
            running.decrementAndGet();
        }
    }

    @Override
    public void onSstFilesWritten(SstFilesWrittenEvent event) {
        threads.add(Thread.currentThread().getName());
        try {
            sstBehavior.run(event);
        }
        catch (RuntimeException e) {
            throw e;
        }
        catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    @Override
    public void onReconcile(ReconcileEvent event) {
        stream(event.regionId(), "reconcile " + event.firstVersion() + "-" + event.manifestVersion());
    }

    @Override
    public void onRegionOpened(RegionOpenedEvent event) {
        stream(event.regionId(), "opened");
    }

    @Override
    public void onRegionClosed(RegionClosedEvent event) {
        stream(event.regionId(), "closed");
    }

    @Override
    public void onRegionDropped(RegionDroppedEvent event) {
        stream(event.regionId(), "dropped");
    }

    @Override
    public void onFilesRemoved(FilesRemovedEvent event) {
        stream(event.regionId(), "removed" + event.fileIds().size());
    }

    private void stream(RegionId region, String entry) {
        List<String> stream = streams.computeIfAbsent(region, id -> new ArrayList<>());
        synchronized (stream) {
            stream.add(entry);
        }
    }

    /**
     * Everything delivered for {@code region}, in order: {@code v3} or {@code v3-5} for updates,
     * {@code reconcile 4-9}, {@code opened}, {@code closed}, {@code dropped}, {@code removed<n files>}.
     */
    List<String> stream(RegionId region) {
        List<String> stream = streams.getOrDefault(region, List.of());
        synchronized (stream) {
            return List.copyOf(stream);
        }
    }

    /** The most callbacks of one region that ever ran at the same time. */
    int maxInFlightPerRegion() {
        return maxInFlightPerRegion.get();
    }

    /**
     * Events delivered successfully for {@code region}, in delivery order. Only safe to read once
     * the region's deliveries are over (after a drain), since the list is the region's own.
     */
    List<ManifestUpdatedEvent> delivered(RegionId region) {
        return List.copyOf(delivered.getOrDefault(region, List.of()));
    }

    /** The versions delivered for {@code region}, expanded from each event's range, in order. */
    List<Long> deliveredVersions(RegionId region) {
        return delivered(region).stream()
                .flatMap(event -> LongStream.rangeClosed(event.firstVersion(), event.manifestVersion()).boxed())
                .toList();
    }

    /** Every call, failed ones included, in the order they started. */
    List<ManifestUpdatedEvent> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    Set<String> threads() {
        return Set.copyOf(threads);
    }

    /** An event for versions {@code first} to {@code last}, with one action per version naming it. */
    static ManifestUpdatedEvent event(RegionId region, long first, long last) {
        List<ManifestAction> actions = new ArrayList<>();
        for (long version = first; version <= last; version++) {
            actions.add(new ManifestAction.PartitionExprChange(Optional.of("v" + version)));
        }
        return new ManifestUpdatedEvent(region, new ManifestActionList(actions), first, last);
    }

    static ManifestUpdatedEvent event(RegionId region, long version) {
        return event(region, version, version);
    }

    /** Checks that every delivered event carries exactly the actions of the versions it covers, in order. */
    static void assertActionsMatchVersions(List<ManifestUpdatedEvent> events) {
        for (ManifestUpdatedEvent event : events) {
            List<String> expected = LongStream.rangeClosed(event.firstVersion(), event.manifestVersion())
                    .mapToObj(version -> "v" + version)
                    .toList();
            assertThat(event.actions().actions())
                    .as("actions of %s versions %s to %s", event.regionId(), event.firstVersion(), event.manifestVersion())
                    .extracting(action -> ((ManifestAction.PartitionExprChange) action).expr().orElseThrow())
                    .isEqualTo(expected);
        }
    }
}
