package dev.regolith.testkit;

import static java.util.Objects.requireNonNull;

import dev.regolith.hooks.spi.FilesRemovedEvent;
import dev.regolith.hooks.spi.HookContext;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.ReconcileEvent;
import dev.regolith.hooks.spi.RegionClosedEvent;
import dev.regolith.hooks.spi.RegionDroppedEvent;
import dev.regolith.hooks.spi.RegionHook;
import dev.regolith.hooks.spi.RegionOpenedEvent;
import dev.regolith.hooks.spi.SstFilesWrittenEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Stands between the engine and the hook under test: forwards every callback, records each event
 * the hook accepted (returned from without throwing), and can hold back the manifest stream to
 * simulate a crash before delivery.
 */
final class KitHook implements RegionHook {

    private final RegionHook hook;
    private final List<Object> events;
    /** While set, manifest-stream callbacks wait here and never reach the hook. */
    private volatile CountDownLatch held;

    KitHook(RegionHook hook, List<Object> events) {
        this.hook = requireNonNull(hook, "hook is null");
        this.events = events;
    }

    RegionHook hook() {
        return hook;
    }

    /** From now on, manifest-stream callbacks block and are never forwarded: the process "dies" first. */
    void hold() {
        held = new CountDownLatch(1);
    }

    /** Frees blocked callbacks without forwarding them (the engine was halted). */
    void abandon() {
        CountDownLatch latch = held;
        if (latch != null) {
            latch.countDown();
        }
    }

    private boolean heldBack() {
        CountDownLatch latch = held;
        if (latch == null) {
            return false;
        }
        try {
            latch.await();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Never delivered: the engine halts before this hook could see it.
        throw new IllegalStateException("simulated crash: the engine halted before this event reached the hook");
    }

    private void record(Object event) {
        synchronized (events) {
            events.add(event);
        }
    }

    @Override
    public String name() {
        return hook.name();
    }

    @Override
    public int priority() {
        return hook.priority();
    }

    @Override
    public void init(HookContext context) {
        hook.init(context);
    }

    @Override
    public void onSstFilesWritten(SstFilesWrittenEvent event) {
        // Runs before the commit, so a crash between commit and delivery comes after it.
        hook.onSstFilesWritten(event);
        record(event);
    }

    @Override
    public void onManifestUpdated(ManifestUpdatedEvent event) {
        heldBack();
        hook.onManifestUpdated(event);
        record(event);
    }

    @Override
    public void onReconcile(ReconcileEvent event) {
        heldBack();
        hook.onReconcile(event);
        record(event);
    }

    @Override
    public void onRegionOpened(RegionOpenedEvent event) {
        heldBack();
        hook.onRegionOpened(event);
        record(event);
    }

    @Override
    public void onRegionClosed(RegionClosedEvent event) {
        heldBack();
        hook.onRegionClosed(event);
        record(event);
    }

    @Override
    public void onRegionDropped(RegionDroppedEvent event) {
        heldBack();
        hook.onRegionDropped(event);
        record(event);
    }

    @Override
    public void onFilesRemoved(FilesRemovedEvent event) {
        heldBack();
        hook.onFilesRemoved(event);
        record(event);
    }

    @Override
    public void close() {
        hook.close();
    }

    /** Delivers {@code event} to the hook directly, without recording it. */
    static void deliver(RegionHook hook, Object event) {
        if (event instanceof SstFilesWrittenEvent e) {
            hook.onSstFilesWritten(e);
        }
        else if (event instanceof ManifestUpdatedEvent e) {
            hook.onManifestUpdated(e);
        }
        else if (event instanceof ReconcileEvent e) {
            hook.onReconcile(e);
        }
        else if (event instanceof RegionOpenedEvent e) {
            hook.onRegionOpened(e);
        }
        else if (event instanceof RegionClosedEvent e) {
            hook.onRegionClosed(e);
        }
        else if (event instanceof RegionDroppedEvent e) {
            hook.onRegionDropped(e);
        }
        else if (event instanceof FilesRemovedEvent e) {
            hook.onFilesRemoved(e);
        }
        else {
            throw new IllegalArgumentException("Not a hook event: " + event);
        }
    }

    static List<Object> snapshot(List<Object> events) {
        synchronized (events) {
            return List.copyOf(new ArrayList<>(events));
        }
    }
}
