package dev.corral.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fleet on one machine: two Corral containers (the demo's embedded Jetty, each in its own JVM,
 * each serving the same small WSGI app) behind a real HAProxy, configured by the README's
 * "Beyond one machine" block with loopback addresses, which balances on Corral's agent-check.
 * All on loopback. In order: saturating container a moves new traffic to b; draining a sends it
 * no new request and loses none in flight on it; {@code kill -9} of a costs only the requests in
 * flight on it, and takes its app processes with it.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetIT {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String STATUS = "/corral-status";
    private static final String APP = """
            import os
            import time
            from urllib.parse import parse_qs

            NAME = os.environ.get("CONTAINER", "?")


            def application(environ, start_response):
                path = environ.get("PATH_INFO", "/")
                if path == "/slow":
                    ms = int(parse_qs(environ.get("QUERY_STRING", "")).get("ms", ["1000"])[0])
                    time.sleep(ms / 1000.0)
                body = ("%s %s\\n" % (NAME, path)).encode()
                start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body))),
                                          ("X-Served-By", NAME)])
                return [body]
            """;

    private Path dir;
    private Container a;
    private Container b;
    private Haproxy haproxy;
    private final ExecutorService clients = Executors.newFixedThreadPool(8);
    /** The containers' run directories: nobody removes a killed container's. */
    private final List<Path> runDirs = new ArrayList<>();

    /** One Corral JVM: its ports and process. */
    private record Container(String name, int port, int agentPort, int jmxPort, ExternalProcess process) {
    }

    @BeforeAll
    void startTheFleet() throws Exception {
        String binary = Haproxy.binary();
        Assumptions.assumeTrue(binary != null,
                "FleetIT needs HAProxy (Debian's package haproxy: apt-get install haproxy); no haproxy binary on the PATH "
                        + "nor in /usr/sbin");
        dir = It.freshDir("fleet");
        a = start("a");
        b = start("b");
        for (Container c : List.of(a, b)) {
            It.await("container " + c.name() + " ready (/ready 200)", Duration.ofSeconds(60),
                    () -> It.get(c.port(), STATUS + "/ready", Duration.ofSeconds(5)).statusCode() == 200,
                    c.process()::logTail);
        }
        String config = Haproxy.fromReadme(Readme.load().block("haproxy-fleet"), dir.resolve("haproxy.sock"),
                It.freePort(), Map.of("c1", new int[]{a.port(), a.agentPort()}, "c2", new int[]{b.port(), b.agentPort()}));
        haproxy = Haproxy.start(binary, dir, config);
        awaitServer("c1", "UP", 100);
        awaitServer("c2", "UP", 100);
    }

    private Container start(String name) throws IOException {
        Path appRoot = Files.createDirectories(dir.resolve("app-" + name));
        Files.writeString(appRoot.resolve("app.py"), APP);
        int port = It.freePort();
        int agentPort = It.freePort();
        int jmxPort = It.freePort();
        ProcessBuilder builder = new ProcessBuilder(It.java(), "-Dcorral.selfCheck=true", "-jar",
                It.location("corral.it.demoJar").toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--jmx-port", Integer.toString(jmxPort),
                "--set", "name=fleet", "--set", "appRoot=" + appRoot, "--set", "entryPoint=app:application",
                "--set", "minProcesses=2", "--set", "maxProcesses=2", "--set", "maxQueue=20",
                "--set", "env=CONTAINER=" + name, "--set", "runDir=" + runDir(),
                "--set", "statusPath=" + STATUS, "--set", "agentPort=" + agentPort)
                .directory(dir.toFile());
        return new Container(name, port, agentPort, jmxPort,
                ExternalProcess.start("corral-" + name, builder, dir.resolve("corral-" + name + ".log")));
    }

    private Path runDir() throws IOException {
        Path runDir = It.shortRunDir();
        runDirs.add(runDir);
        return runDir;
    }

    @AfterAll
    void stopTheFleet() throws Exception {
        clients.shutdownNow();
        if (haproxy != null) {
            haproxy.close();
        }
        for (Container c : new Container[]{a, b}) {
            if (c != null) {
                c.process().close();
            }
        }
        runDirs.forEach(It::deleteTree);
    }

    @Test
    @Order(1)
    void saturatingOneContainerShiftsNewTrafficToTheOther() throws Exception {
        Map<String, Integer> before = servedBy(through(20, "/hello"));
        assertTrue(before.getOrDefault("a", 0) >= 5 && before.getOrDefault("b", 0) >= 5,
                () -> "with equal weights both containers serve: " + before);

        // both of a's processes busy, straight to a (HAProxy does not see them): its agent says 10%
        List<Future<Reply>> slow = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            slow.add(clients.submit(() -> Reply.get(a.port(), "/slow?ms=6000")));
        }
        awaitServer("c1", "UP", 10);
        List<Reply> during = through(40, "/hello");
        Map<String, Integer> after = servedBy(during);
        assertTrue(during.stream().allMatch(r -> r.status() == 200), () -> "every request answered: " + during);
        assertTrue(after.getOrDefault("a", 0) <= 10 && after.getOrDefault("b", 0) >= 30,
                () -> "with a's weight at 10% of b's, b serves most: " + after + " (before: " + before + ")");
        for (Future<Reply> f : slow) {
            assertEquals(200, f.get(30, TimeUnit.SECONDS).status());
        }
        awaitServer("c1", "UP", 100);
    }

    @Test
    @Order(2)
    void aDrainedContainerGetsNoNewRequestAndFinishesThoseInFlight() throws Exception {
        List<Future<Reply>> inFlight = slowUntil("a request in flight on container a", 5000, () -> inFlight(a) >= 1);

        try (RemoteJmx jmx = new RemoteJmx(a.jmxPort())) {
            jmx.connection().invoke(new ObjectName("dev.corral:type=Engine"), "drain", null, null);
        }
        awaitServer("c1", "DRAIN", -1);
        var ready = It.get(a.port(), STATUS + "/ready");
        assertEquals(503, ready.statusCode(), ready.body());
        assertEquals("not ready: the engine is draining\n", ready.body());

        List<Reply> whileDrained = through(20, "/hello");
        assertEquals(Map.of("b", 20), servedBy(whileDrained), () -> "a drained container gets nothing new: " + whileDrained);
        List<Reply> finished = new ArrayList<>();
        for (Future<Reply> f : inFlight) {
            finished.add(f.get(60, TimeUnit.SECONDS));
        }
        assertTrue(finished.stream().allMatch(r -> r.status() == 200), () -> "none lost: " + finished);
        assertTrue(servedBy(finished).getOrDefault("a", 0) >= 1, () -> "some were in flight on a: " + finished);

        try (RemoteJmx jmx = new RemoteJmx(a.jmxPort())) {
            jmx.connection().invoke(new ObjectName("dev.corral:type=Engine"), "resume", null, null);
        }
        awaitServer("c1", "UP", 100);
    }

    @Test
    @Order(3)
    void killingOneContainerCostsOnlyItsRequestsInFlight() throws Exception {
        List<ProcEntry> tree = a.process().descendants();
        Set<Long> groups = a.process().descendantGroups();
        assertEquals(2, groups.size(), () -> "one lifeline process group per app process of a:" + It.list(tree));

        List<Future<Reply>> inFlight = slowUntil("requests in flight on both containers", 6000,
                () -> inFlight(a) >= 1 && inFlight(b) >= 1);
        int onA = inFlight(a);

        a.process().process().destroyForcibly();   // kill -9: no shutdown hook, no drain
        assertTrue(a.process().process().waitFor(10, TimeUnit.SECONDS), "container a survived SIGKILL");

        List<Reply> after = through(20, "/hello");
        assertTrue(after.stream().allMatch(r -> r.status() == 200), () -> "requests after the kill all answered: " + after);
        assertEquals(Map.of("b", 20), servedBy(after), () -> "b serves everything after the kill: " + after);
        List<Reply> finished = new ArrayList<>();
        for (Future<Reply> f : inFlight) {
            finished.add(f.get(30, TimeUnit.SECONDS));
        }
        long failed = finished.stream().filter(r -> r.status() != 200).count();
        assertEquals(onA, failed, () -> "only the " + onA + " requests in flight on a fail: " + finished);
        assertTrue(finished.stream().filter(r -> r.status() == 200).allMatch(r -> "b".equals(r.servedBy())),
                () -> finished.toString());

        It.await("no app process of container a left after its kill -9 (the lifelines)", Duration.ofSeconds(10),
                () -> ExternalProcess.survivors(tree, groups).stream().allMatch(ProcEntry::zombie),
                () -> "\nleft:" + It.list(ExternalProcess.survivors(tree, groups)));
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Slow requests through HAProxy, one more each time the last one is seen in flight, until
     * {@code enough} holds (at most 8: HAProxy, not the test, picks their container).
     */
    private List<Future<Reply>> slowUntil(String what, int millis, java.util.concurrent.Callable<Boolean> enough)
            throws Exception {
        List<Future<Reply>> inFlight = new ArrayList<>();
        for (int i = 1; i <= 8 && !enough.call(); i++) {
            inFlight.add(clients.submit(() -> Reply.get(haproxy.port(), "/slow?ms=" + millis)));
            int sent = i;
            It.await("slow request " + sent + " in flight", DEADLINE, () -> inFlight(a) + inFlight(b) >= sent,
                    () -> diagnosis(inFlight));
        }
        assertTrue(enough.call(), () -> what + diagnosis(inFlight));
        return inFlight;
    }

    /** {@code n} requests through HAProxy, 8 at a time. */
    private List<Reply> through(int n, String path) throws Exception {
        List<Future<Reply>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(clients.submit(() -> Reply.get(haproxy.port(), path)));
        }
        List<Reply> replies = new ArrayList<>();
        for (Future<Reply> f : futures) {
            replies.add(f.get(60, TimeUnit.SECONDS));
        }
        return replies;
    }

    private static Map<String, Integer> servedBy(List<Reply> replies) {
        Map<String, Integer> counts = new TreeMap<>();
        replies.forEach(r -> counts.merge(String.valueOf(r.servedBy()), 1, Integer::sum));
        return counts;
    }

    private String diagnosis(List<Future<Reply>> inFlight) {
        StringBuilder text = new StringBuilder("\nrequests: ");
        inFlight.forEach(f -> text.append(f.isDone() ? String.valueOf(done(f)) : "running").append("; "));
        try {
            text.append("\nin flight a=").append(inFlight(a)).append(" b=").append(inFlight(b));
            text.append("\nHAProxy:\n").append(haproxy.command("show stat"));
        } catch (Exception e) {
            text.append(e);
        }
        return text + haproxy.logTail() + a.process().logTail();
    }

    private static Object done(Future<Reply> future) {
        try {
            return future.get(0, TimeUnit.SECONDS);
        } catch (Exception e) {
            return e;
        }
    }

    /** Requests in flight on the container's app (on a process, or in its queue), from its status JSON. */
    private static int inFlight(Container c) throws Exception {
        String json = It.get(c.port(), STATUS + "?format=json", Duration.ofSeconds(5)).body();
        return count(json, "busy") + count(json, "queued");
    }

    private static int count(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + field + " in " + json);
        }
        return Integer.parseInt(m.group(1));
    }

    /**
     * Waits until HAProxy shows the server in {@code status} ({@code UP}, {@code DRAIN}: HAProxy
     * adds why, as in {@code DRAIN (agent)}) with {@code weight} (-1: any).
     */
    private void awaitServer(String server, String status, int weight) {
        It.await("HAProxy's server " + server + " " + status + (weight < 0 ? "" : " with weight " + weight), DEADLINE,
                () -> {
                    Haproxy.ServerState s = haproxy.server("corral", server);
                    return s.status().startsWith(status) && (weight < 0 || s.weight() == weight);
                },
                () -> "\nHAProxy: " + haproxy.serverOrError("corral", server) + haproxy.logTail()
                        + a.process().logTail() + b.process().logTail());
    }
}
