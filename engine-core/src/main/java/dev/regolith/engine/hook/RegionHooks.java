package dev.regolith.engine.hook;

import static java.util.Objects.requireNonNull;

import dev.regolith.hooks.spi.FilesRemovedEvent;
import dev.regolith.hooks.spi.ManifestUpdatedEvent;
import dev.regolith.hooks.spi.RegionHook;
import dev.regolith.hooks.spi.RegionClosedEvent;
import dev.regolith.hooks.spi.RegionDroppedEvent;
import dev.regolith.hooks.spi.RegionOpenedEvent;
import dev.regolith.hooks.spi.SstFilesWrittenEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hooks installed in an engine, in delivery order (priority, then name), each with its
 * counters. Delivery isolates every hook: a hook that throws is logged and counted, and the other
 * hooks still receive the event.
 */
public final class RegionHooks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RegionHooks.class);
    private static final RegionHooks NONE = new RegionHooks(List.of());

    static final Comparator<RegionHook> DELIVERY_ORDER =
            Comparator.comparingInt(RegionHook::priority).thenComparing(RegionHook::name);

    private final List<Installed> hooks;
    private volatile boolean closed;

    private RegionHooks(List<Installed> hooks) {
        this.hooks = hooks;
    }

    /** No hooks: firing a receipt does nothing. */
    public static RegionHooks none() {
        return NONE;
    }

    /**
     * The given, already initialized hooks, sorted into delivery order.
     *
     * @throws IllegalArgumentException if two hooks share a name
     */
    public static RegionHooks of(List<? extends RegionHook> hooks) {
        List<RegionHook> sorted = new ArrayList<>(hooks);
        sorted.sort(DELIVERY_ORDER);
        Set<String> names = new HashSet<>();
        List<Installed> installed = new ArrayList<>(sorted.size());
        for (RegionHook hook : sorted) {
            requireNonNull(hook, "hook is null");
            if (!names.add(hook.name())) {
                throw new IllegalArgumentException("Two hooks are named " + hook.name() + ": hook names must be unique");
            }
            installed.add(new Installed(hook, hook.name()));
        }
        return installed.isEmpty() ? NONE : new RegionHooks(List.copyOf(installed));
    }

    public boolean isEmpty() {
        return hooks.isEmpty();
    }

    /** The hooks' names, in delivery order. */
    public List<String> names() {
        return hooks.stream().map(installed -> installed.name).toList();
    }

    /** The hooks themselves, in delivery order. */
    public List<RegionHook> hooks() {
        return hooks.stream().map(installed -> installed.hook).toList();
    }

    /** Delivers {@code onManifestUpdated} to every hook, isolating failures. */
    public void deliverManifestUpdated(ManifestUpdatedEvent event) {
        if (closed) {
            return;
        }
        for (Installed installed : hooks) {
            try {
                installed.hook.onManifestUpdated(event);
                installed.delivered.increment();
            }
            catch (VirtualMachineError e) {
                throw e;
            }
            catch (Throwable e) {
                installed.failed(e, "onManifestUpdated", event.regionId() + " version " + event.manifestVersion());
            }
        }
    }

    /** Delivers {@code onSstFilesWritten} to every hook, isolating failures. */
    public void deliverSstFilesWritten(SstFilesWrittenEvent event) {
        if (closed) {
            return;
        }
        for (Installed installed : hooks) {
            try {
                installed.hook.onSstFilesWritten(event);
                installed.delivered.increment();
            }
            catch (VirtualMachineError e) {
                throw e;
            }
            catch (Throwable e) {
                installed.failed(e, "onSstFilesWritten", event.regionId() + " (" + event.files().size() + " files)");
            }
        }
    }

    /** Delivers {@code onRegionOpened} to every hook, isolating failures. */
    public void deliverRegionOpened(RegionOpenedEvent event) {
        deliverRare("onRegionOpened", event.regionId().toString(), hook -> hook.onRegionOpened(event));
    }

    /** Delivers {@code onRegionClosed} to every hook, isolating failures. */
    public void deliverRegionClosed(RegionClosedEvent event) {
        deliverRare("onRegionClosed", event.regionId().toString(), hook -> hook.onRegionClosed(event));
    }

    /** Delivers {@code onRegionDropped} to every hook, isolating failures. */
    public void deliverRegionDropped(RegionDroppedEvent event) {
        deliverRare("onRegionDropped", event.regionId().toString(), hook -> hook.onRegionDropped(event));
    }

    /** Delivers {@code onFilesRemoved} to every hook, isolating failures. */
    public void deliverFilesRemoved(FilesRemovedEvent event) {
        deliverRare("onFilesRemoved", event.regionId() + " (" + event.fileIds().size() + " files)",
                hook -> hook.onFilesRemoved(event));
    }

    /** Delivery of events that are too rare for the allocation of a lambda to matter. */
    private void deliverRare(String callback, String subject, Consumer<RegionHook> call) {
        if (closed) {
            return;
        }
        for (Installed installed : hooks) {
            try {
                call.accept(installed.hook);
                installed.delivered.increment();
            }
            catch (VirtualMachineError e) {
                throw e;
            }
            catch (Throwable e) {
                installed.failed(e, callback, subject);
            }
        }
    }

    /** Each hook's counters, in delivery order. */
    public List<HookStats> stats() {
        return hooks.stream().map(Installed::stats).toList();
    }

    /** Closes every hook, logging (not throwing) failures; nothing is delivered afterwards. */
    @Override
    public void close() {
        closed = true;
        for (Installed installed : hooks) {
            try {
                installed.hook.close();
            }
            catch (RuntimeException | LinkageError e) {
                log.warn("Hook {} failed to close", installed.name, e);
            }
        }
    }

    private static final class Installed {
        final RegionHook hook;
        final String name;
        final LongAdder delivered = new LongAdder();
        final LongAdder failed = new LongAdder();

        Installed(RegionHook hook, String name) {
            this.hook = hook;
            this.name = name;
        }

        void failed(Throwable e, String callback, String subject) {
            failed.increment();
            log.warn("Hook {} threw from {} for region {}; the engine goes on", name, callback, subject, e);
        }

        HookStats stats() {
            return new HookStats(name, delivered.sum(), failed.sum());
        }
    }
}
