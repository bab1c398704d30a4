package dev.corral.tomcat;

import dev.corral.config.AppSettings;
import dev.corral.config.ConfigException;
import dev.corral.pool.App;
import dev.corral.pool.AppStatus;
import dev.corral.pool.Corral;
import dev.corral.testing.LogCapture;
import dev.corral.testing.RawHttp;
import dev.corral.testing.TestApps;

import org.apache.tomcat.util.IntrospectionUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import javax.management.ObjectName;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What is particular to Tomcat: the valve at Host level with no Context (blocking mode, and a
 * WebSocket switched without one), server.xml attribute handling, and the client poll that
 * notices a queued client leaving, in both modes. Uses the generic threaded test app, and the
 * Node one for the WebSocket.
 */
class CorralValveTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path tmp;
    private Path appRoot;
    private TomcatFixture tomcat;
    private URI base;
    private LogCapture logs;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void installApps() {
        appRoot = TestApps.install(tmp.resolve("app"));
        logs = new LogCapture();
    }

    @AfterEach
    void stopTomcat() throws Exception {
        if (tomcat != null) {
            tomcat.close();
        }
        logs.close();
    }

    private void start(boolean rootContext, int maxThreads, AppSettings... apps) throws Exception {
        tomcat = new TomcatFixture(rootContext);
        base = tomcat.start(List.of(apps), maxThreads);
    }

    private AppStatus awaitStatus(String app, Predicate<AppStatus> condition) {
        return await().atMost(DEADLINE).pollInterval(Duration.ofMillis(10))
                .until(() -> tomcat.corral().app(app).orElseThrow().status(), condition::test);
    }

    private HttpResponse<String> get(String target) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(target)).timeout(DEADLINE).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> getAsync(String target) {
        return http.sendAsync(HttpRequest.newBuilder(base.resolve(target)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void hostLevelValveWithNoContextServesRequestsByBlocking() throws Exception {
        AppSettings app = TestApps.threaded("app", appRoot);
        app.setPathPrefix("/app");
        app.setMaxProcesses("1");
        start(false, 8, app);
        assertEquals(200, get("/app/sleep?ms=1").statusCode());
        List<CompletableFuture<HttpResponse<String>>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(getAsync("/app/sleep?ms=50"));
        }
        for (CompletableFuture<HttpResponse<String>> response : queued) {
            assertEquals(200, response.get(30, TimeUnit.SECONDS).statusCode());
        }
        assertEquals(404, get("/other").statusCode(), "with no Context, Tomcat's Host answers 404 for other paths");
        awaitStatus("app", s -> s.served() == 6);
    }

    @Test
    void hostLevelValveWithNoContextServesStaticFilesThroughTomcat() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createDirectories(appRoot.resolve("public"));
        java.nio.file.Files.writeString(dir.resolve("a.txt"), "static text\n");
        java.nio.file.Files.createSymbolicLink(dir.resolve("link.txt"), dir.resolve("a.txt"));
        AppSettings app = TestApps.wsgi("site", appRoot);
        app.setPathPrefix("/site");
        app.setMinProcesses("0");
        start(false, 8, app);
        HttpResponse<String> file = get("/site/a.txt");
        assertEquals(200, file.statusCode());
        assertEquals("static text\n", file.body());
        String etag = file.headers().firstValue("ETag").orElseThrow();
        assertTrue(etag.startsWith("W/"), "Tomcat's weak ETag: " + etag);
        assertEquals(304, RawHttp.exchange(base, "GET", "/site/a.txt", "If-None-Match: " + etag).status());
        RawHttp.Response range = RawHttp.exchange(base, "GET", "/site/a.txt", "Range: bytes=7-10");
        assertEquals(206, range.status());
        assertEquals("text", range.body());
        RawHttp.Response link = RawHttp.exchange(base, "GET", "/site/link.txt");
        assertEquals(404, link.status());
        assertEquals("path_refused", link.header("X-Corral-Reason"));
        AppStatus status = tomcat.corral().app("site").orElseThrow().status();
        assertEquals(0, status.processes(), status.toString());
        assertEquals(0, status.served(), status.toString());
    }

    @Test
    void hostLevelValveWithNoContextSwitchesAWebSocket() throws Exception {
        AppSettings app = TestApps.node("ws", appRoot);
        app.setMaxProcesses("1");
        app.setConcurrency("0");
        start(false, 8, app);
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket socket = http.newWebSocketBuilder().buildAsync(
                URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/chat"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        received.add(data.toString());
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                        closed.complete(code);
                        return null;
                    }
                }).get(20, TimeUnit.SECONDS);
        socket.sendText("no context needed", true).get(20, TimeUnit.SECONDS);
        assertEquals("no context needed", received.poll(20, TimeUnit.SECONDS));
        awaitStatus("ws", s -> s.busy() == 1);
        socket.sendClose(1000, "").get(20, TimeUnit.SECONDS);
        assertEquals(1000, closed.get(20, TimeUnit.SECONDS));
        awaitStatus("ws", s -> s.busy() == 0);
    }

    @Test
    void queuedRequestsHoldNoConnectorThread() throws Exception {
        AppSettings one = TestApps.threaded("one", appRoot);
        one.setMaxProcesses("1");
        start(true, 4, one);
        awaitStatus("one", s -> s.ready() == 1);
        CompletableFuture<HttpResponse<String>> busy = getAsync("/sleep?ms=2000");
        awaitStatus("one", s -> s.busy() == 1);
        List<CompletableFuture<HttpResponse<String>>> queued = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            queued.add(getAsync("/sleep?ms=10"));
        }
        awaitStatus("one", s -> s.queued() == 12);
        assertFalse(busy.isDone(), "12 requests queued behind a busy process with 4 connector threads");
        assertEquals(200, busy.get(30, TimeUnit.SECONDS).statusCode());
        for (CompletableFuture<HttpResponse<String>> response : queued) {
            assertEquals(200, response.get(30, TimeUnit.SECONDS).statusCode());
        }
    }

    @ParameterizedTest(name = "rootContext={0}")
    @ValueSource(booleans = {true, false})
    void clientThatDisconnectsWhileQueuedLeavesTheQueue(boolean rootContext) throws Exception {
        AppSettings one = TestApps.threaded("one", appRoot);
        one.setMaxProcesses("1");
        start(rootContext, 8, one);
        awaitStatus("one", s -> s.ready() == 1);
        CompletableFuture<HttpResponse<String>> busy = getAsync("/sleep?ms=6000");
        awaitStatus("one", s -> s.busy() == 1);
        Socket client = RawHttp.open(base, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        awaitStatus("one", s -> s.queued() == 1);
        client.close();
        awaitStatus("one", s -> s.queued() == 0);
        assertFalse(busy.isDone(), "the queue emptied because the client left, not because the slot freed");
        // the engine logs just after it took the request off the queue
        await().atMost(DEADLINE).until(() -> !logs.matching("reason=client_gone", "app=one").isEmpty());
        assertEquals(200, busy.get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(200, get("/sleep?ms=1").statusCode(), "the app serves the next request");
    }

    @Test
    void pipelinedRequestBehindAQueuedOneIsNotTakenForADisconnect() throws Exception {
        AppSettings one = TestApps.threaded("one", appRoot);
        one.setMaxProcesses("1");
        start(true, 8, one);
        awaitStatus("one", s -> s.ready() == 1);
        CompletableFuture<HttpResponse<String>> busy = getAsync("/sleep?ms=1500");
        awaitStatus("one", s -> s.busy() == 1);
        try (Socket client = RawHttp.open(base, "GET /sleep?ms=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /sleep?ms=2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) {
            String both = new String(client.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertEquals(2, both.split("HTTP/1.1 200 ", -1).length - 1, both);
        }
        assertEquals(200, busy.get(30, TimeUnit.SECONDS).statusCode());
        tomcat.close();   // the engine writes every pending request-failure line when it stops
        assertTrue(logs.matching("reason=client_gone").isEmpty(), logs.lines().toString());
    }

    @Test
    void valveOrderDoesNotMatterTheLongestPrefixWins() throws Exception {
        AppSettings root = TestApps.threaded("root", appRoot);
        AppSettings blog = TestApps.threaded("blog", appRoot);
        blog.setPathPrefix("/blog");
        start(true, 8, root, blog);
        assertEquals(200, get("/blog/sleep?ms=1").statusCode());
        assertEquals(200, get("/sleep?ms=1").statusCode());
        // the engine counts a request served just after the client has its response
        awaitStatus("blog", s -> s.served() == 1);
        awaitStatus("root", s -> s.served() == 1);
    }

    @Test
    void unknownAttributeFailsStartNamingIt() {
        CorralValve valve = TomcatFixture.valve(TestApps.threaded("app", appRoot));
        // what Tomcat's digester does for <Valve maxProcess="4" queueTimout="5s">
        assertFalse(IntrospectionUtils.setProperty(valve, "maxProcess", "4"));
        assertFalse(IntrospectionUtils.setProperty(valve, "queueTimout", "5s"));
        assertTrue(IntrospectionUtils.setProperty(valve, "maxQueue", "-1"));
        tomcat = new TomcatFixture();
        Exception failure = assertThrows(Exception.class, () -> tomcat.startValves(List.of(valve), 8));
        Throwable cause = failure;
        while (cause != null && !(cause instanceof ConfigException)) {
            cause = cause.getCause();
        }
        assertNotNull(cause, "a ConfigException, got " + failure);
        String message = cause.getMessage();
        assertTrue(message.contains("'maxQueue' must be an integer 0..1000000, but was [-1]"), message);
        assertTrue(message.contains("'maxProcess' is not an attribute of CorralValve; did you mean 'maxProcesses'? (set to [4])"),
                message);
        assertTrue(message.contains("'queueTimout' is not an attribute of CorralValve; did you mean 'queueTimeout'? (set to [5s])"),
                message);
    }

    @Test
    void settersRefuseChangesAfterStart() throws Exception {
        CorralValve valve = TomcatFixture.valve(TestApps.threaded("app", appRoot));
        tomcat = new TomcatFixture();
        base = tomcat.startValves(List.of(valve), 8);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> valve.setMaxProcesses("3"));
        assertEquals("Cannot change maxProcesses after start: CorralValve[name=app, container=localhost]", refused.getMessage());
    }

    @Test
    void twoValvesShareOneEngineUntilTheLastStops() throws Exception {
        AppSettings a = TestApps.threaded("a", appRoot);
        a.setPathPrefix("/a");
        AppSettings b = TestApps.threaded("b", appRoot);
        b.setPathPrefix("/b");
        start(true, 8, a, b);
        assertEquals(2, tomcat.corral().apps().size());
        assertEquals(200, get("/a/sleep?ms=1").statusCode());
        assertEquals(200, get("/b/sleep?ms=1").statusCode());
        List<Long> pids = new ArrayList<>();
        tomcat.corral().apps().forEach(app -> app.status().processList().forEach(p -> pids.add(p.pid())));
        tomcat.close();
        tomcat = null;
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "process " + pid + " stopped");
        }
    }

    @Test
    void stoppingOneValveStopsItsAppsProcessesAtOnceWhileTheOtherServesOn() throws Exception {
        AppSettings a = TestApps.threaded("a", appRoot);
        a.setPathPrefix("/a");
        a.setMinProcesses("2");
        AppSettings b = TestApps.threaded("b", appRoot);
        b.setPathPrefix("/b");
        CorralValve valveA = TomcatFixture.valve(a);
        CorralValve valveB = TomcatFixture.valve(b);
        tomcat = new TomcatFixture();
        base = tomcat.startValves(List.of(valveA, valveB), 8);
        Corral engine = valveB.getCorral();
        await().atMost(DEADLINE).until(() -> engine.app("a").orElseThrow().status().ready() == 2);
        assertEquals(200, get("/a/sleep?ms=1").statusCode());
        assertEquals(200, get("/b/sleep?ms=1").statusCode());
        List<Long> pidsOfA = new ArrayList<>();
        engine.app("a").orElseThrow().status().processList().forEach(p -> {
            pidsOfA.add(p.pid());
            pidsOfA.add(p.processGroup());   // its lifeline
        });
        ObjectName appA = valveA.getAppObjectName();
        assertTrue(ManagementFactory.getPlatformMBeanServer().isRegistered(appA), appA.toString());

        valveA.stop();

        await().atMost(DEADLINE).until(() -> pidsOfA.stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
        assertEquals(List.of("b"), engine.apps().stream().map(App::name).toList(), "the stopped valve's app left the engine");
        assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(appA), "and JMX");
        assertEquals(404, get("/a/sleep?ms=1").statusCode(), "its requests go on down the pipeline (to ROOT)");
        assertEquals(200, get("/b/sleep?ms=1").statusCode(), "the other app serves on");
        assertFalse(logs.matching("app [a] removed").isEmpty(), logs.lines().toString());

        valveA.start();   // the same valve again: its app is added anew, to the same engine
        assertEquals(200, get("/a/sleep?ms=1").statusCode());
        assertTrue(engine.app("a").isPresent());
        assertTrue(engine.app("a").orElseThrow().status().processList().stream().noneMatch(p -> pidsOfA.contains(p.pid())),
                "with new processes");
    }

    @Test
    void duplicateAppNamesFailStart() {
        AppSettings first = TestApps.threaded("same", appRoot);
        first.setPathPrefix("/one");
        AppSettings second = TestApps.threaded("same", appRoot);
        second.setPathPrefix("/two");
        tomcat = new TomcatFixture();
        Exception failure = assertThrows(Exception.class, () -> tomcat.start(List.of(first, second), 8));
        Throwable cause = failure;
        while (cause != null && !(cause instanceof ConfigException)) {
            cause = cause.getCause();
        }
        assertNotNull(cause, "a ConfigException, got " + failure);
        assertTrue(cause.getMessage().startsWith("'name' must be unique among the CorralValves of this JVM (CorralValve[name=same, "),
                cause.getMessage());
    }
}
