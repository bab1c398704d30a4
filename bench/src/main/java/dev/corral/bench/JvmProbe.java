package dev.corral.bench;

import com.sun.tools.attach.VirtualMachine;

import java.io.IOException;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The soak's view into the JVM running Corral, over JMX: the JVM's own MXBeans (heap after a full
 * collection, live threads) and Corral's (per app: processes, counters, restart, faults).
 *
 * <p>It attaches to the JVM by its pid (the JDK's Attach API, same user only) and starts the
 * JVM's local management agent, so the launchers need no JMX port or flag; the one connection is
 * kept for the whole soak (the agent's RMI threads in the target are then there from the first
 * sample on, and stay constant).
 *
 * <p>Heap: {@link #heapAfterFullGc()} asks for a full collection ({@code MemoryMXBean.gc()},
 * i.e. {@code System.gc()}) and reads the heap in use right after it from the collector's own
 * record ({@code LastGcInfo.memoryUsageAfterGc}): that is the live set, what a leak makes grow.
 * The heap in use at a random instant mostly measures garbage not collected yet, and the usage
 * after young collections still holds the old generation's dead objects until a mixed or full
 * collection; both would hide a slow leak in noise.
 *
 * <p>Confined to the soak's sampling thread.
 */
final class JvmProbe implements AutoCloseable {
    private final JMXConnector connector;
    private final MBeanServerConnection server;
    private final List<ObjectName> collectors;
    private final List<String> heapPools = new ArrayList<>();

    private JvmProbe(JMXConnector connector) throws IOException, JMException {
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
        this.collectors = new ArrayList<>(server.queryNames(new ObjectName("java.lang:type=GarbageCollector,*"), null));
        for (ObjectName pool : server.queryNames(new ObjectName("java.lang:type=MemoryPool,*"), null)) {
            if (MemoryType.HEAP.name().equals(server.getAttribute(pool, "Type"))) {
                heapPools.add(pool.getKeyProperty("name"));
            }
        }
    }

    /** Attaches to the JVM {@code pid} and connects to its local management agent. */
    static JvmProbe attach(long pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        return new JvmProbe(JMXConnectorFactory.connect(new JMXServiceURL(address)));
    }

    /**
     * The heap after a full collection.
     *
     * @param bytes     heap in use right after it, all heap pools (-1: no collection ran: the
     *                  JVM ignores {@code System.gc()}, e.g. {@code -XX:+DisableExplicitGC})
     * @param gcMillis  how long that collection took
     * @param committed the heap's committed size after it
     */
    record Heap(long bytes, long gcMillis, long committed) {
    }

    Heap heapAfterFullGc() throws IOException, JMException {
        Map<ObjectName, Long> before = new HashMap<>();
        for (ObjectName gc : collectors) {
            before.put(gc, ((Number) server.getAttribute(gc, "CollectionCount")).longValue());
        }
        server.invoke(new ObjectName("java.lang:type=Memory"), "gc", null, null);
        // The collection the call ran is the last one to end among those that ran meanwhile (a
        // young one may also have run just before it). Were a young one to slip in right after
        // it, its own figure after the collection is as good: the live set plus a few objects.
        CompositeData last = null;
        for (ObjectName gc : collectors) {
            if (((Number) server.getAttribute(gc, "CollectionCount")).longValue() > before.get(gc)) {
                CompositeData info = (CompositeData) server.getAttribute(gc, "LastGcInfo");
                if (info != null && (last == null || (Long) info.get("endTime") > (Long) last.get("endTime"))) {
                    last = info;
                }
            }
        }
        CompositeData usage = (CompositeData) server.getAttribute(new ObjectName("java.lang:type=Memory"), "HeapMemoryUsage");
        long committed = (Long) usage.get("committed");
        if (last == null) {
            return new Heap(-1, 0, committed);
        }
        long used = 0;
        TabularData after = (TabularData) last.get("memoryUsageAfterGc");
        for (Object row : after.values()) {
            CompositeData entry = (CompositeData) row;
            if (heapPools.contains((String) entry.get("key"))) {
                used += (Long) ((CompositeData) entry.get("value")).get("used");
            }
        }
        return new Heap(used, (Long) last.get("duration"), committed);
    }

    /** Live Java threads ({@code ThreadMXBean.getThreadCount()}). */
    int threads() throws IOException, JMException {
        return ((Number) server.getAttribute(new ObjectName("java.lang:type=Threading"), "ThreadCount")).intValue();
    }

    /** Attributes of the app's MBean {@code dev.corral:type=App,name=<app>} (numbers and booleans as they come). */
    Map<String, Object> app(String app, String... attributes) throws IOException, JMException {
        Map<String, Object> values = new LinkedHashMap<>();
        for (var attribute : server.getAttributes(appName(app), attributes).asList()) {
            values.put(attribute.getName(), attribute.getValue());
        }
        return values;
    }

    /** Every setting in force of the app ({@code Settings}), by name. */
    Map<String, String> appSettings(String app) throws IOException, JMException {
        Map<String, String> result = new LinkedHashMap<>();
        TabularData table = (TabularData) server.getAttribute(appName(app), "Settings");
        for (Object row : table.values()) {
            CompositeData entry = (CompositeData) row;
            result.put((String) entry.get("key"), String.valueOf(entry.get("value")));
        }
        return result;
    }

    /** The app's processes by state ({@code ProcessesByState}): READY, STARTING, DRAINING ... */
    Map<String, Integer> processesByState(String app) throws IOException, JMException {
        Map<String, Integer> result = new LinkedHashMap<>();
        TabularData table = (TabularData) server.getAttribute(appName(app), "ProcessesByState");
        for (Object row : table.values()) {
            CompositeData entry = (CompositeData) row;
            result.put((String) entry.get("key"), ((Number) entry.get("value")).intValue());
        }
        return result;
    }

    /** Faults injected into the app so far, all points together. */
    long faultsInjected(String app) throws IOException, JMException {
        TabularData table = (TabularData) server.getAttribute(faultsName(app), "Injected");
        long sum = 0;
        for (Object row : table.values()) {
            sum += ((Number) ((CompositeData) row).get("value")).longValue();
        }
        return sum;
    }

    /** Faults injected into the app so far, by point. */
    Map<String, Long> faultsByPoint(String app) throws IOException, JMException {
        Map<String, Long> result = new LinkedHashMap<>();
        TabularData table = (TabularData) server.getAttribute(faultsName(app), "Injected");
        for (Object row : table.values()) {
            CompositeData entry = (CompositeData) row;
            result.put((String) entry.get("key"), ((Number) entry.get("value")).longValue());
        }
        return result;
    }

    /** The app MBean's {@code restart(true)}: a rolling restart; false if one runs already. */
    boolean restart(String app) throws IOException, JMException {
        return (Boolean) server.invoke(appName(app), "restart", new Object[] {true}, new String[] {"boolean"});
    }

    /** The Faults MBean's {@code off()}. */
    void faultsOff(String app) throws IOException, JMException {
        server.invoke(faultsName(app), "off", null, null);
    }

    private static ObjectName appName(String app) throws JMException {
        return new ObjectName("dev.corral:type=App,name=" + app);
    }

    private static ObjectName faultsName(String app) throws JMException {
        return new ObjectName("dev.corral:type=Faults,app=" + app);
    }

    /** Closes the connection; quietly, since the JVM may be gone (which the soak has reported then). */
    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException e) {
            System.err.println("soak: closing the JMX connection: " + e);
        }
    }
}
