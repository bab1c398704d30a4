package dev.corral.client;

import dev.corral.config.AppSettings;
import dev.corral.pool.App;
import dev.corral.pool.Corral;
import dev.corral.pool.ProcessStatus;
import dev.corral.testing.TestApps;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AppClient} against a real engine and real Python processes: a call takes the app's
 * queue, limits and failure reasons, and its failures arrive as the typed exceptions.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AppClientTest {
    @TempDir
    Path tmp;
    private Corral corral;

    @AfterEach
    void stop() {
        if (corral != null) {
            corral.close();
        }
    }

    private App start(String name, Consumer<AppSettings> settings) {
        AppSettings app = TestApps.wsgi(name, TestApps.install(tmp.resolve("app")));
        app.setMinProcesses("1");
        app.setMaxProcesses("1");
        settings.accept(app);
        corral = Corral.builder().runDir(tmp.resolve("run")).build();
        App added = corral.addApp(app.toConfig());
        corral.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> added.status().ready() == 1);
        return added;
    }

    @Test
    void answersFromAPooledProcessOfTheNamedApp() throws Exception {
        App app = start("client-hello", s -> { });
        try (AppResponse response = AppClient.named("client-hello").send(AppRequest.get("/hello?x=1"))) {
            assertEquals(200, response.status());
            long pid = app.status().processList().get(0).pid();
            assertEquals("hello from client-hello pid " + pid + "\n", response.bodyAsString());
            assertEquals(pid, response.pid(), "the pid of the process that answered");
            assertEquals(Long.toString(pid), response.header("x-pid"));
            assertTrue(response.requestId() != null && !response.requestId().isEmpty());
        }
        assertEquals(1, app.status().served());
    }

    @Test
    void sendsHeadersAndABodyFromBytesOrAStream() throws Exception {
        start("client-body", s -> { });
        AppClient client = AppClient.named("client-body");
        byte[] data = new byte[700_000];
        new java.util.Random(7).nextBytes(data);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        AppResponse fromBytes = client.send(AppRequest.post("/echo").body(data).build());
        assertEquals("{\"length\": 700000, \"sha256\": \"" + sha + "\"}", fromBytes.bodyAsString());
        AppResponse chunked = client.send(AppRequest.post("/echo")
                .body(new java.io.ByteArrayInputStream(data), -1).build());
        assertEquals("{\"length\": 700000, \"sha256\": \"" + sha + "\"}", chunked.bodyAsString());
        AppResponse headers = client.send(AppRequest.builder("GET", "/headers").header("X-Trace", "abc").host("models.local").build());
        String seen = headers.bodyAsString();
        assertTrue(seen.contains("\"HTTP_X_TRACE\": \"abc\""), seen);
        assertTrue(seen.contains("\"HTTP_HOST\": \"models.local\""), seen);
    }

    @Test
    void streamsABodyLargerThanItsBufferAndThenServesTheNextCall() throws Exception {
        start("client-big", s -> { });
        AppClient client = AppClient.named("client-big");
        try (AppResponse big = client.send(AppRequest.get("/big?mb=5"))) {
            long total = 0;
            byte[] buffer = new byte[8192];
            InputStream in = big.body();
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
            }
            assertEquals(5L << 20, total);
        }
        assertEquals(200, client.send(AppRequest.get("/hello")).status());
    }

    @Test
    void closingAnUnreadBodyReleasesTheProcess() throws Exception {
        App app = start("client-close", s -> { });
        AppClient client = AppClient.named("client-close");
        AppResponse big = client.send(AppRequest.get("/big?mb=200"));
        assertEquals(0, big.body().read(new byte[1000], 0, 1000) < 0 ? 1 : 0);
        big.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> app.status().busy() == 0);
        assertEquals(200, client.send(AppRequest.get("/hello")).status());
    }

    @Test
    void aFullQueueIsAQueueFullExceptionAtOnce() throws Exception {
        start("client-full", s -> s.setMaxQueue("0"));
        AppClient client = AppClient.named("client-full");
        CompletableFuture<AppResponse> busy = client.sendAsync(AppRequest.get("/sleep?ms=2000"));
        await().atMost(Duration.ofSeconds(5)).until(() -> corral.app("client-full").orElseThrow().status().busy() == 1);
        QueueFullException full = assertThrows(QueueFullException.class, () -> client.send(AppRequest.get("/hello")));
        assertEquals("queue_full", full.reason());
        assertEquals(503, full.status());
        assertTrue(full.retryable());
        assertTrue(full.getMessage().contains("request queue full for app [client-full] (maxQueue=0"), full.getMessage());
        assertEquals(200, busy.get(10, TimeUnit.SECONDS).status());
    }

    @Test
    void aProcessThatDiesIsAnAppCrashedExceptionWithItsPid() throws Exception {
        App app = start("client-crash", s -> s.setRetries("0"));
        long pid = app.status().processList().get(0).pid();
        AppCrashedException crashed = assertThrows(AppCrashedException.class,
                () -> AppClient.named("client-crash").send(AppRequest.get("/crash")));
        assertEquals("app_crashed", crashed.reason());
        assertEquals(502, crashed.status());
        assertEquals(pid, crashed.pid());
        assertTrue(crashed.getStackTrace()[0].getClassName().startsWith(AppClient.class.getName())
                || java.util.Arrays.stream(crashed.getStackTrace()).anyMatch(e -> e.getClassName().equals(AppClientTest.class.getName())),
                "the caller's stack");
    }

    @Test
    void theCallsOwnTimeoutIsAnAppTimeoutExceptionAndFreesTheQueue() throws Exception {
        App app = start("client-timeout", s -> { });
        AppClient client = AppClient.named("client-timeout");
        CompletableFuture<AppResponse> busy = client.sendAsync(AppRequest.get("/sleep?ms=1500"));
        await().atMost(Duration.ofSeconds(5)).until(() -> app.status().busy() == 1);
        AppTimeoutException queued = assertThrows(AppTimeoutException.class,
                () -> client.send(AppRequest.builder("GET", "/hello").timeout(Duration.ofMillis(300)).build()));
        assertEquals("call_timeout", queued.reason());
        assertEquals(0, app.status().queued(), "the abandoned call left the queue");
        AppTimeoutException running = assertThrows(AppTimeoutException.class,
                () -> client.send(AppRequest.builder("GET", "/sleep?ms=3000").timeout(Duration.ofMillis(2000)).build()));
        assertEquals("call_timeout", running.reason());
        assertEquals(200, busy.get(10, TimeUnit.SECONDS).status());
        await().atMost(Duration.ofSeconds(10)).until(() -> app.status().busy() == 0);
        assertEquals(200, client.send(AppRequest.get("/hello")).status());
    }

    @Test
    void anAppThatDoesNotRunIsAnAppUnavailableExceptionNamingTheRunningOnes() throws Exception {
        start("client-present", s -> { });
        AppUnavailableException missing = assertThrows(AppUnavailableException.class,
                () -> AppClient.named("client-absent").send(AppRequest.get("/")));
        assertEquals("no_such_app", missing.reason());
        assertTrue(missing.getMessage().contains("[client-absent]") && missing.getMessage().contains("client-present"),
                missing.getMessage());
    }

    @Test
    void anAsyncCallCompletesOffTheEngineThreadSoADependentStageMayReadTheBody() throws Exception {
        start("client-async", s -> { });
        String body = AppClient.named("client-async").sendAsync(AppRequest.get("/big?mb=2"))
                .thenApply(response -> {
                    try {
                        return response.bodyAsBytes().length + " bytes";
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).get(20, TimeUnit.SECONDS);
        assertEquals((2 << 20) + " bytes", body);
    }

    @Test
    void cancellingAQueuedCallTakesItOutOfTheQueue() throws Exception {
        App app = start("client-cancel", s -> { });
        AppClient client = AppClient.named("client-cancel");
        CompletableFuture<AppResponse> busy = client.sendAsync(AppRequest.get("/sleep?ms=1500"));
        await().atMost(Duration.ofSeconds(5)).until(() -> app.status().busy() == 1);
        CompletableFuture<AppResponse> queued = client.sendAsync(AppRequest.get("/hello"));
        await().atMost(Duration.ofSeconds(5)).until(() -> app.status().queued() == 1);
        queued.cancel(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> app.status().queued() == 0);
        assertInstanceOf(AppResponse.class, busy.get(10, TimeUnit.SECONDS));
        // the head is there; the process's count moves when its session ends, a moment later
        await().atMost(Duration.ofSeconds(5)).until(() -> app.status().busy() == 0);
        ProcessStatus process = app.status().processList().get(0);
        assertEquals(1, process.processed(), "the cancelled call never reached the process");
    }
}
