package dev.regolith.engine.hook;

/**
 * One hook's delivery metrics over JMX, as
 * {@code dev.regolith:type=Hook,engine="<data directory>",name=<hook name>}. The attributes are
 * those of {@link dev.regolith.engine.api.HookMetrics}; lags and cursors are summed up as their
 * maximum and their region count. {@code HeldActions} and {@code Spills} show how much of a
 * lagging hook's backlog is in memory (see {@link HookDeliveryOptions#queueActions()}).
 */
public interface HookMXBean {

    long getDelivered();

    long getFailed();

    long getRetried();

    long getCoalesced();

    long getDuplicates();

    long getSlow();

    boolean isQuarantined();

    int getQueueDepth();

    /** The largest lag (head version minus cursor) over the hook's regions. */
    long getMaxLag();

    /** Regions the hook has a delivery state for. */
    int getRegions();

    /** Committed actions the hook's pending events hold in memory (at most {@code hooks.<name>.queue.actions}). */
    long getHeldActions();

    /** How many times the hook's pending events dropped their actions, to be read back from the manifests. */
    long getSpills();

    long getLatencyCount();

    long getLatencyMeanMicros();

    long getLatencyP99Micros();

    long getLatencyMaxMicros();

    /** Lifts the hook's quarantine: delivery resumes with the event that failed. */
    void reenable();
}
