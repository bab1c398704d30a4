package dev.corral.testing.contract;

import dev.corral.jmx.LoopbackJmx;
import dev.corral.jmx.ObjectNames;
import dev.corral.pool.AppStatus;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
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

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Managing a running app through JMX as jconsole or Jolokia would: over a remote connection
 * (RMI, not the local MBeanServer), on every Corral MBean.
 */
public abstract class ManagementContract extends ContractSupport {
    private static LoopbackJmx jmx;
    private JMXConnector connector;
    private MBeanServerConnection remote;

    @BeforeEach
    void connect() throws Exception {
        synchronized (ManagementContract.class) {
            if (jmx == null) {
                jmx = LoopbackJmx.start(0);   // one per test JVM, closed with it
            }
        }
        connector = JMXConnectorFactory.connect(jmx.url());
        remote = connector.getMBeanServerConnection();
    }

    @AfterEach
    void disconnect() throws Exception {
        connector.close();
    }

    private ObjectName appName(String app) {
        return ObjectNames.app(app, 1);
    }

    private Set<Long> processMBeanPids(String app) throws Exception {
        return remote.queryNames(new ObjectName("dev.corral:type=Process,app=" + app + ",*"), null).stream()
                .map(name -> Long.parseLong(name.getKeyProperty("pid"))).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The pids of every process of the app whose OS process exists, in any state: each has its MBean. */
    private Set<Long> livePids(String app) {
        return app(app).status().processList().stream().map(p -> p.pid()).filter(pid -> pid >= 0)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void everyAttributeOfEveryCorralMBeanReadsOverARemoteConnection() throws Exception {
        startReady(2, wsgi("seen").minProcesses(2).maxProcesses(3));
        assertEquals(200, get("/hello").statusCode());
        Set<ObjectName> names = remote.queryNames(ObjectNames.all(), null);
        assertTrue(names.contains(ObjectNames.engine(1)) && names.contains(appName("seen"))
                && names.contains(ObjectNames.faults("seen", 1)), names.toString());
        await().atMost(DEADLINE).until(() -> processMBeanPids("seen").equals(livePids("seen")));
        for (ObjectName name : remote.queryNames(ObjectNames.all(), null)) {
            for (MBeanAttributeInfo attribute : remote.getMBeanInfo(name).getAttributes()) {
                remote.getAttribute(name, attribute.getName());   // every one reads, remotely
            }
        }
        assertEquals(1L, remote.getAttribute(appName("seen"), "Served"));
        assertEquals(2, remote.getAttribute(appName("seen"), "Processes"));
        String text = (String) remote.invoke(appName("seen"), "statusText", null, null);
        assertTrue(text.startsWith("app seen"), text);
        assertTrue(((String) remote.invoke(ObjectNames.engine(1), "dump", null, null)).contains("app seen"));
    }

    @Test
    void writableAttributesTakeAValueAtOnceAndRefuseABadOneNamingTheSetting() throws Exception {
        startReady(1, wsgi("tuned").minProcesses(1).maxProcesses(2));
        ObjectName app = appName("tuned");
        Map<String, Object> values = Map.of("MinProcesses", 2, "MaxProcesses", 3, "MaxQueue", 7, "QueueTimeout", "45s",
                "IdleTimeout", "10m", "MaxRequests", 500, "MaxMemory", "1GB", "MaxRequestTime", "2m");
        for (Map.Entry<String, Object> value : values.entrySet()) {
            remote.setAttribute(app, new Attribute(value.getKey(), value.getValue()));
            assertEquals(value.getValue(), remote.getAttribute(app, value.getKey()), value.getKey());
        }
        assertEquals(7, app("tuned").config().maxQueue(), "in force in the engine");
        awaitStatus("tuned", s -> s.ready() == 2);   // minProcesses=2 spawned a process at once
        RuntimeMBeanException refused = assertThrows(RuntimeMBeanException.class,
                () -> remote.setAttribute(app, new Attribute("MaxProcesses", 5000)));
        assertInstanceOf(IllegalArgumentException.class, refused.getCause());
        assertTrue(refused.getCause().getMessage().contains("'maxProcesses' must be an integer 1..1024, but was [5000]"),
                refused.getCause().getMessage());
        assertEquals(3, remote.getAttribute(app, "MaxProcesses"), "unchanged");
        remote.setAttribute(ObjectNames.engine(1), new Attribute("MaxPoolProcesses", 8));
        assertEquals(8, remote.getAttribute(ObjectNames.engine(1), "MaxPoolProcesses"));
    }

    @Test
    void aRollingRestartThroughJmxUnderSteadyLoadLosesNothingAndBringsNewPids() throws Exception {
        startReady(2, wsgi("rolled").minProcesses(2).maxProcesses(2));
        Set<Long> before = pidsOf("rolled");
        SteadyLoad load = new SteadyLoad(http, base.resolve("/sleep?ms=20"), 4);
        try {
            await().atMost(DEADLINE).until(() -> load.statuses.size() > 20);
            assertEquals(true, remote.invoke(appName("rolled"), "restart", new Object[] {true}, new String[] {"boolean"}));
            await().atMost(Duration.ofSeconds(40)).until(() -> !logs.matching("rolling restart of app [rolled] done").isEmpty());
            AppStatus after = awaitStatus("rolled", s -> s.ready() == 2 && s.processes() == 2);
            after.processList().forEach(p -> assertFalse(before.contains(p.pid()), "old process " + p.pid() + " retired"));
            int served = load.statuses.size();
            await().atMost(DEADLINE).until(() -> load.statuses.size() > served + 20);
        } finally {
            load.close();
        }
        assertTrue(load.statuses.stream().allMatch(status -> status == 200),
                "every request during the restart succeeded: " + load.statuses.stream().filter(st -> st != 200).toList());
        await().atMost(DEADLINE).until(() -> processMBeanPids("rolled").equals(livePids("rolled")));
        assertTrue(processMBeanPids("rolled").stream().noneMatch(before::contains), "no MBean of an old process is left");
    }

    @Test
    void scaleUpAndDownShowsInTheProcessMBeans() throws Exception {
        startReady(1, wsgi("scaled").minProcesses(1).maxProcesses(1));
        remote.invoke(appName("scaled"), "scale", new Object[] {3, 3}, new String[] {"int", "int"});
        awaitStatus("scaled", s -> s.ready() == 3);
        await().atMost(DEADLINE).until(() -> processMBeanPids("scaled").size() == 3);
        remote.invoke(appName("scaled"), "scale", new Object[] {1, 1}, new String[] {"int", "int"});
        awaitStatus("scaled", s -> s.processes() == 1);
        await().atMost(DEADLINE).until(() -> processMBeanPids("scaled").equals(livePids("scaled")));
        assertEquals(200, get("/hello").statusCode());
    }

    @Test
    void aDrainedAppAnswers503DrainingUntilItIsResumed() throws Exception {
        startReady(1, wsgi("drained"));
        remote.invoke(appName("drained"), "drain", null, null);
        HttpResponse<String> refused = get("/hello");
        assertEquals(503, refused.statusCode());
        assertEquals("draining", refused.headers().firstValue("X-Corral-Reason").orElse(null));
        assertEquals(true, remote.getAttribute(appName("drained"), "Draining"));
        remote.invoke(appName("drained"), "resume", null, null);
        assertEquals(200, get("/hello").statusCode());
        @SuppressWarnings("unchecked")
        Map<String, Long> byReason = toMap(remote.getAttribute(appName("drained"), "FailuresByReason"));
        assertEquals(1L, byReason.get("draining"));
    }

    @Test
    void detachingAProcessRetiresItAndItsMBeanGoes() throws Exception {
        AppStatus ready = startReady(2, wsgi("detached").minProcesses(2).maxProcesses(2));
        long pid = ready.processList().get(0).pid();
        ObjectName process = ObjectNames.process("detached", pid, 1);
        await().atMost(DEADLINE).until(() -> remote.isRegistered(process));
        assertEquals("READY", remote.getAttribute(process, "State"));
        assertEquals(true, remote.invoke(process, "detach", null, null));
        await().atMost(DEADLINE).until(() -> !remote.isRegistered(process));
        awaitStatus("detached", s -> s.ready() == 2 && s.processList().stream().noneMatch(p -> p.pid() == pid));
        assertFalse(logs.awaitMatching("process " + pid + " of app detached exited", "(stopped by Corral: detached by an operator)").isEmpty(),
                logs.lines().toString());
    }

    @Test
    void detachingByPidOnTheAppMBeanRetiresThatProcessAndAReplacementTakesItsPlace() throws Exception {
        AppStatus ready = startReady(2, wsgi("by-pid").minProcesses(2).maxProcesses(2));
        long pid = ready.processList().get(0).pid();
        long other = ready.processList().get(1).pid();
        assertEquals(true, remote.invoke(appName("by-pid"), "detach", new Object[] {pid}, new String[] {"long"}));
        assertEquals(false, remote.invoke(appName("by-pid"), "detach", new Object[] {pid}, new String[] {"long"}),
                "it takes no requests any more");
        await().atMost(DEADLINE).until(() -> !alive(pid));
        AppStatus after = awaitStatus("by-pid",
                s -> s.ready() == 2 && s.processList().stream().noneMatch(p -> p.pid() == pid));
        assertTrue(after.processList().stream().anyMatch(p -> p.pid() == other), "the other process serves on");
        await().atMost(DEADLINE).until(() -> processMBeanPids("by-pid").equals(livePids("by-pid")));
        assertFalse(processMBeanPids("by-pid").contains(pid), "no MBean of the detached process is left");
        assertFalse(logs.awaitMatching("process " + pid + " of app by-pid exited",
                "(stopped by Corral: detached by an operator)").isEmpty(), logs.lines().toString());
        assertEquals(200, get("/hello").statusCode());
    }

    @Test
    void aRestartAllAtOnceThroughJmxReplacesEveryProcess() throws Exception {
        startReady(2, wsgi("at-once").minProcesses(2).maxProcesses(2));
        Set<Long> before = pidsOf("at-once");
        int generation = (Integer) remote.getAttribute(appName("at-once"), "Generation");
        assertEquals(true, remote.invoke(appName("at-once"), "restart", new Object[] {false}, new String[] {"boolean"}));
        await().atMost(DEADLINE).until(() -> before.stream().noneMatch(ManagementContract::alive));
        AppStatus after = awaitStatus("at-once", s -> s.ready() == 2 && s.processes() == 2);
        after.processList().forEach(p -> assertFalse(before.contains(p.pid()), "old process " + p.pid() + " retired"));
        assertEquals(generation + 1, remote.getAttribute(appName("at-once"), "Generation"));
        await().atMost(DEADLINE).until(() -> processMBeanPids("at-once").equals(livePids("at-once")));
        assertTrue(processMBeanPids("at-once").stream().noneMatch(before::contains), "no MBean of an old process is left");
        assertEquals(200, get("/hello").statusCode());
    }

    @Test
    void aStartingProcessHasItsMBeanInStateStartingAndOneThatNeverListensLeavesNone() throws Exception {
        start(threaded("silent").env("TESTAPP_NEVER_LISTEN=1").spawnTimeout("5s"));
        await().atMost(DEADLINE).until(() -> !processMBeanPids("silent").isEmpty());
        long pid = processMBeanPids("silent").iterator().next();
        ObjectName process = ObjectNames.process("silent", pid, 1);
        for (MBeanAttributeInfo attribute : remote.getMBeanInfo(process).getAttributes()) {
            remote.getAttribute(process, attribute.getName());   // every one reads while it starts
        }
        assertEquals("STARTING", remote.getAttribute(process, "State"));
        assertEquals(pid, remote.getAttribute(process, "Pid"));
        assertEquals(0, remote.getAttribute(process, "Sessions"));
        assertEquals(false, remote.invoke(process, "detach", null, null), "a starting process takes no requests");
        assertEquals(1, remote.getAttribute(appName("silent"), "Spawning"));
        await().atMost(DEADLINE).until(() -> !remote.isRegistered(process));
        assertFalse(alive(pid), "its MBean went when the process had exited");
        assertTrue((Long) remote.getAttribute(appName("silent"), "SpawnFailures") >= 1);
        assertFalse(logs.awaitMatching("app [silent]", "AWAIT_LISTEN", "spawnTimeout=5s").isEmpty(), logs.lines().toString());
    }

    @Test
    void faultsSwitchOnAndOffAtRunTime() throws Exception {
        startReady(1, wsgi("faulty"));
        ObjectName faults = ObjectNames.faults("faulty", 1);
        remote.setAttribute(faults, new Attribute("Spec", "read-reset:1"));
        HttpResponse<String> cut = get("/hello");
        assertEquals(502, cut.statusCode());
        assertEquals("app_crashed", cut.headers().firstValue("X-Corral-Reason").orElse(null));
        RuntimeMBeanException refused = assertThrows(RuntimeMBeanException.class,
                () -> remote.setAttribute(faults, new Attribute("Spec", "read-reset:1,read-rest:1")));
        assertInstanceOf(IllegalArgumentException.class, refused.getCause());
        String message = refused.getCause().getMessage();
        assertTrue(message.startsWith("'faults' must be point:probability pairs separated by commas")
                && message.endsWith(", but was [read-reset:1,read-rest:1]: bad fault spec part [read-rest:1]"
                        + " (unknown fault point)"), message);
        assertEquals("read-reset:1.0", remote.getAttribute(faults, "Spec"), "the spec in force is unchanged");
        remote.invoke(faults, "off", null, null);
        assertEquals("", remote.getAttribute(faults, "Spec"));
        await().atMost(DEADLINE).until(() -> get("/hello").statusCode() == 200);
        @SuppressWarnings("unchecked")
        Map<String, Long> injected = toMap(remote.getAttribute(faults, "Injected"));
        assertEquals(4L, injected.get("read-reset"), "an unanswered GET is tried on another process: 1 try + retries=3");
    }

    /** An MXBean map arrives as TabularData of key/value rows. */
    @SuppressWarnings("rawtypes")
    private static Map toMap(Object tabular) {
        javax.management.openmbean.TabularData table = (javax.management.openmbean.TabularData) tabular;
        Map<Object, Object> map = new java.util.HashMap<>();
        for (Object row : table.values()) {
            javax.management.openmbean.CompositeData data = (javax.management.openmbean.CompositeData) row;
            map.put(data.get("key"), data.get("value"));
        }
        return map;
    }
}
