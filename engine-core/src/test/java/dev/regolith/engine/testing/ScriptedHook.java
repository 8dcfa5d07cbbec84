package dev.regolith.engine.testing;

import dev.regolith.engine.api.RegionId;
import dev.regolith.hooks.spi.FilesRemovedEvent;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.ReconcileEvent;
import dev.regolith.hooks.spi.RegionClosedEvent;
import dev.regolith.hooks.spi.RegionDroppedEvent;
import dev.regolith.hooks.spi.RegionHook;
import dev.regolith.hooks.spi.RegionOpenedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

/**
 * A hook for delivery tests: runs a replaceable behaviour in every {@code onManifestUpdated}
 * (block, throw) and records the events whose callback returned normally, in order, checking that
 * no two callbacks ever run at once.
 */
public final class ScriptedHook implements RegionHook {

    /** What {@code onManifestUpdated} does before the event counts as delivered; throwing fails the call. */
    @FunctionalInterface
    public interface Behavior {
        void run(ManifestUpdatedEvent event) throws Exception;
    }

    private final String name;
    private final List<Object> delivered = new ArrayList<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger maxRunning = new AtomicInteger();
    private final AtomicInteger updateCalls = new AtomicInteger();
    private volatile Behavior behavior = event -> { };

    public ScriptedHook(String name) {
        this.name = name;
    }

    public ScriptedHook behave(Behavior behavior) {
        this.behavior = behavior;
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void onManifestUpdated(ManifestUpdatedEvent event) {
        enter();
        try {
            updateCalls.incrementAndGet();
            behavior.run(event);
            record(event);
        }
        catch (RuntimeException e) {
            throw e;
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
        finally {
            running.decrementAndGet();
        }
    }

    @Override
    public void onReconcile(ReconcileEvent event) {
        recordCall(event);
    }

    @Override
    public void onRegionOpened(RegionOpenedEvent event) {
        recordCall(event);
    }

    @Override
    public void onRegionClosed(RegionClosedEvent event) {
        recordCall(event);
    }

    @Override
    public void onRegionDropped(RegionDroppedEvent event) {
        recordCall(event);
    }

    @Override
    public void onFilesRemoved(FilesRemovedEvent event) {
        recordCall(event);
    }

    private void recordCall(Object event) {
        enter();
        try {
            record(event);
        }
        finally {
            running.decrementAndGet();
        }
    }

    private void enter() {
        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
    }

    private void record(Object event) {
        synchronized (delivered) {
            delivered.add(event);
        }
    }

    /** Every event delivered, in order. */
    public List<Object> delivered() {
        synchronized (delivered) {
            return List.copyOf(delivered);
        }
    }

    public List<ManifestUpdatedEvent> updates(RegionId region) {
        return delivered().stream()
                .filter(ManifestUpdatedEvent.class::isInstance)
                .map(ManifestUpdatedEvent.class::cast)
                .filter(event -> event.regionId().equals(region))
                .toList();
    }

    /** The versions of {@code region} delivered by manifest updates, each event's range expanded, in order. */
    public List<Long> versions(RegionId region) {
        return updates(region).stream()
                .flatMap(event -> LongStream.rangeClosed(event.firstVersion(), event.manifestVersion()).boxed())
                .toList();
    }

    /** Every delivered event in order, as {@code v3}, {@code v3-5}, {@code reconcile 4-9}, {@code opened}, ... */
    public List<String> stream() {
        return delivered().stream().map(ScriptedHook::describe).toList();
    }

    private static String describe(Object event) {
        if (event instanceof ManifestUpdatedEvent update) {
            return update.firstVersion() == update.manifestVersion() ? "v" + update.manifestVersion()
                    : "v" + update.firstVersion() + "-" + update.manifestVersion();
        }
        if (event instanceof ReconcileEvent reconcile) {
            return "reconcile " + reconcile.firstVersion() + "-" + reconcile.manifestVersion();
        }
        if (event instanceof RegionOpenedEvent) {
            return "opened";
        }
        if (event instanceof RegionClosedEvent) {
            return "closed";
        }
        return event instanceof RegionDroppedEvent ? "dropped" : "removed";
    }

    /** How many times {@code onManifestUpdated} was called, failed calls included. */
    public int updateCalls() {
        return updateCalls.get();
    }

    /** The most callbacks that ever ran at the same time. */
    public int maxConcurrentCalls() {
        return maxRunning.get();
    }
}
