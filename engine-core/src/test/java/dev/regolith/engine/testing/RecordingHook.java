package dev.regolith.engine.testing;

import dev.regolith.hooks.spi.ManifestUpdatedEvent;
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
        synchronized (events) {
            events.add(event);
        }
        onUpdate.accept(event);
    }

    @Override
    public void onSstFilesWritten(SstFilesWrittenEvent event) {
        synchronized (events) {
            events.add(event);
        }
    }

    public List<ManifestUpdatedEvent> manifestUpdates() {
        synchronized (events) {
            return events.stream()
                    .filter(ManifestUpdatedEvent.class::isInstance)
                    .map(ManifestUpdatedEvent.class::cast)
                    .toList();
        }
    }

    public List<SstFilesWrittenEvent> sstEvents() {
        synchronized (events) {
            return events.stream()
                    .filter(SstFilesWrittenEvent.class::isInstance)
                    .map(SstFilesWrittenEvent.class::cast)
                    .toList();
        }
    }

    /** Every event in arrival order, as {@code sst} or {@code manifest@<version>}. */
    public List<String> order() {
        synchronized (events) {
            return events.stream()
                    .map(event -> event instanceof ManifestUpdatedEvent update ? "manifest@" + update.manifestVersion() : "sst")
                    .toList();
        }
    }

    public List<Long> versions() {
        return manifestUpdates().stream().map(ManifestUpdatedEvent::manifestVersion).toList();
    }
}
