package dev.corral.pool.internal;

import dev.corral.config.AppSettings;
import dev.corral.jmx.ObjectNames;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import javax.management.Attribute;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's MBeans on a server of their own: names, descriptions, their life with the processes. */
class ManagementTest {
    @RegisterExtension
    final EngineHarness engine = new EngineHarness(0);
    private MBeanServer server;
    private Group app;

    @BeforeEach
    void setUp() {
        server = engine.mbeans;
        AppSettings settings = engine.settings("managed");
        settings.setMinProcesses("2");
        settings.setMaxProcesses("3");
        app = engine.add(settings);
        engine.start();
        engine.readyAll();
    }

    private Set<String> names() {
        return server.queryNames(ObjectNames.all(), null).stream().map(ObjectName::getCanonicalName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private Set<String> processNames() {
        return names().stream().filter(n -> n.contains("type=Process")).collect(Collectors.toCollection(TreeSet::new));
    }

    /** A name for every process whose OS process exists (pid -1: its launch has not started it yet), in any state. */
    private Set<String> expectedProcessNames() {
        return app.status().processList().stream().filter(p -> p.pid() >= 0)
                .map(p -> "dev.corral:app=managed,pid=" + p.pid() + ",type=Process")
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theEngineAppFaultsAndEachProcessHaveTheirNames() {
        Set<String> expected = new TreeSet<>(Set.of("dev.corral:type=Engine", "dev.corral:name=managed,type=App",
                "dev.corral:app=managed,type=Faults"));
        expected.addAll(expectedProcessNames());
        assertEquals(expected, names());
        assertEquals(2, processNames().size());
    }

    @Test
    void everyAttributeReadsAndEveryOneHasADescription() throws Exception {
        for (ObjectName name : server.queryNames(ObjectNames.all(), null)) {
            MBeanInfo info = server.getMBeanInfo(name);
            assertFalse(info.getDescription().isBlank(), name.toString());
            for (MBeanAttributeInfo attribute : info.getAttributes()) {
                assertFalse(attribute.getDescription().startsWith("Attribute exposed"), name + " " + attribute.getName());
                server.getAttribute(name, attribute.getName());   // throws if it cannot be read
            }
            for (MBeanOperationInfo operation : info.getOperations()) {
                assertFalse(operation.getDescription().startsWith("Operation exposed"), name + " " + operation.getName());
            }
        }
        ObjectName appName = ObjectNames.app("managed", 1);
        assertEquals(2, server.getAttribute(appName, "Processes"));
        TabularData byState = (TabularData) server.getAttribute(appName, "ProcessesByState");
        assertEquals(2, ((CompositeData) byState.get(new Object[] {"READY"})).get("value"));
        MBeanOperationInfo scale = java.util.Arrays.stream(server.getMBeanInfo(appName).getOperations())
                .filter(op -> op.getName().equals("scale")).findFirst().orElseThrow();
        assertEquals("minProcesses", scale.getSignature()[0].getName(), "parameters have their names");
        assertEquals("maxProcesses", scale.getSignature()[1].getName());
    }

    @Test
    void writableAttributesTakeEffectAtOnceAndABadValueIsRefusedNamingTheSetting() throws Exception {
        ObjectName appName = ObjectNames.app("managed", 1);
        server.setAttribute(appName, new Attribute("MaxQueue", 7));
        assertEquals(7, app.config().maxQueue());
        server.setAttribute(appName, new Attribute("QueueTimeout", "45s"));
        assertEquals(Duration.ofSeconds(45), app.config().queueTimeout());
        server.setAttribute(appName, new Attribute("MinProcesses", 3));
        assertEquals(3, engine.launcher.launches.size(), "a third process spawns at once");
        RuntimeMBeanException refused = assertThrows(RuntimeMBeanException.class,
                () -> server.setAttribute(appName, new Attribute("MaxMemory", "lots")));
        assertInstanceOf(IllegalArgumentException.class, refused.getCause());
        assertTrue(refused.getCause().getMessage().contains("'maxMemory' must be a size such as 512MB or 2GB"),
                refused.getCause().getMessage());
        assertEquals("0", server.getAttribute(appName, "MaxMemory"), "unchanged");

        ObjectName faults = ObjectNames.faults("managed", 1);
        server.setAttribute(faults, new Attribute("Spec", "connect:0.5"));
        assertEquals("connect:0.5", app.faults().spec().toString());
        RuntimeMBeanException badSpec = assertThrows(RuntimeMBeanException.class,
                () -> server.setAttribute(faults, new Attribute("Spec", "conect:0.5,latency:0.1,spawn:2")));
        assertInstanceOf(IllegalArgumentException.class, badSpec.getCause());
        assertEquals("'faults' must be " + dev.corral.fault.FaultSpec.ALLOWED + ", but was [conect:0.5,latency:0.1,spawn:2]:"
                + " bad fault spec part [conect:0.5] (unknown fault point), [latency:0.1] (latency needs @duration,"
                + " e.g. latency:0.05@200ms), [spawn:2] (probability must be a number 0..1)", badSpec.getCause().getMessage());
        assertEquals("connect:0.5", server.getAttribute(faults, "Spec"), "the spec in force is unchanged");
        server.invoke(faults, "off", null, null);
        assertTrue(app.faults().spec().isNone());

        ObjectName engineName = ObjectNames.engine(1);
        server.setAttribute(engineName, new Attribute("MaxPoolProcesses", 10));
        assertEquals(10, server.getAttribute(engineName, "MaxPoolProcesses"));
        assertThrows(RuntimeMBeanException.class, () -> server.setAttribute(engineName, new Attribute("MaxPoolProcesses", -1)));
    }

    @Test
    void operationsActOnTheApp() throws Exception {
        ObjectName appName = ObjectNames.app("managed", 1);
        server.invoke(appName, "drain", null, null);
        assertEquals(true, server.getAttribute(appName, "Draining"));
        server.invoke(appName, "resume", null, null);
        assertEquals(false, server.getAttribute(appName, "Draining"));
        server.invoke(appName, "scale", new Object[] {1, 2}, new String[] {"int", "int"});
        assertEquals(1, app.config().minProcesses());
        long pid = app.status().processList().get(0).pid();
        assertEquals(true, server.invoke(appName, "detach", new Object[] {pid}, new String[] {"long"}));
        assertEquals(true, server.invoke(appName, "restart", new Object[] {true}, new String[] {"boolean"}));
        String text = (String) server.invoke(appName, "statusText", null, null);
        assertTrue(text.startsWith("app managed"), text);
        String dump = (String) server.invoke(ObjectNames.engine(1), "dump", null, null);
        assertTrue(dump.startsWith("Corral ") && dump.contains("  app managed"), dump);
    }

    @Test
    void processMBeansComeAndGoWithTheProcessesThroughManyRecycles() throws Exception {
        app.change(java.util.Map.of("maxRequests", "1"));
        int startingSeen = 0;
        for (int i = 0; i < 40; i++) {
            engine.request(app, "/r" + i);
            engine.forwards.runAll();
            assertEquals(expectedProcessNames(), processNames(), "after request " + i + ", before its replacement starts");
            for (FakeLauncher.Launch launch : engine.launcher.pending()) {
                launch.start();
                ObjectName starting = ObjectNames.process("managed", launch.process.pid(), 1);
                assertEquals("STARTING", server.getAttribute(starting, "State"), "registered as it spawns");
                startingSeen++;
            }
            assertEquals(expectedProcessNames(), processNames(), "after request " + i + ", its replacement starting");
            engine.readyAll();
            assertEquals(expectedProcessNames(), processNames(), "after request " + i);
        }
        assertTrue(engine.launcher.launches.size() > 30, "processes were recycled: " + engine.launcher.launches.size());
        assertTrue(startingSeen > 30, "replacements seen starting: " + startingSeen);
        assertEquals(2, processNames().size(), "only the live processes: " + processNames());
        ObjectName one = new ObjectName(processNames().iterator().next());
        assertEquals("READY", server.getAttribute(one, "State"));
        assertEquals(true, server.invoke(one, "detach", null, null));
        assertFalse(server.isRegistered(one), "gone with its process");
    }

    @Test
    void aStartingProcessIsAnMBeanInStateStartingAndASpawnThatFailsLeavesNone() throws Exception {
        server.setAttribute(ObjectNames.app("managed", 1), new Attribute("MinProcesses", 3));
        FakeLauncher.Launch timedOut = engine.launcher.pending().get(0);
        assertEquals(2, processNames().size(), "no MBean before the OS process exists");
        timedOut.start();
        ObjectName starting = ObjectNames.process("managed", timedOut.os.pid(), 1);
        assertTrue(server.isRegistered(starting), "registered as it spawns: " + processNames());
        engine.advance(Duration.ofMillis(1500));
        for (MBeanAttributeInfo attribute : server.getMBeanInfo(starting).getAttributes()) {
            server.getAttribute(starting, attribute.getName());   // every one reads while it starts
        }
        assertEquals("STARTING", server.getAttribute(starting, "State"));
        assertEquals(timedOut.os.pid(), server.getAttribute(starting, "Pid"));
        assertEquals(1500L, server.getAttribute(starting, "UptimeMillis"), "since it was spawned");
        assertEquals(1500L, server.getAttribute(starting, "IdleMillis"), "no request yet: since it was spawned");
        assertEquals(0, server.getAttribute(starting, "Sessions"));
        assertEquals(0L, server.getAttribute(starting, "Processed"));
        assertEquals("", server.getAttribute(starting, "LastCheck"));
        assertEquals(-1L, server.getAttribute(starting, "LastCheckAgoMillis"));
        assertEquals(app.config().concurrency(), server.getAttribute(starting, "Concurrency"));
        assertEquals(false, server.invoke(starting, "detach", null, null), "a starting process takes no requests");
        assertEquals(1, server.getAttribute(ObjectNames.app("managed", 1), "Spawning"));

        timedOut.fail(SpawnException.Step.AWAIT_LISTEN, "it did not listen within spawnTimeout", true);
        assertEquals(java.util.List.of("TERM"), timedOut.os.signals, "Corral stopped it");
        assertFalse(server.isRegistered(starting), "gone with its process: " + processNames());

        engine.advance(Duration.ofSeconds(30));   // the back-off after a failed spawn
        FakeLauncher.Launch exitedEarly = engine.launcher.pending().get(0).start();
        ObjectName second = ObjectNames.process("managed", exitedEarly.os.pid(), 1);
        assertEquals("STARTING", server.getAttribute(second, "State"));
        exitedEarly.os.exit(1);
        exitedEarly.fail(SpawnException.Step.AWAIT_LISTEN, "it exited before it listened", false);
        assertFalse(server.isRegistered(second), "gone with its process: " + processNames());

        engine.advance(Duration.ofSeconds(30));
        engine.launcher.pending().get(0).fail(SpawnException.Step.EXEC, "fork/exec failed", false);
        assertEquals(expectedProcessNames(), processNames());
        assertEquals(2, processNames().size(), "the two ready processes alone: " + processNames());
        assertEquals(3L, server.getAttribute(ObjectNames.app("managed", 1), "SpawnFailures"));
    }

    @Test
    void aProcessThatExitsBeforeItsRegistrationRunsLeavesNoMBean() {
        Management management = new Management(server);
        FakeLauncher.Launch launch = engine.launcher.launches.get(0);
        management.processGone(launch.process);
        management.processStarted(app, launch.process);
        management.processPidKnown(app, launch.process);
        assertFalse(server.isRegistered(ObjectNames.process("managed", launch.process.pid(), management.instance())));
    }

    @Test
    void closingTheEngineUnregistersEveryMBeanAndASecondEngineGetsItsOwnNames() throws Exception {
        try (EngineHarness second = new EngineHarness(0)) {
            Management management = new Management(server);
            assertEquals(2, management.instance(), "the first engine holds the plain names");
            assertNotEquals(0, names().size());
        }
        engine.close();
        assertEquals(Set.of(), names());
    }
}
