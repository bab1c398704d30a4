package dev.corral.examples;

import dev.corral.pool.App;
import dev.corral.pool.Corral;
import dev.corral.pool.ProcessStatus;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.management.ObjectName;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@code corral} command against the demo, in-process: real Jetty, real Python processes,
 * real remote JMX on a loopback port; the command runs as {@link CorralCommand#run} would from
 * {@code java -jar corral-demo.jar}, and each test checks what it printed and what it changed.
 */
class CorralCommandTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Demo demo;
    private String jmx;

    @BeforeAll
    static void needsPython() throws Exception {
        boolean python;
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            python = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            python = false;
        }
        assumeTrue(python, "python3 is not on the PATH");
    }

    @BeforeEach
    void startTheDemoWithRemoteJmx() throws Exception {
        demo = Demo.start(DemoOptions.parse("--host", "127.0.0.1", "--port", "0", "--jmx-port", "0"));
        jmx = "127.0.0.1:" + demo.jmx().port();
        awaitReadyProcesses(2);
    }

    @AfterEach
    void stopTheDemo() {
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    @Timeout(60)
    void statusPrintsTheEngineThenEachAppWithItsProcessesLikePassengerStatus() {
        List<Long> pids = readyPids();

        CommandRun run = corral("status");

        assertEquals(0, run.status(), run::toString);
        assertEquals("", run.err());
        assertTrue(run.out().startsWith("Corral " + Corral.version() + " at JMX " + jmx + "\n  apps: demo\n  processes 2 "),
                run::toString);
        assertTrue(run.out().contains("\n\napp demo\n  processes 2 (READY 2)"), run::toString);
        assertTrue(run.out().contains(" maxProcesses=4 "), run::toString);
        for (long pid : pids) {
            assertTrue(run.out().lines().anyMatch(line -> line.startsWith("  " + pid + " ") && line.contains(" READY ")),
                    pid + " missing: " + run);
        }

        CommandRun one = corral("status", "demo");

        assertEquals(0, one.status(), one::toString);
        assertTrue(one.out().contains("\n\napp demo\n"), one::toString);
    }

    @Test
    @Timeout(60)
    void statusReadsTheStatusEndpointWithUrlAsTextAsJsonAndForOneApp() throws Exception {
        demo.close();
        demo = Demo.start(DemoOptions.parse("--host", "127.0.0.1", "--port", "0", "--set", "statusPath=/corral-status"));
        awaitReadyProcesses(2);
        String url = demo.uri().resolve("/corral-status").toString();
        List<Long> pids = readyPids();

        CommandRun text = CommandRun.corral("status", "--url", url);
        assertEquals(0, text.status(), text::toString);
        assertTrue(text.out().startsWith("Corral " + Corral.version() + ", run directory "), text::toString);
        assertTrue(text.out().contains("  app demo\n"), text::toString);
        for (long pid : pids) {
            assertTrue(text.out().contains("  " + pid + " "), pid + " missing: " + text);
        }

        CommandRun json = CommandRun.corral("status", "demo", "--url", url, "--json");
        assertEquals(0, json.status(), json::toString);
        Map<?, ?> document = (Map<?, ?>) MiniJson.parse(json.out());
        assertEquals(1L, ((Number) document.get("version")).longValue());
        assertEquals("demo", ((Map<?, ?>) ((List<?>) document.get("apps")).get(0)).get("name"));

        CommandRun unknown = CommandRun.corral("status", "blog", "--url", url);
        assertEquals(1, unknown.status(), unknown::toString);
        assertEquals("corral: no app named [blog] (apps: demo)\n", unknown.err());
    }

    @Test
    @Timeout(60)
    void statusJsonHoldsTheEngineAndEveryAppsAttributesByTheirJmxNamesWithItsProcesses() {
        Set<Long> pids = new TreeSet<>(readyPids());

        CommandRun run = corral("status", "--json");

        assertEquals(0, run.status(), run::toString);
        assertEquals("", run.err());
        Map<?, ?> document = (Map<?, ?>) MiniJson.parse(run.out());
        assertEquals(List.of("version", "corral", "runDir", "maxPoolProcesses", "apps"), List.copyOf(document.keySet()));
        assertEquals(1L, document.get("version"));
        assertEquals(Corral.version(), document.get("corral"));
        assertEquals(0L, document.get("maxPoolProcesses"));
        List<?> apps = (List<?>) document.get("apps");
        assertEquals(1, apps.size());
        Map<?, ?> app = (Map<?, ?>) apps.get(0);
        assertEquals("name", app.keySet().iterator().next(), "name comes first");
        assertEquals("demo", app.get("name"));
        assertEquals(2L, app.get("minProcesses"));
        assertEquals(4L, app.get("maxProcesses"));
        assertEquals(false, app.get("draining"));
        assertEquals(0L, app.get("queued"));
        assertEquals(Map.of("READY", 2L), nonZero((Map<?, ?>) app.get("processesByState")));
        assertEquals("4", ((Map<?, ?>) app.get("settings")).get("maxProcesses"));
        for (String attribute : List.of("busy", "capacity", "crashes", "failed", "failuresByReason", "generation",
                "idleTimeout", "lastError", "maxQueue", "queueTimeout", "queueWaitP99Millis", "rejected", "served")) {
            assertTrue(app.containsKey(attribute), attribute + " missing from " + app.keySet());
        }
        List<?> processList = (List<?>) app.get("processList");
        Set<Long> listed = new TreeSet<>();
        for (Object process : processList) {
            Map<?, ?> attributes = (Map<?, ?>) process;
            listed.add((Long) attributes.get("pid"));
            assertEquals("READY", attributes.get("state"));
            assertTrue(attributes.containsKey("residentBytes") && attributes.containsKey("address"), attributes::toString);
        }
        assertEquals(pids, listed);

        CommandRun one = corral("status", "demo", "--json");

        assertEquals(0, one.status(), one::toString);
        assertEquals("demo", ((Map<?, ?>) ((List<?>) ((Map<?, ?>) MiniJson.parse(one.out())).get("apps")).get(0)).get("name"));
    }

    @ParameterizedTest(name = "rolling={0}")
    @ValueSource(booleans = {true, false})
    @Timeout(60)
    void restartReplacesEveryProcess(boolean rolling) {
        List<Long> before = readyPids();
        int generation = app().status().generation();

        CommandRun run = rolling ? corral("restart", "demo") : corral("restart", "demo", "--all-at-once");

        assertEquals(0, run.status(), run::toString);
        assertEquals("app [demo]: " + (rolling ? "rolling restart started (one process at a time)"
                : "restart started (every process at once)") + "; 'status demo' shows the progress\n", run.out());
        await().atMost(DEADLINE).until(() -> !app().status().restarting() && readyPids().size() == 2
                && Collections.disjoint(readyPids(), before));
        assertTrue(app().status().generation() > generation);
    }

    @Test
    @Timeout(60)
    void scaleSetsMinAndMaxProcesses() {
        CommandRun run = corral("scale", "demo", "1", "3");

        assertEquals(0, run.status(), run::toString);
        assertEquals("app [demo]: minProcesses 1, maxProcesses 3\n", run.out());
        assertEquals(1, app().config().minProcesses());
        assertEquals(3, app().config().maxProcesses());
    }

    @Test
    @Timeout(60)
    void aRefusedScaleExitsWith1WithTheServersMessageAndChangesNothing() {
        CommandRun run = corral("scale", "demo", "3", "1");

        assertEquals(1, run.status(), run::toString);
        assertEquals("corral: 'minProcesses' must be an integer 0..1 (at most maxProcesses), but was [3]\n", run.err());
        assertEquals("", run.out());
        assertEquals(2, app().config().minProcesses());
        assertEquals(4, app().config().maxProcesses());
    }

    @Test
    @Timeout(60)
    void drainAnswers503DrainingUntilResume() throws Exception {
        CommandRun drain = corral("drain", "demo");

        assertEquals(0, drain.status(), drain::toString);
        assertEquals("app [demo]: draining: new requests are answered 503 until resume\n", drain.out());
        HttpResponse<String> drained = get();
        assertEquals(503, drained.statusCode(), drained::body);
        assertEquals("draining", drained.headers().firstValue("X-Corral-Reason").orElse(""));

        CommandRun resume = corral("resume", "demo");

        assertEquals(0, resume.status(), resume::toString);
        assertEquals("app [demo]: taking new requests again\n", resume.out());
        HttpResponse<String> served = get();
        assertEquals(200, served.statusCode(), served::body);
    }

    @Test
    @Timeout(60)
    void detachRetiresTheProcessWithThatPidAndMinProcessesBringsAReplacement() {
        long pid = readyPids().get(0);

        CommandRun run = corral("detach", Long.toString(pid));

        assertEquals(0, run.status(), run::toString);
        assertEquals("process " + pid + ": detached; it finishes its requests, then stops\n", run.out());
        await().atMost(DEADLINE).until(() -> !allPids().contains(pid) && readyPids().size() == 2);
    }

    @Test
    @Timeout(60)
    void detachOfAnUnknownPidExitsWith1ListingTheProcesses() {
        List<Long> pids = readyPids();
        Collections.sort(pids);

        CommandRun run = corral("detach", "999999999");

        assertEquals(1, run.status(), run::toString);
        assertEquals("corral: no process with pid [999999999] (processes: "
                + pids.stream().map(pid -> "demo " + pid).collect(Collectors.joining(", ")) + ")\n", run.err());
    }

    @Test
    @Timeout(60)
    void faultsSetsTheSpecAndOffClearsIt() {
        CommandRun on = corral("faults", "demo", "connect:0.5");

        assertEquals(0, on.status(), on::toString);
        assertEquals("connect:0.5", app().faults().spec().toString());
        assertEquals("app [demo]: faults connect:0.5 (seed " + app().faults().seed() + ")\n", on.out());

        CommandRun bad = corral("faults", "demo", "connect:2");

        assertEquals(1, bad.status(), bad::toString);
        assertTrue(bad.err().startsWith("corral: 'faults' must be "), bad::toString);
        assertEquals(1, bad.err().lines().count(), bad::toString);
        assertEquals("connect:0.5", app().faults().spec().toString());

        CommandRun off = corral("faults", "demo", "off");

        assertEquals(0, off.status(), off::toString);
        assertEquals("app [demo]: faults off\n", off.out());
        assertEquals("", app().faults().spec().toString());
    }

    @Test
    @Timeout(60)
    void anUnknownAppExitsWith1NamingTheAppsThereAre() {
        for (String line : List.of("status blog", "status blog --json", "restart blog", "scale blog 1 2", "drain blog",
                "resume blog", "faults blog off")) {
            CommandRun run = corral(line.split(" "));

            assertEquals(1, run.status(), line + ": " + run);
            assertEquals("corral: no app named [blog] (apps: demo)\n", run.err(), line);
            assertEquals("", run.out(), line);
        }
        assertFalse(app().draining());
    }

    /** Runs the command against the demo's JMX. */
    private CommandRun corral(String... args) {
        return CommandRun.corral(Stream.concat(Stream.of(args), Stream.of("--jmx", jmx)).toArray(String[]::new));
    }

    private HttpResponse<String> get() throws Exception {
        return client.send(HttpRequest.newBuilder(demo.uri()).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private App app() {
        return demo.corral().apps().get(0);
    }

    private List<Long> readyPids() {
        List<Long> pids = new ArrayList<>();
        for (ProcessStatus process : app().status().processList()) {
            if (process.state().equals("READY")) {
                pids.add(process.pid());
            }
        }
        return pids;
    }

    private List<Long> allPids() {
        return app().status().processList().stream().map(ProcessStatus::pid).toList();
    }

    /**
     * Until {@code n} processes are ready and there are {@code n} process MBeans: no other process
     * starts or stops (its MBean is registered as it spawns, and goes when it has exited).
     */
    private void awaitReadyProcesses(int n) {
        await().atMost(DEADLINE).until(() -> {
            List<Long> ready = readyPids();
            return ready.size() == n && ManagementFactory.getPlatformMBeanServer()
                    .queryNames(new ObjectName("dev.corral:type=Process,app=demo,*"), null).size() == n;
        });
    }

    private static Map<Object, Object> nonZero(Map<?, ?> counts) {
        return counts.entrySet().stream().filter(e -> ((Long) e.getValue()) != 0)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
