package dev.regolith.engine.testing;

import dev.regolith.hooks.spi.FilesRemovedEvent;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.ReconcileEvent;
import dev.regolith.hooks.spi.RegionClosedEvent;
import dev.regolith.hooks.spi.RegionDroppedEvent;
import dev.regolith.hooks.spi.RegionOpenedEvent;
import dev.regolith.hooks.spi.RegionHook;
import dev.regolith.hooks.spi.SstFilesWrittenEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Records every event it receives, optionally running an action on each manifest update. */
public class RecordingHook implements RegionHook {

    private final String name;
    private final int priority;
    private final List<Object> events = new ArrayList<>();
    private final List<String> threads = new ArrayList<>();
    private volatile Consumer<ManifestUpdatedEvent> onUpdate = event -> { };

    public RecordingHook(String name) {
        this(name, 0);
    }

    public RecordingHook(String name, int priority) {
        this.name = name;
        this.priority = priority;
    }

    /** Runs {@code action} inside every {@code onManifestUpdated}, after recording the event. */
    public RecordingHook onUpdate(Consumer<ManifestUpdatedEvent> action) {
        this.onUpdate = action;
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int priority() {
        return priority;
    }

    @Override
    public void onManifestUpdated(ManifestUpdatedEvent event) {
        record(event);
        onUpdate.accept(event);
    }

    @Override
    public void onReconcile(ReconcileEvent event) {
        record(event);
    }

    @Override
    public void onSstFilesWritten(SstFilesWrittenEvent event) {
        record(event);
    }

    @Override
    public void onRegionOpened(RegionOpenedEvent event) {
        record(event);
    }

    @Override
    public void onRegionClosed(RegionClosedEvent event) {
        record(event);
    }

    @Override
    public void onRegionDropped(RegionDroppedEvent event) {
        record(event);
    }

    @Override
    public void onFilesRemoved(FilesRemovedEvent event) {
        record(event);
    }

    private void record(Object event) {
        synchronized (events) {
            events.add(event);
            threads.add(Thread.currentThread().getName());
        }
    }

    /** Every event received, in order. */
    public List<Object> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    public void clear() {
        synchronized (events) {
            events.clear();
            threads.clear();
        }
    }

    /** The events of one type received, in order. */
    public <T> List<T> eventsOf(Class<T> type) {
        synchronized (events) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    public List<ManifestUpdatedEvent> manifestUpdates() {
        return eventsOf(ManifestUpdatedEvent.class);
    }

    public List<SstFilesWrittenEvent> sstEvents() {
        return eventsOf(SstFilesWrittenEvent.class);
    }

    /** Every event in arrival order, as {@code sst} or {@code manifest@<version>}. */
    public List<String> order() {
        synchronized (events) {
            return events.stream()
                    .filter(event -> event instanceof ManifestUpdatedEvent || event instanceof SstFilesWrittenEvent)
                    .map(event -> event instanceof ManifestUpdatedEvent update ? "manifest@" + update.manifestVersion() : "sst")
                    .toList();
        }
    }

    /** The thread names the hook was called on, in order. */
    public List<String> threads() {
        synchronized (events) {
            return List.copyOf(threads);
        }
    }

    public List<Long> versions() {
        return manifestUpdates().stream().map(ManifestUpdatedEvent::manifestVersion).toList();
    }
}
