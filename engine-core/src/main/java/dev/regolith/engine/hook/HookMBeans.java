package dev.regolith.engine.hook;

import dev.regolith.engine.api.HookMetrics;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link HookMXBean}s of one engine's hooks, registered with the platform MBean server until closed. */
public final class HookMBeans implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HookMBeans.class);

    private final MBeanServer server;
    private final List<ObjectName> names;

    private HookMBeans(MBeanServer server, List<ObjectName> names) {
        this.server = server;
        this.names = names;
    }

    /**
     * Registers one bean per hook. A bean that cannot be registered (another engine on the same
     * directory in this JVM) is logged and left out; the engine works without it.
     */
    public static HookMBeans register(Path dataDirectory, RegionHooks hooks) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        List<ObjectName> names = new ArrayList<>();
        for (HookDispatcher dispatcher : hooks.dispatchers()) {
            try {
                ObjectName name = objectName(dataDirectory, dispatcher.name());
                server.registerMBean(new Bean(dispatcher), name);
                names.add(name);
            }
            catch (JMException e) {
                log.warn("The JMX metrics of hook {} are not registered: {}", dispatcher.name(), e.toString());
            }
        }
        return new HookMBeans(server, names);
    }

    /** {@code dev.regolith:type=Hook,engine="<data directory>",name=<hook name>}. */
    public static ObjectName objectName(Path dataDirectory, String hookName) throws JMException {
        return new ObjectName("dev.regolith:type=Hook,engine=" + ObjectName.quote(dataDirectory.toString()) + ",name="
                + ObjectName.quote(hookName));
    }

    @Override
    public void close() {
        for (ObjectName name : names) {
            try {
                server.unregisterMBean(name);
            }
            catch (JMException e) {
                log.debug("Could not unregister {}", name, e);
            }
        }
        names.clear();
    }

    private static final class Bean implements HookMXBean {
        private final HookDispatcher dispatcher;

        Bean(HookDispatcher dispatcher) {
            this.dispatcher = dispatcher;
        }

        private HookMetrics metrics() {
            return dispatcher.metrics();
        }

        @Override
        public long getDelivered() {
            return metrics().delivered();
        }

        @Override
        public long getFailed() {
            return metrics().failed();
        }

        @Override
        public long getRetried() {
            return metrics().retried();
        }

        @Override
        public long getCoalesced() {
            return metrics().coalesced();
        }

        @Override
        public long getDuplicates() {
            return metrics().duplicates();
        }

        @Override
        public long getSlow() {
            return metrics().slow();
        }

        @Override
        public boolean isQuarantined() {
            return metrics().quarantined();
        }

        @Override
        public int getQueueDepth() {
            return metrics().queueDepth();
        }

        @Override
        public long getMaxLag() {
            return metrics().lag().values().stream().mapToLong(Long::longValue).max().orElse(0);
        }

        @Override
        public int getRegions() {
            return metrics().deliveredVersions().size();
        }

        @Override
        public long getHeldActions() {
            return dispatcher.heldActions();
        }

        @Override
        public long getSpills() {
            return dispatcher.spills();
        }

        @Override
        public long getLatencyCount() {
            return metrics().latency().count();
        }

        @Override
        public long getLatencyMeanMicros() {
            return TimeUnit.NANOSECONDS.toMicros(metrics().latency().meanNanos());
        }

        @Override
        public long getLatencyP99Micros() {
            return TimeUnit.NANOSECONDS.toMicros(metrics().latency().p99Nanos());
        }

        @Override
        public long getLatencyMaxMicros() {
            return TimeUnit.NANOSECONDS.toMicros(metrics().latency().maxNanos());
        }

        @Override
        public void reenable() {
            dispatcher.reenable();
        }
    }
}
