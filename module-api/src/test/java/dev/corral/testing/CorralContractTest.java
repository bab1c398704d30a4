package dev.corral.testing;

import dev.corral.config.AppSettings;
import dev.corral.config.ConfigException;
import dev.corral.pool.App;
import dev.corral.pool.AppStatus;
import dev.corral.pool.ProcessStatus;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request-path contract of Corral, run against every container adapter: a subclass only
 * says how to start its container ({@link #newFixture()}). A behaviour added to the engine gets
 * its test here, so the adapters cannot drift apart.
 *
 * <p>Real parts throughout: real Python processes, real sockets, a real container. Waits are on
 * conditions with deadlines, never plain sleeps.
 */
public abstract class CorralContractTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path tmp;
    protected Path appRoot;
    protected ContainerFixture container;
    protected URI base;
    protected LogCapture logs;
    protected HttpClient http;

    /** A fresh, stopped container of the adapter under test. */
    protected abstract ContainerFixture newFixture();

    @BeforeEach
    void setUpApps() {
        appRoot = TestApps.install(tmp.resolve("app"));
        logs = new LogCapture();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stopContainer() throws Exception {
        Set<Long> pids = new HashSet<>();
        if (container != null && container.corral() != null) {
            container.corral().apps().forEach(app -> app.status().processList().forEach(p -> pids.add(p.pid())));
        }
        if (container != null) {
            container.close();
        }
        logs.close();
        // stopping the container stops every app process and its children
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "process " + pid + " still alive after the container stopped");
        }
    }

    protected URI start(int maxThreads, AppSettings... apps) throws Exception {
        container = newFixture();
        base = container.start(List.of(apps), maxThreads);
        return base;
    }

    protected App app(String name) {
        return container.corral().app(name).orElseThrow();
    }

    protected AppStatus awaitStatus(String name, Predicate<AppStatus> condition) {
        return await().atMost(DEADLINE).pollInterval(Duration.ofMillis(10)).until(() -> app(name).status(), condition::test);
    }

    protected HttpResponse<String> get(String target) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(target)).timeout(DEADLINE).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    protected CompletableFuture<HttpResponse<String>> getAsync(String target) {
        return http.sendAsync(HttpRequest.newBuilder(base.resolve(target)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    // ------------------------------------------------------------------ serving

    @Test
    void servesWsgiAppFromMinProcessesPooledProcesses() throws Exception {
        AppSettings demo = TestApps.wsgi("demo", appRoot);
        demo.setMinProcesses("2");
        demo.setMaxProcesses("3");
        start(32, demo);
        AppStatus status = awaitStatus("demo", s -> s.ready() == 2);
        Set<String> pids = new HashSet<>();
        for (ProcessStatus process : status.processList()) {
            pids.add(Long.toString(process.pid()));
        }
        HttpResponse<String> response = get("/hello");
        assertEquals(200, response.statusCode());
        assertTrue(response.body().startsWith("hello from demo pid "), response.body());
        // Corral reports the pid of the Python process that answered, and the process group it runs in
        String appPid = response.headers().firstValue("X-Pid").orElseThrow();
        assertTrue(pids.contains(appPid), "the answering pid " + appPid + " is one Corral reports: " + pids);
        long group = Long.parseLong(Files.readString(Path.of("/proc/" + appPid + "/stat")).split(" ")[4]);
        assertTrue(status.processList().stream().anyMatch(p -> p.processGroup() == group), "process group " + group);
    }

    @Test
    void servesNodeAppThatListensOnItsOwnPortThroughTheBundledLoader() throws Exception {
        AppSettings node = TestApps.node("nodeapp", appRoot);
        node.setMaxProcesses("2");
        start(32, node);
        HttpResponse<String> response = get("/hi?x=1");
        assertEquals(200, response.statusCode());
        assertTrue(response.body().startsWith("hello from node nodeapp pid "), response.body());
        assertTrue(response.body().trim().endsWith("/hi?x=1"), response.body());
        String pid = response.headers().firstValue("X-Pid").orElseThrow();
        assertTrue(app("nodeapp").status().processList().stream().anyMatch(p -> Long.toString(p.pid()).equals(pid)),
                "Corral reports the node process " + pid);
    }

    @Test
    void aKeepAliveConnectionTheAppClosedWhileIdleIsNotReused() throws Exception {
        // Corral checks an idle connection before reuse only once it has been idle for a second
        // (the check costs a third of a small request); this app closes idle ones after 1.2 s
        AppSettings node = TestApps.node("closer", appRoot);
        node.setMaxProcesses("1");
        node.setEnv("TESTAPP_KEEPALIVE_MS=1200");
        start(32, node);
        HttpResponse<String> first = get("/one");
        assertEquals(200, first.statusCode());
        assertFalse(logs.awaitMatching("testapp: closed an idle connection after /one").isEmpty(), logs.lines().toString());
        HttpResponse<String> second = get("/two");
        assertEquals(200, second.statusCode(), second.body());
        assertEquals(first.headers().firstValue("X-Pid"), second.headers().firstValue("X-Pid"), "the same process serves on");
        assertTrue(logs.matching("request failed").isEmpty(), logs.lines().toString());
    }

    @Test
    void routesByPathPrefixAndVirtualHostAndPassesOtherRequestsOn() throws Exception {
        AppSettings blog = TestApps.wsgi("blog", appRoot);
        blog.setPathPrefix("/blog");
        AppSettings shop = TestApps.wsgi("shop", appRoot);
        shop.setVirtualHosts("shop.example");
        start(32, blog, shop);
        assertTrue(get("/blog/hello").body().startsWith("hello from blog"));
        String seen = get("/blog/x/headers?a=b").body();
        assertTrue(seen.contains("\"SCRIPT_NAME\": \"/blog\"") && seen.contains("\"PATH_INFO\": \"/x/headers\""),
                "a WSGI app under a prefix sees it as SCRIPT_NAME: " + seen);
        assertEquals(404, get("/other").statusCode(), "a path no app serves goes to the container");
        RawHttp.Response viaHost = RawHttp.exchange(base, "GET", "/x", "Host: shop.example");
        assertTrue(viaHost.body().startsWith("hello from shop"), viaHost.body());
        RawHttp.Response blogViaHost = RawHttp.exchange(base, "GET", "/blog/x", "Host: shop.example");
        assertTrue(blogViaHost.body().startsWith("hello from blog"), "the longer matching prefix wins");
    }

    @Test
    void concurrencyOneNeverSendsAProcessTwoRequestsAtOnce() throws Exception {
        Path state = Files.createDirectories(tmp.resolve("state"));
        AppSettings threaded = TestApps.threaded("threaded", appRoot);
        threaded.setMaxProcesses("3");
        threaded.setConcurrency("1");
        threaded.setEnv("TESTAPP_STATE_DIR=" + state);
        start(32, threaded);
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            responses.add(getAsync("/sleep?ms=20"));
        }
        Set<String> servedBy = new HashSet<>();
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            assertEquals(200, response.get(60, TimeUnit.SECONDS).statusCode());
            servedBy.add(response.get().body());
        }
        try (Stream<Path> files = Files.list(state)) {
            List<Path> maxima = files.filter(f -> f.getFileName().toString().startsWith("max-")).toList();
            assertFalse(maxima.isEmpty());
            for (Path max : maxima) {
                assertEquals("1", Files.readString(max), max.getFileName() + ": requests at once in one process");
            }
        }
        assertTrue(servedBy.size() <= 3, "at most maxProcesses processes: " + servedBy);
        assertTrue(servedBy.size() >= 2, "a busy pool grows past one process: " + servedBy);
    }

    @Test
    void unlimitedConcurrencySendsManyRequestsToOneProcess() throws Exception {
        Path state = Files.createDirectories(tmp.resolve("state"));
        AppSettings threaded = TestApps.threaded("threaded", appRoot);
        threaded.setMaxProcesses("1");
        threaded.setConcurrency("0");
        threaded.setEnv("TESTAPP_STATE_DIR=" + state);
        start(32, threaded);
        awaitStatus("threaded", s -> s.ready() == 1);
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            responses.add(getAsync("/sleep?ms=300"));
        }
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            assertEquals(200, response.get(60, TimeUnit.SECONDS).statusCode());
        }
        try (Stream<Path> files = Files.list(state)) {
            int max = Integer.parseInt(Files.readString(files.filter(f -> f.getFileName().toString().startsWith("max-"))
                    .findFirst().orElseThrow()));
            assertTrue(max > 1, "concurrency=0 lets one process take several requests at once, saw " + max);
        }
    }

    // ------------------------------------------------------------------ the queue

    @Test
    void fullQueueAnswers503WithRetryAfterAtOnce() throws Exception {
        AppSettings one = TestApps.wsgi("one", appRoot);
        one.setMaxProcesses("1");
        one.setMaxQueue("2");
        start(32, one);
        awaitStatus("one", s -> s.ready() == 1);
        CompletableFuture<HttpResponse<String>> busy = getAsync("/sleep?ms=3000");
        awaitStatus("one", s -> s.busy() == 1);
        CompletableFuture<HttpResponse<String>> queued1 = getAsync("/hello");
        CompletableFuture<HttpResponse<String>> queued2 = getAsync("/hello");
        awaitStatus("one", s -> s.queued() == 2);
        long before = System.nanoTime();
        HttpResponse<String> rejected = get("/hello");
        long tookMs = (System.nanoTime() - before) / 1_000_000;
        assertAll(
                () -> assertEquals(503, rejected.statusCode()),
                () -> assertTrue(rejected.headers().firstValue("Retry-After").isPresent(), "Retry-After"),
                () -> assertEquals("queue_full", rejected.headers().firstValue("X-Corral-Reason").orElse(null)),
                () -> assertTrue(rejected.body().contains("maxQueue=2"), rejected.body()),
                () -> assertTrue(tookMs < 2000, "rejected at once, not after the busy request: " + tookMs + " ms"));
        assertEquals(200, busy.get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(200, queued1.get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(200, queued2.get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(1, app("one").status().rejected());
        assertFalse(logs.awaitMatching("reason=queue_full", "app=one", "queued=").isEmpty(), logs.lines().toString());
    }

    @Test
    void requestWaitingPastQueueTimeoutGets503() throws Exception {
        AppSettings one = TestApps.wsgi("one", appRoot);
        one.setMaxProcesses("1");
        one.setQueueTimeout("300ms");
        start(32, one);
        awaitStatus("one", s -> s.ready() == 1);
        CompletableFuture<HttpResponse<String>> busy = getAsync("/sleep?ms=3000");
        awaitStatus("one", s -> s.busy() == 1);
        HttpResponse<String> late = get("/hello");
        assertEquals(503, late.statusCode());
        assertEquals("queue_timeout", late.headers().firstValue("X-Corral-Reason").orElse(null));
        assertTrue(late.headers().firstValue("Retry-After").isPresent());
        assertTrue(late.body().contains("queueTimeout=300ms"), late.body());
        assertEquals(200, busy.get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(1, app("one").status().timedOut());
    }

    @Test
    void freedSlotTakesTheOldestWaitingRequest() throws Exception {
        AppSettings one = TestApps.wsgi("one", appRoot);
        one.setMaxProcesses("1");
        start(32, one);
        awaitStatus("one", s -> s.ready() == 1);
        CompletableFuture<HttpResponse<String>> busy = getAsync("/sleep?ms=1000");
        awaitStatus("one", s -> s.busy() == 1);
        List<String> finished = new CopyOnWriteArrayList<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String tag = "r" + i;
            all.add(getAsync("/sleep?ms=30&tag=" + tag).thenRun(() -> finished.add(tag)));
            int queued = i + 1;
            awaitStatus("one", s -> s.queued() == queued);
        }
        assertEquals(200, busy.get(30, TimeUnit.SECONDS).statusCode());
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertEquals(List.of("r0", "r1", "r2", "r3", "r4", "r5"), finished);
    }

    @Test
    void clientThatDisconnectsWhileQueuedLeavesTheQueueAtOnce() throws Exception {
        AppSettings one = TestApps.wsgi("one", appRoot);
        one.setMaxProcesses("1");
        start(32, one);
        awaitStatus("one", s -> s.ready() == 1);
        CompletableFuture<HttpResponse<String>> busy = getAsync("/sleep?ms=8000");
        awaitStatus("one", s -> s.busy() == 1);
        Socket client = RawHttp.open(base, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        awaitStatus("one", s -> s.queued() == 1);
        client.close();
        long before = System.nanoTime();
        awaitStatus("one", s -> s.queued() == 0);
        assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(5), "left the queue before the slot freed");
        assertFalse(busy.isDone(), "the queue emptied because the client left, not because the slot freed");
        assertFalse(logs.awaitMatching("reason=client_gone", "app=one").isEmpty(), logs.lines().toString());
        assertEquals(200, busy.get(30, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void thousandConcurrentRequestsAreServedBy32ContainerThreads() throws Exception {
        AppSettings pool = TestApps.wsgi("pool", appRoot);
        pool.setMinProcesses("4");
        pool.setMaxProcesses("4");
        pool.setMaxQueue("2000");
        start(32, pool);
        awaitStatus("pool", s -> s.ready() == 4);
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            responses.add(getAsync("/sleep?ms=2"));
        }
        int ok = 0;
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            ok += response.get(120, TimeUnit.SECONDS).statusCode() == 200 ? 1 : 0;
        }
        assertEquals(1000, ok);
        assertEquals(1000, app("pool").status().served());
    }

    // ------------------------------------------------------------------ forwarding

    @Test
    void setsForwardedHeadersAndStripsHopByHopOnes() throws Exception {
        start(32, TestApps.wsgi("demo", appRoot));
        RawHttp.Response response = RawHttp.exchange(base, "GET", "/headers?q=1",
                "Keep-Alive: timeout=5", "X-Drop-Me: secret", "Connection: X-Drop-Me", "X-Kept: kept",
                "X-Forwarded-For: 10.9.9.9", "Proxy-Connection: keep-alive");
        assertEquals(200, response.status());
        String body = response.body();
        assertAll(
                () -> assertTrue(body.contains("\"HTTP_X_FORWARDED_FOR\": \"10.9.9.9, 127.0.0.1\""), body),
                () -> assertTrue(body.contains("\"HTTP_X_FORWARDED_PROTO\": \"http\""), body),
                () -> assertTrue(body.contains("\"HTTP_X_FORWARDED_HOST\": \"127.0.0.1:" + base.getPort() + "\""), body),
                () -> assertTrue(body.contains("\"HTTP_FORWARDED\": \"for=127.0.0.1;host=\\\"127.0.0.1:" + base.getPort()
                        + "\\\";proto=http\""), body),
                () -> assertTrue(body.contains("\"HTTP_X_REQUEST_ID\""), body),
                () -> assertTrue(body.contains("\"HTTP_X_KEPT\": \"kept\""), body),
                () -> assertTrue(body.contains("\"QUERY_STRING\": \"q=1\""), body),
                () -> assertFalse(body.contains("X_DROP_ME"), body),
                () -> assertFalse(body.contains("HTTP_KEEP_ALIVE"), body),
                () -> assertFalse(body.contains("HTTP_PROXY_CONNECTION"), body),
                () -> assertEquals("yes", response.header("X-App-Header")));
    }

    @Test
    void streamsLargeBodiesBothWays() throws Exception {
        start(32, TestApps.wsgi("demo", appRoot));
        long size = 200L * 1024 * 1024;
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] block = new byte[64 * 1024];
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) (i * 31);
        }
        for (long sent = 0; sent < size; sent += block.length) {
            digest.update(block);
        }
        String expected = HexFormat.of().formatHex(digest.digest());
        HttpRequest upload = HttpRequest.newBuilder(base.resolve("/echo")).timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> new InputStream() {
                    long left = size;
                    int at;

                    @Override
                    public int read() {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public int read(byte[] b, int off, int len) {
                        if (left == 0) {
                            return -1;
                        }
                        int n = (int) Math.min(Math.min(len, left), block.length - at);
                        System.arraycopy(block, at, b, off, n);
                        at = (at + n) % block.length;
                        left -= n;
                        return n;
                    }
                }))).build();
        HttpResponse<String> echoed = http.send(upload, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, echoed.statusCode());
        assertEquals("{\"length\": " + size + ", \"sha256\": \"" + expected + "\"}", echoed.body());

        HttpResponse<InputStream> download = http.send(HttpRequest.newBuilder(base.resolve("/big?mb=200"))
                .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, download.statusCode());
        long received = 0;
        try (InputStream in = download.body()) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                received += n;
            }
        }
        assertEquals(size, received);
    }

    @Test
    void aStreamedResponseReachesTheClientAsItComes() throws Exception {
        // Corral holds back small bodies with a Content-Length until complete, never a stream
        Path state = Files.createDirectories(tmp.resolve("state"));
        AppSettings threaded = TestApps.threaded("threaded", appRoot);
        threaded.setEnv("TESTAPP_STATE_DIR=" + state);
        start(32, threaded);
        try (Socket socket = RawHttp.open(base, "GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) {
            socket.setSoTimeout((int) DEADLINE.toMillis());
            InputStream in = socket.getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buffer = new byte[1024];
            while (seen.indexOf("first") < 0) {
                int n = in.read(buffer);   // times out (the test fails) if the first chunk is held back
                assertTrue(n > 0, "the stream ended before its first chunk: " + seen);
                seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
            assertTrue(seen.toString().startsWith("HTTP/1.1 200"), seen.toString());
            Files.writeString(state.resolve("release-stream"), "go");
            int n;
            while ((n = in.read(buffer)) > 0) {
                seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
            assertTrue(seen.toString().replaceAll("\r\n[0-9a-f]+\r\n", "").contains("firstlast"), seen.toString());
        }
    }

    @Test
    void chunkedRequestBodyReachesTheApp() throws Exception {
        start(32, TestApps.wsgi("demo", appRoot));
        try (Socket socket = RawHttp.open(base, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")) {
            RawHttp.Response response = RawHttp.read(socket.getInputStream());
            assertEquals(200, response.status());
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest("hello world".getBytes(StandardCharsets.UTF_8)));
            assertEquals("{\"length\": 11, \"sha256\": \"" + sha + "\"}", response.body());
        }
    }

    @Test
    void malformedOrTruncatedAppResponseIs502() throws Exception {
        start(32, TestApps.threaded("threaded", appRoot));
        HttpResponse<String> garbage = get("/garbage");
        assertEquals(502, garbage.statusCode());
        assertEquals("bad_response", garbage.headers().firstValue("X-Corral-Reason").orElse(null));
        // a small response is read whole before any of it goes out: cut short, it is a clean 502
        HttpResponse<String> truncated = get("/truncated");
        assertEquals(502, truncated.statusCode(), truncated.body());
        assertEquals("app_crashed", truncated.headers().firstValue("X-Corral-Reason").orElse(null));
        assertFalse(logs.awaitMatching("reason=app_crashed", "app=threaded", "/truncated ").isEmpty(), logs.lines().toString());
        // a larger one streams: cut short after its first bytes reached the client, it can only be aborted
        assertThrows(IOException.class, () -> get("/truncated-large"));
        assertFalse(logs.awaitMatching("reason=app_crashed", "app=threaded", "/truncated-large").isEmpty(), logs.lines().toString());
        assertEquals(200, get("/sleep?ms=1").statusCode(), "the app is served again afterwards");
    }

    // ------------------------------------------------------------------ recycling

    @Test
    void processIsRecycledAfterMaxRequestsWithoutLosingARequest() throws Exception {
        AppSettings worn = TestApps.wsgi("worn", appRoot);
        worn.setMinProcesses("1");
        worn.setMaxProcesses("1");
        worn.setMaxRequests("5");
        start(32, worn);
        List<String> pids = new ArrayList<>();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() - deadline < 0 && pids.stream().distinct().count() < 3 && pids.size() < 2000) {
            HttpResponse<String> response = get("/hello");
            assertEquals(200, response.statusCode(), "request " + pids.size());
            pids.add(response.headers().firstValue("X-Pid").orElseThrow());
        }
        List<String> distinct = pids.stream().distinct().toList();
        assertEquals(3, distinct.size(), "worn processes are replaced: " + distinct);
        // the replacement starts first, so a worn process may serve a few more while it starts (maxRequests=5
        // jitters by at most 10%: 5 exactly); once replaced, it never serves again
        assertTrue(pids.stream().filter(distinct.get(0)::equals).count() >= 5, pids.toString());
        assertEquals(pids.lastIndexOf(distinct.get(0)) + 1, pids.indexOf(distinct.get(1)), "no interleaving: " + pids);
        assertFalse(logs.matching("recycling process " + distinct.get(0), "served 5 requests (maxRequests=5)").isEmpty(),
                logs.lines().toString());
        await().atMost(DEADLINE).until(() -> !logs.matching("process " + distinct.get(0), "exited", "(served").isEmpty());
    }

    @Test
    void idleProcessesAboveMinProcessesAreStopped() throws Exception {
        AppSettings idle = TestApps.wsgi("idle", appRoot);
        idle.setMinProcesses("1");
        idle.setMaxProcesses("3");
        idle.setIdleTimeout("1s");
        start(32, idle);
        List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            burst.add(getAsync("/sleep?ms=400"));
        }
        awaitStatus("idle", s -> s.ready() == 3);
        for (CompletableFuture<HttpResponse<String>> response : burst) {
            assertEquals(200, response.get(30, TimeUnit.SECONDS).statusCode());
        }
        AppStatus reaped = awaitStatus("idle", s -> s.processes() == 1);
        assertEquals(1, reaped.ready(), "minProcesses stay");
        assertEquals(2, logs.matching("recycling process", "idleTimeout=1s").size(), logs.lines().toString());
        assertEquals(200, get("/hello").statusCode());
    }

    @Test
    void requestRunningPastMaxRequestTimeGets504AndItsProcessIsReplaced() throws Exception {
        AppSettings slow = TestApps.wsgi("slow", appRoot);
        slow.setMinProcesses("1");
        slow.setMaxProcesses("1");
        slow.setMaxRequestTime("1s");
        start(32, slow);
        String before = get("/hello").headers().firstValue("X-Pid").orElseThrow();
        long started = System.nanoTime();
        HttpResponse<String> response = get("/sleep?ms=20000");
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals(504, response.statusCode());
        assertEquals("request_timeout", response.headers().firstValue("X-Corral-Reason").orElse(null));
        assertTrue(tookMs < 10_000, "answered when maxRequestTime passed, not when the app finished: " + tookMs + " ms");
        HttpResponse<String> after = get("/hello");
        assertEquals(200, after.statusCode());
        assertFalse(before.equals(after.headers().firstValue("X-Pid").orElseThrow()), "a new process serves");
        assertFalse(logs.matching("process " + before, "GET /sleep?ms=20000", "ran longer than maxRequestTime=1s").isEmpty(),
                logs.lines().toString());
        assertFalse(logs.awaitMatching("reason=request_timeout", "app=slow", "pid=" + before).isEmpty(), logs.lines().toString());
    }

    @Test
    void memoryLeakingProcessIsRecycledAtMaxMemory() throws Exception {
        AppSettings leaky = TestApps.wsgi("leaky", appRoot);
        leaky.setMinProcesses("1");
        leaky.setMaxProcesses("1");
        leaky.setMaxMemory("80MB");
        start(32, leaky);
        HttpResponse<String> leaked = get("/leak?mb=120");
        assertEquals(200, leaked.statusCode());
        String leaker = leaked.headers().firstValue("X-Pid").orElseThrow();
        await().atMost(DEADLINE).until(() -> !logs.matching("recycling process " + leaker, "exceeds maxMemory=80MB").isEmpty());
        await().atMost(DEADLINE).until(() -> {
            HttpResponse<String> response = get("/hello");
            return response.statusCode() == 200 && !leaker.equals(response.headers().firstValue("X-Pid").orElse(leaker));
        });
    }

    @Test
    void appThatKeepsCrashingRightAfterStartIsDamped() throws Exception {
        AppSettings crashy = TestApps.threaded("crashy", appRoot);
        crashy.setMinProcesses("1");
        crashy.setMaxProcesses("1");
        crashy.setEnv("TESTAPP_EXIT_AFTER_MS=100");
        start(32, crashy);
        // the first crashes come fast, then each waits twice as long: 0.5 s, 1 s, 2 s, 4 s ...
        await().atMost(DEADLINE).until(() -> logs.matching("of app crashy exited with exit code 5 after").size() >= 3);
        long exitsBefore = logs.matching("of app crashy exited with exit code 5 after").size();
        assertFalse(logs.matching("app [crashy] spawns again in").isEmpty(), logs.lines().toString());
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() - until < 0) {
            assertTrue(get("/sleep?ms=1").statusCode() > 0);
        }
        long exitsAfter = logs.matching("of app crashy exited with exit code 5 after").size();
        assertTrue(exitsAfter - exitsBefore <= 2, "crashes in 3 s of steady requests, once damped: " + (exitsAfter - exitsBefore));
    }

    @Test
    void spawningRampsUpOneTwoFourAtATime() throws Exception {
        AppSettings ramp = TestApps.wsgi("ramp", appRoot);
        ramp.setMinProcesses("1");
        ramp.setMaxProcesses("8");
        start(32, ramp);
        List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            burst.add(getAsync("/sleep?ms=500"));
        }
        for (CompletableFuture<HttpResponse<String>> response : burst) {
            assertEquals(200, response.get(60, TimeUnit.SECONDS).statusCode());
        }
        // replay the log: spawns may only run ahead of readiness by the doubling batch
        int spawned = 0;
        int ready = 0;
        int maxAhead = 0;
        List<Integer> aheadAtEachReady = new ArrayList<>();
        for (String line : logs.lines()) {
            if (line.contains("app [ramp]: spawning process #")) {
                spawned++;
                maxAhead = Math.max(maxAhead, spawned - ready);
            } else if (line.contains("of app ramp is ready")) {
                aheadAtEachReady.add(spawned - ready);
                ready++;
            }
        }
        assertEquals(8, spawned, "the burst grew the pool to maxProcesses: " + logs.lines());
        assertTrue(aheadAtEachReady.get(0) == 1, "the first spawn is alone: " + aheadAtEachReady);
        assertTrue(maxAhead <= 4, "never more than 1, 2, 4 spawns at once: at most " + maxAhead + " " + aheadAtEachReady);
    }

    @Test
    void appNeedingAProcessAtMaxPoolProcessesTakesAnotherAppsIdleOne() throws Exception {
        AppSettings first = TestApps.wsgi("first", appRoot);
        first.setMinProcesses("2");
        first.setMaxProcesses("2");
        AppSettings second = TestApps.wsgi("second", appRoot);
        second.setPathPrefix("/second");
        second.setMinProcesses("0");
        container = newFixture();
        base = container.start(List.of(first, second), 32, "2");
        awaitStatus("first", s -> s.ready() == 2);
        HttpResponse<String> response = get("/second/hello");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().startsWith("hello from second"), response.body());
        assertFalse(logs.matching("recycling process", "of app first", "evicted: app [second] needs a process",
                "maxPoolProcesses=2").isEmpty(), logs.lines().toString());
        AppStatus firstNow = awaitStatus("first", s -> s.processes() == 1);
        assertEquals(1, firstNow.ready(), "first keeps one process: the pool holds 2 in all");
        assertEquals(1, app("second").status().ready());
    }

    // ------------------------------------------------------------------ health

    /** The times (ms) at which a process received requests for {@code path}, from the test app's log. */
    private static List<Long> requestTimes(Path state, String pid, String path) throws IOException {
        Path log = state.resolve("requests-" + pid + ".log");
        if (!Files.exists(log)) {
            return List.of();
        }
        return Files.readAllLines(log).stream().map(line -> line.split(" "))
                .filter(f -> f.length == 2 && f[1].endsWith(path))
                .map(f -> (long) (Double.parseDouble(f[0]) * 1000)).toList();
    }

    private static List<Long> gaps(List<Long> times) {
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add(times.get(i) - times.get(i - 1));
        }
        return gaps;
    }

    @Test
    void failingHealthChecksMarkAProcessDownAfterFallAndItIsReplaced() throws Exception {
        Path state = Files.createDirectories(tmp.resolve("state"));
        AppSettings checked = TestApps.wsgi("checked", appRoot);
        checked.setEnv("TESTAPP_STATE_DIR=" + state);
        checked.setHealthPath("/health");
        checked.setHealthInterval("1s");
        checked.setHealthFastInterval("100ms");
        checked.setHealthFall("3");
        checked.setHealthRise("3");
        start(32, checked);
        AppStatus ready = awaitStatus("checked", s -> s.ready() == 1);
        String pid = Long.toString(ready.processList().get(0).pid());
        // rise: the process took traffic only after 3 passed checks at the fast interval
        assertEquals(200, get("/hello").statusCode());
        List<String> first = Files.readAllLines(state.resolve("requests-" + pid + ".log"));
        assertTrue(first.size() >= 4 && first.subList(0, 3).stream().allMatch(l -> l.endsWith(" /health")),
                "three checks before the first request: " + first);
        await().atMost(DEADLINE).until(() -> requestTimes(state, pid, "/health").size() >= 5);
        Files.writeString(appRoot.resolve("UNHEALTHY-" + pid), "");
        await().atMost(DEADLINE).until(() -> !logs.matching("process " + pid + " of app checked DOWN after 3 failed checks: "
                + "status 500 for /health").isEmpty());
        AppStatus replaced = awaitStatus("checked", s -> s.ready() == 1 && s.processes() == 1
                && s.processList().get(0).pid() != Long.parseLong(pid));
        assertEquals(200, get("/hello").statusCode());
        // the intervals, from the check timestamps the app recorded: inter while up, fastinter once failing
        List<Long> gaps = gaps(requestTimes(state, pid, "/health"));
        List<Long> rising = gaps.subList(0, 2);
        List<Long> failing = gaps.subList(gaps.size() - 2, gaps.size());
        List<Long> up = gaps.subList(3, gaps.size() - 3);
        assertTrue(rising.stream().allMatch(g -> g < 600), "fast checks while starting: " + gaps);
        assertTrue(!up.isEmpty() && up.stream().allMatch(g -> g >= 800 && g < 2500), "healthInterval=1s while up: " + gaps);
        assertTrue(failing.stream().allMatch(g -> g < 600), "healthFastInterval=100ms while failing: " + gaps);
        assertTrue(replaced.processList().get(0).pid() > 0);
    }

    @Test
    void downProcessFinishesItsRequestButTakesNoOtherAndIsCheckedAtTheDownInterval() throws Exception {
        Path state = Files.createDirectories(tmp.resolve("state"));
        AppSettings threaded = TestApps.threaded("downapp", appRoot);
        threaded.setMinProcesses("1");
        threaded.setMaxProcesses("1");
        threaded.setConcurrency("0");
        threaded.setEnv("TESTAPP_STATE_DIR=" + state);
        threaded.setHealthPath("/health");
        threaded.setHealthRise("1");
        threaded.setHealthFall("2");
        threaded.setHealthInterval("1s");
        threaded.setHealthFastInterval("100ms");
        threaded.setHealthDownInterval("400ms");
        start(32, threaded);
        AppStatus ready = awaitStatus("downapp", s -> s.ready() == 1);
        String pid = Long.toString(ready.processList().get(0).pid());
        CompletableFuture<HttpResponse<String>> inFlight = getAsync("/sleep?ms=4000");
        awaitStatus("downapp", s -> s.busy() == 1);
        Files.writeString(appRoot.resolve("UNHEALTHY-" + pid), "");
        await().atMost(DEADLINE).until(() -> !logs.matching("process " + pid + " of app downapp DOWN after 2 failed checks")
                .isEmpty());
        List<String> servedBy = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> response = get("/sleep?ms=1");
            assertEquals(200, response.statusCode());
            servedBy.add(response.body());
        }
        assertFalse(servedBy.contains(pid), "a DOWN process takes no new request: " + servedBy);
        HttpResponse<String> finished = inFlight.get(30, TimeUnit.SECONDS);
        assertEquals(200, finished.statusCode(), "the request it was serving still completes");
        assertEquals(pid, finished.body());
        List<Long> checks = requestTimes(state, pid, "/health");
        List<Long> gaps = gaps(checks);
        List<Long> down = gaps.subList(gaps.size() - 3, gaps.size());
        assertTrue(down.stream().allMatch(g -> g >= 250 && g < 900), "healthDownInterval=400ms while down: " + gaps);
    }

    /** Sends GET /hello for {@code millis} and counts the answers from {@code pid}: [from pid, total]. */
    private int[] shareOf(String pid, long millis) throws Exception {
        int[] counts = new int[2];
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() - until < 0) {
            HttpResponse<String> response = get("/hello");
            assertEquals(200, response.statusCode());
            counts[0] += pid.equals(response.headers().firstValue("X-Pid").orElse("")) ? 1 : 0;
            counts[1]++;
        }
        return counts;
    }

    @Test
    void slowStartRampsUpTheShareOfANewProcess() throws Exception {
        AppSettings slow = TestApps.wsgi("slow", appRoot);
        slow.setMinProcesses("2");
        slow.setMaxProcesses("2");
        slow.setSlowStart("3s");
        start(32, slow);
        awaitStatus("slow", s -> s.ready() == 2);
        Set<Long> first = pidsOf("slow");
        shareOf("-", 3500); // the first two ramp up together, past slowStart
        assertEquals(502, get("/crash").statusCode());
        AppStatus replaced = awaitStatus("slow", s -> s.ready() == 2
                && s.processList().stream().anyMatch(p -> !first.contains(p.pid())));
        String fresh = replaced.processList().stream().filter(p -> !first.contains(p.pid()))
                .map(p -> Long.toString(p.pid())).findFirst().orElseThrow();
        int[] early = shareOf(fresh, 600);
        shareOf(fresh, 3000);
        int[] late = shareOf(fresh, 1500);
        assertTrue(early[1] > 20 && early[0] < early[1] * 0.3,
                "a new process gets little traffic at first: " + early[0] + " of " + early[1]);
        assertTrue(late[0] > late[1] * 0.35, "and its full share once slowStart has passed: " + late[0] + " of " + late[1]);
    }

    @Test
    void errorLimitMarksAProcessThatKeepsAnswering5xxDown() throws Exception {
        AppSettings erring = TestApps.wsgi("erring", appRoot);
        erring.setMinProcesses("1");
        erring.setMaxProcesses("1");
        erring.setErrorLimit("3");
        start(32, erring);
        String pid = null;
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = get("/fail");
            assertEquals(500, response.statusCode(), "the app's own 500 is passed on");
            pid = response.headers().firstValue("X-Pid").orElseThrow();
        }
        String failing = pid;
        // the third answer reaches the client before its process is judged
        await().atMost(DEADLINE).until(() -> !logs.matching("process " + failing
                + " of app erring DOWN after 3 errors in a row (errorLimit=3)").isEmpty());
        await().atMost(DEADLINE).until(() -> !failing.equals(get("/hello").headers().firstValue("X-Pid").orElse(failing)));
    }

    @Test
    void failedConnectIsRetriedOnAnotherProcessUpToRetries() throws Exception {
        AppSettings two = TestApps.wsgi("two", appRoot);
        two.setMinProcesses("2");
        two.setMaxProcesses("2");
        start(32, two);
        AppStatus ready = awaitStatus("two", s -> s.ready() == 2);
        ProcessStatus broken = ready.processList().get(0);
        Files.delete(Path.of(broken.address()));  // alive, but nobody can connect to it any more
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response = get("/hello");
            assertEquals(200, response.statusCode());
            assertFalse(response.headers().firstValue("X-Pid").orElseThrow().equals(Long.toString(broken.pid())));
        }
        assertFalse(logs.matching("connect to process " + broken.pid() + " of app two failed").isEmpty(), logs.lines().toString());
    }

    @Test
    void withNoRetriesAFailedConnectIs502() throws Exception {
        AppSettings single = TestApps.wsgi("single", appRoot);
        single.setMinProcesses("1");
        single.setMaxProcesses("1");
        single.setRetries("0");
        start(32, single);
        AppStatus ready = awaitStatus("single", s -> s.ready() == 1);
        Files.delete(Path.of(ready.processList().get(0).address()));
        HttpResponse<String> response = get("/hello");
        assertEquals(502, response.statusCode());
        assertEquals("connect_failed", response.headers().firstValue("X-Corral-Reason").orElse(null));
    }

    // ------------------------------------------------------------------ sticky sessions

    private HttpResponse<String> getWithCookie(String target, String cookie) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(target)).timeout(DEADLINE);
        if (cookie != null) {
            request.header("Cookie", "theme=dark; " + cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> getWithCookieAsync(String target, String cookie) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(target)).timeout(Duration.ofSeconds(60));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String routeCookie(HttpResponse<?> response) {
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow(() -> new AssertionError("no Set-Cookie"));
        assertTrue(setCookie.startsWith("corral_route=") && setCookie.contains("Path=/") && setCookie.contains("HttpOnly"),
                setCookie);
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private static String pid(HttpResponse<?> response) {
        return response.headers().firstValue("X-Pid").orElseThrow();
    }

    @Test
    void stickyRequestsReturnToTheirProcessUntilItIsGone() throws Exception {
        AppSettings sticky = TestApps.wsgi("sticky", appRoot);
        sticky.setMinProcesses("3");
        sticky.setMaxProcesses("3");
        sticky.setStickySessions("true");
        start(32, sticky);
        awaitStatus("sticky", s -> s.ready() == 3);
        HttpResponse<String> first = getWithCookie("/hello", null);
        String cookie = routeCookie(first);
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> again = getWithCookie("/hello", cookie);
            assertEquals(pid(first), pid(again), "sticky to its process");
            assertTrue(again.headers().firstValue("Set-Cookie").isEmpty(), "a valid cookie is not set again");
        }
        assertEquals(502, getWithCookie("/crash", cookie).statusCode());
        HttpResponse<String> rerouted = getWithCookie("/hello", cookie);
        assertEquals(200, rerouted.statusCode(), "its process is gone: routed normally");
        assertFalse(pid(first).equals(pid(rerouted)));
        assertFalse(cookie.equals(routeCookie(rerouted)), "with a new cookie");
    }

    @Test
    void freedSlotTakesTheOlderOfItsOwnQueueAndTheAppQueue() throws Exception {
        AppSettings sticky = TestApps.wsgi("twoqueues", appRoot);
        sticky.setMinProcesses("2");
        sticky.setMaxProcesses("2");
        sticky.setStickySessions("true");
        start(32, sticky);
        awaitStatus("twoqueues", s -> s.ready() == 2);
        HttpResponse<String> home = getWithCookie("/hello", null);
        String cookie = routeCookie(home);
        CompletableFuture<HttpResponse<String>> homeBusy = getWithCookieAsync("/sleep?ms=1500", cookie);
        awaitStatus("twoqueues", s -> s.busy() == 1);
        CompletableFuture<HttpResponse<String>> otherBusy = getWithCookieAsync("/sleep?ms=4000", null);
        awaitStatus("twoqueues", s -> s.busy() == 2);
        List<String> finished = new CopyOnWriteArrayList<>();
        CompletableFuture<HttpResponse<String>> plain = getWithCookieAsync("/sleep?ms=50&r=plain", null);
        CompletableFuture<Void> plainDone = plain.thenRun(() -> finished.add("plain"));
        awaitStatus("twoqueues", s -> s.queued() == 1);
        CompletableFuture<HttpResponse<String>> stuck1 = getWithCookieAsync("/sleep?ms=50&r=s1", cookie);
        CompletableFuture<Void> stuck1Done = stuck1.thenRun(() -> finished.add("sticky1"));
        awaitStatus("twoqueues", s -> s.queued() == 2);
        CompletableFuture<HttpResponse<String>> stuck2 = getWithCookieAsync("/sleep?ms=50&r=s2", cookie);
        CompletableFuture<Void> stuck2Done = stuck2.thenRun(() -> finished.add("sticky2"));
        awaitStatus("twoqueues", s -> s.queued() == 3);
        assertEquals(200, homeBusy.get(30, TimeUnit.SECONDS).statusCode());
        CompletableFuture.allOf(plainDone, stuck1Done, stuck2Done).get(30, TimeUnit.SECONDS);
        assertFalse(otherBusy.isDone(), "all three were served by the sticky process before the other one freed");
        assertEquals(List.of("plain", "sticky1", "sticky2"), finished, "oldest first across both queues");
        assertEquals(pid(home), pid(plain.get()));
        assertEquals(pid(home), pid(stuck1.get()));
        assertEquals(200, otherBusy.get(30, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void requestsWaitingForAProcessThatDiesGoBackToTheAppQueue() throws Exception {
        AppSettings sticky = TestApps.wsgi("orphans", appRoot);
        sticky.setMinProcesses("2");
        sticky.setMaxProcesses("2");
        sticky.setStickySessions("true");
        start(32, sticky);
        awaitStatus("orphans", s -> s.ready() == 2);
        HttpResponse<String> home = getWithCookie("/hello", null);
        String cookie = routeCookie(home);
        CompletableFuture<HttpResponse<String>> dying = getWithCookieAsync("/sleepcrash?ms=1000", cookie);
        awaitStatus("orphans", s -> s.busy() == 1);
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(getWithCookieAsync("/hello", cookie));
            int queued = i + 1;
            awaitStatus("orphans", s -> s.queued() == queued);
        }
        assertEquals(502, dying.get(30, TimeUnit.SECONDS).statusCode(), "the request it was serving is lost");
        for (CompletableFuture<HttpResponse<String>> response : waiting) {
            HttpResponse<String> served = response.get(30, TimeUnit.SECONDS);
            assertEquals(200, served.statusCode(), "its queue is not: another process serves it");
            assertFalse(pid(home).equals(pid(served)));
        }
    }

    // ------------------------------------------------------------------ injected faults

    @Test
    void injectedFaultsEndAsCorralErrorsLoggedWithTheSeed() throws Exception {
        AppSettings reset = TestApps.wsgi("reset", appRoot);
        reset.setFaults("read-reset:1");
        reset.setFaultSeed("42");
        AppSettings refused = TestApps.wsgi("refused", appRoot);
        refused.setPathPrefix("/refused");
        refused.setFaults("connect:1");
        refused.setFaultSeed("7");
        AppSettings unborn = TestApps.wsgi("unborn", appRoot);
        unborn.setPathPrefix("/unborn");
        unborn.setFaults("spawn:1");
        start(32, reset, refused, unborn);
        HttpResponse<String> cut = get("/hello");
        assertEquals(502, cut.statusCode());
        assertEquals("app_crashed", cut.headers().firstValue("X-Corral-Reason").orElse(null));
        assertEquals(1, app("reset").faults().counts().get(dev.corral.fault.FaultPoint.READ_RESET));
        assertFalse(logs.matching("fault injected: read-reset #1 (seed 42)", "GET /hello").isEmpty(), logs.lines().toString());
        HttpResponse<String> noConnect = get("/refused/hello");
        assertEquals(502, noConnect.statusCode());
        assertEquals("connect_failed", noConnect.headers().firstValue("X-Corral-Reason").orElse(null));
        assertEquals(4, app("refused").faults().counts().get(dev.corral.fault.FaultPoint.CONNECT), "1 try + retries=3");
        HttpResponse<String> noSpawn = get("/unborn/hello");
        assertEquals(503, noSpawn.statusCode());
        assertTrue(noSpawn.body().contains("fault injected"), noSpawn.body());
        // the spec changes at run time: faults off, the app heals
        app("reset").faults().setSpec(dev.corral.fault.FaultSpec.NONE);
        await().atMost(DEADLINE).until(() -> get("/hello").statusCode() == 200);
    }

    @Test
    void aTruncatedResponseNotYetSentBecomesA502AndANeverReadyProcessASpawnFailure() throws Exception {
        AppSettings cut = TestApps.wsgi("cut", appRoot);
        cut.setFaults("truncate:1");
        cut.setFaultSeed("3");
        AppSettings stuck = TestApps.wsgi("stuck", appRoot);
        stuck.setPathPrefix("/stuck");
        stuck.setSpawnTimeout("1s");
        stuck.setFaults("spawn-timeout:1");
        stuck.setFaultSeed("4");
        start(32, cut, stuck);
        // the head was handed to the container but had not reached the client: a clean 502 replaces it
        HttpResponse<String> truncated = get("/hello");
        assertEquals(502, truncated.statusCode());
        assertEquals("app_crashed", truncated.headers().firstValue("X-Corral-Reason").orElse(null));
        assertFalse(logs.matching("fault injected: truncate #1 (seed 3)", "GET /hello").isEmpty(), logs.lines().toString());
        // the process that cut it short is retired; it exits cleanly, which is no crash (no crash-loop back-off)
        String cutBy = logs.awaitMatching("request failed: reason=app_crashed", "GET /hello").get(0).replaceAll(".* pid=([0-9]+) .*", "$1");
        await().atMost(DEADLINE).until(() -> !logs.matching("process " + cutBy + " of app cut exited with exit code 0",
                "(retired after it cut a response short)").isEmpty());
        assertTrue(logs.matching("of app cut crashed").isEmpty(), logs.lines().toString());
        // spawn-timeout: the process starts but is never seen ready; after three such spawns the app counts as unable to start
        HttpResponse<String> never = get("/stuck/hello");
        assertEquals(503, never.statusCode());
        assertEquals("spawn_failed", never.headers().firstValue("X-Corral-Reason").orElse(null));
        assertTrue(app("stuck").status().spawnFailures() >= 3, app("stuck").status().toString());
        assertFalse(logs.matching("did not listen on", "within spawnTimeout=1s; it was killed (fault injected, seed 4)")
                .isEmpty(), logs.lines().toString());
    }

    @Test
    void theBundledLoaderRehearsesABrokenApp() throws Exception {
        AppSettings broken = TestApps.wsgi("rehearsal", appRoot);
        broken.setMinProcesses("1");
        broken.setMaxProcesses("1");
        broken.setEnv("CORRAL_APP_FAULTS=slow-start@1500ms,crash:1 CORRAL_APP_FAULT_SEED=5");
        start(32, broken);
        await().atMost(DEADLINE).until(() -> !logs.matching("of app rehearsal is ready").isEmpty());
        String ready = logs.matching("of app rehearsal is ready").get(0);
        long tookMs = Long.parseLong(ready.replaceAll(".* after ([0-9,]+) ms.*", "$1").replace(",", ""));
        assertTrue(tookMs >= 1500, "slow-start@1500ms: ready after " + tookMs + " ms");
        // crash:1 — the process dies in the middle of its (small) response: the client gets a clean 502
        HttpResponse<String> crashed = get("/hello");
        assertEquals(502, crashed.statusCode(), crashed.body());
        assertEquals("app_crashed", crashed.headers().firstValue("X-Corral-Reason").orElse(null));
        await().atMost(DEADLINE).until(() -> !logs.matching("of app rehearsal exited with exit code 13").isEmpty());
        // the app's own output reaches the log on its own thread; the first process draws from seed 5 + its number 1
        await().atMost(DEADLINE).until(() -> !logs.matching("simulated fault: crashing in the middle of /hello (seed 6)")
                .isEmpty());
    }

    // ------------------------------------------------------------------ rolling restart

    /** Sends requests from {@code clients} loops until stopped; records every status and pid. */
    private static final class SteadyLoad implements AutoCloseable {
        final List<Integer> statuses = new CopyOnWriteArrayList<>();
        final Set<String> pids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private volatile boolean running = true;
        private final List<Thread> threads = new ArrayList<>();

        SteadyLoad(HttpClient http, URI base, int clients) {
            for (int i = 0; i < clients; i++) {
                Thread thread = new Thread(() -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (running && System.nanoTime() - deadline < 0) {
                        try {
                            HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/sleep?ms=20"))
                                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                            statuses.add(response.statusCode());
                            response.headers().firstValue("X-Pid").ifPresent(pids::add);
                        } catch (IOException e) {
                            statuses.add(-1);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "steady-load-" + i);
                thread.start();
                threads.add(thread);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(40));
            }
        }
    }

    private Set<Long> pidsOf(String name) {
        Set<Long> pids = new HashSet<>();
        app(name).status().processList().forEach(p -> pids.add(p.pid()));
        return pids;
    }

    @Test
    void rollingRestartUnderSteadyLoadLosesNothing() throws Exception {
        AppSettings rolling = TestApps.wsgi("rolling", appRoot);
        rolling.setMinProcesses("2");
        rolling.setMaxProcesses("2");
        start(32, rolling);
        awaitStatus("rolling", s -> s.ready() == 2);
        Set<Long> before = pidsOf("rolling");
        SteadyLoad load = new SteadyLoad(http, base, 4);
        try {
            await().atMost(DEADLINE).until(() -> load.statuses.size() > 20);
            assertTrue(app("rolling").restart());
            assertFalse(app("rolling").restart(), "one rolling restart at a time");
            await().atMost(Duration.ofSeconds(40)).until(() -> !logs.matching("rolling restart of app [rolling] done").isEmpty());
            AppStatus after = awaitStatus("rolling", s -> s.ready() == 2 && s.processes() == 2);
            after.processList().forEach(p -> assertFalse(before.contains(p.pid()), "old process " + p.pid() + " retired"));
            int served = load.statuses.size();
            await().atMost(DEADLINE).until(() -> load.statuses.size() > served + 20);
        } finally {
            load.close();
        }
        assertTrue(load.statuses.stream().allMatch(status -> status == 200),
                "every request during the restart succeeded: " + load.statuses.stream().filter(st -> st != 200).toList());
        assertEquals(2, logs.matching("recycling process", "replaced by a rolling restart").size(), logs.lines().toString());
    }

    @Test
    void touchingRestartTxtRestartsTheApp() throws Exception {
        AppSettings touched = TestApps.wsgi("touched", appRoot);
        start(32, touched);
        awaitStatus("touched", s -> s.ready() == 1);
        Set<Long> before = pidsOf("touched");
        await().atMost(DEADLINE).until(() -> !logs.matching("process", "of app touched is ready").isEmpty());
        Path restart = Files.createDirectories(appRoot.resolve("tmp")).resolve("restart.txt");
        Files.writeString(restart, "");
        await().atMost(DEADLINE).until(() -> !logs.matching("rolling restart of app [touched] done").isEmpty());
        awaitStatus("touched", s -> s.processes() == 1 && s.ready() == 1);
        Set<Long> after = pidsOf("touched");
        assertFalse(after.isEmpty());
        after.forEach(pid -> assertFalse(before.contains(pid), "restarted: " + before + " -> " + after));
        assertEquals(200, get("/hello").statusCode());
    }

    @Test
    void brokenNewVersionKeepsTheOldProcessesServing() throws Exception {
        AppSettings deploy = TestApps.wsgi("deploy", appRoot);
        deploy.setMinProcesses("2");
        deploy.setMaxProcesses("2");
        start(32, deploy);
        awaitStatus("deploy", s -> s.ready() == 2);
        Set<Long> before = pidsOf("deploy");
        Files.writeString(appRoot.resolve("BROKEN"), "a bad deploy");
        assertTrue(app("deploy").restart());
        await().atMost(DEADLINE).until(() -> !logs.matching("rolling restart of app [deploy] failed").isEmpty());
        assertFalse(logs.matching("app [deploy]", "this version is broken").isEmpty(), "the app's error is logged");
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> response = get("/hello");
            assertEquals(200, response.statusCode());
            assertTrue(before.contains(Long.parseLong(response.headers().firstValue("X-Pid").orElseThrow())),
                    "served by an old process");
        }
        assertEquals(before, pidsOf("deploy"));
    }

    // ------------------------------------------------------------------ failures

    @Test
    void processDyingMidRequestCostsThatRequestA502AndNothingElse() throws Exception {
        AppSettings two = TestApps.wsgi("two", appRoot);
        two.setMinProcesses("2");
        two.setMaxProcesses("2");
        start(32, two);
        awaitStatus("two", s -> s.ready() == 2);
        List<CompletableFuture<HttpResponse<String>>> others = new ArrayList<>();
        CompletableFuture<HttpResponse<String>> longOne = getAsync("/sleep?ms=1500");
        awaitStatus("two", s -> s.busy() == 1);
        CompletableFuture<HttpResponse<String>> crash = getAsync("/crash");
        awaitStatus("two", s -> s.busy() == 2 || crash.isDone());
        for (int i = 0; i < 10; i++) {
            others.add(getAsync("/sleep?ms=10"));
        }
        HttpResponse<String> crashed = crash.get(30, TimeUnit.SECONDS);
        assertEquals(502, crashed.statusCode());
        assertEquals("app_crashed", crashed.headers().firstValue("X-Corral-Reason").orElse(null));
        assertEquals(200, longOne.get(30, TimeUnit.SECONDS).statusCode());
        for (CompletableFuture<HttpResponse<String>> other : others) {
            assertEquals(200, other.get(30, TimeUnit.SECONDS).statusCode(), "queued requests survive the crash");
        }
        awaitStatus("two", s -> s.ready() == 2);
        assertFalse(logs.matching("exited with exit code 3", "GET /crash", "(unexpectedly)").isEmpty(),
                "the exit line names the request the process was serving: " + logs.lines());
        assertFalse(logs.awaitMatching("reason=app_crashed", "app=two", "pid=").isEmpty(), logs.lines().toString());
    }

    @Test
    void appThatFailsToImportGets503WithTheAppsOutputInTheLog() throws Exception {
        AppSettings broken = TestApps.wsgi("broken", appRoot);
        broken.setEnv("TESTAPP_FAIL_IMPORT=1");
        start(32, broken);
        HttpResponse<String> response = get("/hello");
        assertEquals(503, response.statusCode());
        assertEquals("spawn_failed", response.headers().firstValue("X-Corral-Reason").orElse(null));
        assertTrue(response.headers().firstValue("Retry-After").isPresent());
        assertFalse(logs.matching("app [broken]", "AWAIT_LISTEN", "TESTAPP_FAIL_IMPORT is set").isEmpty(),
                "the log names app, step and the app's stderr: " + logs.lines());
        // requests keep coming for two seconds: spawning is retried with a growing backoff, not per request
        long spawnsSoFar = app("broken").status().spawnFailures();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        int requests = 0;
        while (System.nanoTime() - until < 0 && requests < 400) {
            assertEquals(503, get("/hello").statusCode());
            requests++;
        }
        long spawns = app("broken").status().spawnFailures() - spawnsSoFar;
        assertTrue(requests > 10 && spawns <= 3, requests + " requests in 2 s caused " + spawns + " spawn attempts");
    }

    @Test
    void commandThatCannotRunGets503NamingTheExecStep() throws Exception {
        AppSettings missing = TestApps.threaded("missing", appRoot);
        missing.setCommand("/nonexistent/server --flag");
        start(32, missing);
        HttpResponse<String> response = get("/hello");
        assertEquals(503, response.statusCode());
        assertFalse(logs.matching("app [missing]", "step EXEC", "/nonexistent/server").isEmpty(), logs.lines().toString());
    }

    @Test
    void appThatNeverListensFailsAfterSpawnTimeout() throws Exception {
        AppSettings silent = TestApps.threaded("silent", appRoot);
        silent.setEnv("TESTAPP_NEVER_LISTEN=1");
        silent.setSpawnTimeout("2s");
        start(32, silent);
        HttpResponse<String> response = get("/hello");
        assertEquals(503, response.statusCode());
        assertFalse(logs.matching("app [silent]", "AWAIT_LISTEN", "spawnTimeout=2s", "not listening on purpose").isEmpty(),
                logs.lines().toString());
    }

    @Test
    void badSettingsFailStartUpNamingEverySetting() {
        AppSettings bad = TestApps.wsgi("bad name!", appRoot);
        bad.setMaxProcesses("0");
        bad.setQueueTimeout("soon");
        container = newFixture();
        Exception failure = assertThrows(Exception.class, () -> container.start(List.of(bad), 32));
        Throwable cause = failure;
        while (cause != null && !(cause instanceof ConfigException)) {
            cause = cause.getCause();
        }
        assertNotNull(cause, "a ConfigException, got " + failure);
        String message = cause.getMessage();
        assertAll(
                () -> assertTrue(message.contains("'name'") && message.contains("[bad name!]"), message),
                () -> assertTrue(message.contains("'maxProcesses'") && message.contains("[0]"), message),
                () -> assertTrue(message.contains("'queueTimeout'") && message.contains("[soon]"), message));
    }

    @Test
    void tcpListeningAppsAreServedToo() throws Exception {
        AppSettings tcp = TestApps.wsgi("tcp", appRoot);
        tcp.setListen("tcp");
        start(32, tcp);
        HttpResponse<String> response = get("/hello");
        assertEquals(200, response.statusCode());
        assertTrue(app("tcp").status().processList().get(0).address().startsWith("127.0.0.1:"));
    }
}
