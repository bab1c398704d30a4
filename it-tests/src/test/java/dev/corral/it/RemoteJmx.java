package dev.corral.it;

import dev.corral.testing.contract.SteadyLoad;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import javax.management.Attribute;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Corral managed over remote JMX in a real container started as a separate process with the
 * JDK's own agent ({@code com.sun.management.jmxremote.*}, loopback, no authentication): what an
 * operator does with jconsole, done by a test.
 */
final class RemoteJmx implements AutoCloseable {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private final JMXConnector connector;
    private final MBeanServerConnection remote;

    /** The JVM flags that open remote JMX on {@code 127.0.0.1:port} (registry and connector on one port). */
    static List<String> flags(int port) {
        return List.of("-Dcom.sun.management.jmxremote.port=" + port, "-Dcom.sun.management.jmxremote.rmi.port=" + port,
                "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1",
                "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false");
    }

    RemoteJmx(int port) throws IOException {
        connector = JMXConnectorFactory.connect(new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi"));
        remote = connector.getMBeanServerConnection();
    }

    MBeanServerConnection connection() {
        return remote;
    }

    /**
     * Everything an operator does, on app {@code app} served at {@code appUri} (a path where the
     * test app answers {@code /sleep?ms=N} and {@code /hello}): every attribute of every Corral
     * MBean read; each writable one written, and a bad value refused; a rolling restart under
     * steady load with no failed request and new pids; scale up and down, seen in the process
     * MBeans; drain and resume; detach; faults on, a bad faults spec refused with its parse error,
     * faults off; the engine's dump and the app's statusText.
     */
    void exercise(String app, URI appUri) throws Exception {
        ObjectName appName = new ObjectName("dev.corral:type=App,name=" + app);
        ObjectName engine = new ObjectName("dev.corral:type=Engine");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        It.await("a ready process of the app", DEADLINE,
                () -> remote.isRegistered(appName) && ((Number) remote.getAttribute(appName, "Capacity")).intValue() >= 1,
                () -> "");
        Set<ObjectName> names = remote.queryNames(new ObjectName("dev.corral:*"), null);
        assertTrue(names.contains(engine) && names.contains(appName), names.toString());
        for (ObjectName name : names) {
            for (MBeanAttributeInfo attribute : remote.getMBeanInfo(name).getAttributes()) {
                remote.getAttribute(name, attribute.getName());
            }
        }
        String dump = (String) remote.invoke(engine, "dump", null, null);
        assertTrue(dump.startsWith("Corral ") && dump.contains("  app " + app + "\n"), dump);
        String text = (String) remote.invoke(appName, "statusText", null, null);
        assertTrue(text.startsWith("app " + app + "\n") && text.contains("READY"), text);

        Map<String, Object> values = Map.of("MaxQueue", 50, "QueueTimeout", "45s", "IdleTimeout", "10m",
                "MaxRequests", 10_000, "MaxMemory", "2GB", "MaxRequestTime", "5m", "MaxProcesses", 4, "MinProcesses", 2);
        for (Map.Entry<String, Object> value : values.entrySet()) {
            remote.setAttribute(appName, new Attribute(value.getKey(), value.getValue()));
            assertEquals(value.getValue(), remote.getAttribute(appName, value.getKey()), value.getKey());
        }
        try {
            remote.setAttribute(appName, new Attribute("MaxQueue", -5));
            throw new AssertionError("MaxQueue=-5 was taken");
        } catch (RuntimeMBeanException refused) {
            assertTrue(refused.getCause().getMessage().contains("'maxQueue' must be an integer 0..1000000, but was [-5]"),
                    refused.getCause().getMessage());
        }
        remote.setAttribute(engine, new Attribute("MaxPoolProcesses", 20));
        It.await("minProcesses=2 in force", DEADLINE, () -> processPids(app).size() >= 2, () -> processPidsOrError(app));

        Set<Long> before = processPids(app);
        URI sleep = appUri.resolve("sleep?ms=20");
        SteadyLoad load = new SteadyLoad(http, sleep, 4);
        try {
            It.await("load to flow", DEADLINE, () -> load.statuses.size() > 20, () -> "");
            assertEquals(true, remote.invoke(appName, "restart", new Object[] {true}, new String[] {"boolean"}));
            It.await("the rolling restart to end with new pids", Duration.ofSeconds(60),
                    () -> !(Boolean) remote.getAttribute(appName, "Restarting")
                            && processPids(app).size() >= 2 && processPids(app).stream().noneMatch(before::contains),
                    () -> " pids " + before + " -> " + processPidsOrError(app));
            int served = load.statuses.size();
            It.await("load to flow after the restart", DEADLINE, () -> load.statuses.size() > served + 20, () -> "");
        } finally {
            load.close();
        }
        assertTrue(load.statuses.stream().allMatch(s -> s == 200),
                () -> "failed during the restart: " + load.statuses.stream().filter(s -> s != 200).toList());

        remote.invoke(appName, "scale", new Object[] {3, 3}, new String[] {"int", "int"});
        It.await("three process MBeans", DEADLINE, () -> processPids(app).size() == 3, () -> processPidsOrError(app));
        remote.invoke(appName, "scale", new Object[] {1, 1}, new String[] {"int", "int"});
        It.await("one process MBean", DEADLINE, () -> processPids(app).size() == 1, () -> processPidsOrError(app));

        remote.invoke(appName, "drain", null, null);
        HttpResponse<String> drained = http.send(java.net.http.HttpRequest.newBuilder(appUri.resolve("hello")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, drained.statusCode());
        assertEquals("draining", drained.headers().firstValue("X-Corral-Reason").orElse(null));
        remote.invoke(appName, "resume", null, null);

        long pid = processPids(app).iterator().next();
        assertEquals(true, remote.invoke(new ObjectName("dev.corral:type=Process,app=" + app + ",pid=" + pid),
                "detach", null, null));
        It.await("a replacement of the detached process", DEADLINE,
                () -> processPids(app).size() == 1 && !processPids(app).contains(pid), () -> processPidsOrError(app));

        ObjectName faults = new ObjectName("dev.corral:type=Faults,app=" + app);
        remote.setAttribute(faults, new Attribute("Spec", "read-reset:1"));
        HttpResponse<String> cut = http.send(java.net.http.HttpRequest.newBuilder(appUri.resolve("hello")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(502, cut.statusCode());
        try {
            remote.setAttribute(faults, new Attribute("Spec", "read-rest:1"));
            throw new AssertionError("the faults spec read-rest:1 was taken");
        } catch (RuntimeMBeanException refused) {
            assertTrue(refused.getCause().getMessage().endsWith(
                    ", but was [read-rest:1]: bad fault spec part [read-rest:1] (unknown fault point)"),
                    refused.getCause().getMessage());
        }
        assertEquals("read-reset:1.0", remote.getAttribute(faults, "Spec"), "the spec in force is unchanged");
        remote.invoke(faults, "off", null, null);
        It.await("the app to answer 200 again", DEADLINE, () -> http.send(java.net.http.HttpRequest.newBuilder(
                appUri.resolve("hello")).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200, () -> "");
        assertFalse(processPids(app).isEmpty());
    }

    /**
     * Reads back an app's MBean: it exists, has every one of {@code settings} in force (as the
     * container's files configured it, in configuration spelling) and has served at least
     * {@code served} requests.
     */
    void readBack(String app, Map<String, String> settings, long served) throws Exception {
        ObjectName name = new ObjectName("dev.corral:type=App,name=" + app);
        assertTrue(remote.isRegistered(name), () -> "no MBean " + name);
        Map<String, String> inForce = new java.util.TreeMap<>();
        for (Object row : ((javax.management.openmbean.TabularData) remote.getAttribute(name, "Settings")).values()) {
            javax.management.openmbean.CompositeData entry = (javax.management.openmbean.CompositeData) row;
            inForce.put((String) entry.get("key"), (String) entry.get("value"));
        }
        settings.forEach((setting, value) -> assertEquals(value, inForce.get(setting), () -> app + "'s " + setting
                + " in force; all: " + inForce));
        long servedNow = ((Number) remote.getAttribute(name, "Served")).longValue();
        assertTrue(servedNow >= served, () -> app + " served " + servedNow + ", expected at least " + served);
    }

    private Set<Long> processPids(String app) throws Exception {
        return remote.queryNames(new ObjectName("dev.corral:type=Process,app=" + app + ",*"), null).stream()
                .map(name -> Long.parseLong(name.getKeyProperty("pid"))).collect(Collectors.toCollection(TreeSet::new));
    }

    private String processPidsOrError(String app) {
        try {
            return " process MBeans: " + processPids(app);
        } catch (Exception e) {
            return " " + e;
        }
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
