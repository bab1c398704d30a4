package dev.corral.testing.contract;

import dev.corral.testing.RawHttp;

import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Following one request: its {@code X-Request-Id} (the client's when valid, else Corral's) at
 * the app, on the response and in the log line of a failure; Corral's request attributes in the
 * container's own access log (Jetty's CustomRequestLog, Tomcat's AccessLogValve, both with the
 * pattern of {@link dev.corral.testing.ContainerFixture#accessLog()}); and expected events (a
 * client that leaves, a full queue, a crashing app) that leave one log line each and never a
 * stack trace, in Corral's log or the container's.
 */
public abstract class TracingContract extends ContractSupport {
    /** {@code STATUS "REQUEST LINE" app pid queueMillis reason requestId}. */
    private static final Pattern ACCESS_LINE =
            Pattern.compile("^(\\d{3}) \"([^\"]*)\" (\\S+) (\\S+) (\\S+) (\\S+) (\\S+)$");

    private HttpResponse<String> getWithId(String target, String id) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(target)).timeout(DEADLINE).header("X-Request-Id", id).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The app's view of the request header ({@code /headers} answers the WSGI environ's HTTP_ keys). */
    private static String appSawId(HttpResponse<String> response) {
        Matcher m = Pattern.compile("\"HTTP_X_REQUEST_ID\": \"([^\"]*)\"").matcher(response.body());
        return m.find() ? m.group(1) : null;
    }

    @Test
    void aClientsRequestIdReachesTheAppAndComesBack() throws Exception {
        startReady(1, wsgi("traced").maxProcesses(1));
        String id = "order-42/checkout retry:1";
        HttpResponse<String> response = getWithId("/headers", id);
        assertEquals(200, response.statusCode());
        assertEquals(id, appSawId(response), response.body());
        assertEquals(List.of(id), response.headers().allValues("X-Request-Id"), "one X-Request-Id, the client's");
    }

    @Test
    void anInvalidOrMissingRequestIdIsReplacedByCorralsOwn() throws Exception {
        startReady(1, wsgi("traced").maxProcesses(1));
        String tooLong = "x".repeat(129);
        HttpResponse<String> replaced = getWithId("/headers", tooLong);
        String given = replaced.headers().firstValue("X-Request-Id").orElse(null);
        assertTrue(given != null && !given.isEmpty() && !given.equals(tooLong), "Corral's own id, got " + given);
        assertEquals(given, appSawId(replaced), "the app sees the id the client gets back");

        HttpResponse<String> none = get("/headers");
        String made = none.headers().firstValue("X-Request-Id").orElse(null);
        assertTrue(made != null && !made.isEmpty(), "an id without the client's: " + made);
        assertEquals(made, appSawId(none));
        assertNotEquals(given, made, "each request its own id");
    }

    @Test
    void corralsErrorsCarryTheRequestIdAndTheLogLineNamesIt() throws Exception {
        start(threaded("missing").command("/nonexistent/server --flag"));
        HttpResponse<String> response = getWithId("/hello", "err-7");
        assertEquals(503, response.statusCode());
        assertEquals("err-7", response.headers().firstValue("X-Request-Id").orElse(null));
        assertFalse(logs.awaitMatching("reason=spawn_failed", "app=missing", "(request err-7)").isEmpty(),
                logs.lines().toString());
    }

    @Test
    void theAccessLogShowsAppPidQueueTimeAndReason() throws Exception {
        startReady(1, wsgi("logged").maxProcesses(1).maxQueue(1));
        HttpResponse<String> served = getWithId("/hello?step=served", "served-1");
        assertEquals(200, served.statusCode());
        CompletableFuture<HttpResponse<String>> busy = getAsync("/sleep?ms=1500&step=busy");
        awaitStatus("logged", s -> s.busy() == 1);
        CompletableFuture<HttpResponse<String>> queued = getAsync("/hello?step=queued");
        awaitStatus("logged", s -> s.queued() == 1);
        HttpResponse<String> rejected = getWithId("/hello?step=rejected", "rejected-1");
        assertEquals(503, rejected.statusCode());
        assertEquals(200, busy.get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(200, queued.get(30, TimeUnit.SECONDS).statusCode());
        String pid = pid(served);

        List<String[]> lines = awaitAccessLines(4);
        String[] servedLine = line(lines, "step=served");
        assertEquals(List.of("200", "logged", pid, "0", "-", "served-1"), fields(servedLine), String.join(" ", servedLine));
        String[] rejectedLine = line(lines, "step=rejected");
        assertEquals(List.of("503", "logged", "-", "0", "queue_full", "rejected-1"), fields(rejectedLine),
                String.join(" ", rejectedLine));
        String[] queuedLine = line(lines, "step=queued");
        assertEquals("200", queuedLine[0]);
        assertEquals(pid, queuedLine[3]);
        assertTrue(Long.parseLong(queuedLine[4]) > 0, "it waited in the queue: " + String.join(" ", queuedLine));
    }

    /** Status, app, pid, queueMillis, reason, request id of a parsed access log line. */
    private static List<String> fields(String[] line) {
        return List.of(line[0], line[2], line[3], line[4], line[5], line[6]);
    }

    private static String[] line(List<String[]> lines, String marker) {
        return lines.stream().filter(l -> l[1].contains(marker)).findFirst()
                .orElseThrow(() -> new AssertionError("no access log line for " + marker));
    }

    /** Waits until the access log has {@code count} lines (each is written once its response is complete). */
    private List<String[]> awaitAccessLines(int count) {
        return await().atMost(DEADLINE).pollInterval(Duration.ofMillis(20)).until(() -> {
            List<String[]> parsed = new java.util.ArrayList<>();
            for (String raw : container.accessLog()) {
                Matcher m = ACCESS_LINE.matcher(raw);
                assertTrue(m.matches(), "an access log line as configured: " + raw);
                String[] fields = new String[7];
                for (int i = 0; i < 7; i++) {
                    fields[i] = m.group(i + 1);
                }
                parsed.add(fields);
            }
            return parsed;
        }, parsed -> parsed.size() >= count);
    }

    /**
     * A client that leaves its queued request, a full queue, an app that crashes on a request:
     * each costs its one log line (the client's an INFO {@code client_gone}), and nothing is
     * logged with a stack trace, by Corral or by the container.
     */
    @Test
    void expectedEventsLogOneLineEachAndNoStackTrace() throws Exception {
        startReady(1, wsgi("calm").maxProcesses(1).maxQueue(1));
        CompletableFuture<HttpResponse<String>> busy = getAsync("/sleep?ms=1500");
        awaitStatus("calm", s -> s.busy() == 1);
        Socket leaving = RawHttp.open(base, "GET /hello?who=leaver HTTP/1.1\r\nHost: x\r\n\r\n");
        awaitStatus("calm", s -> s.queued() == 1);
        leaving.close();
        awaitStatus("calm", s -> s.queued() == 0);
        CompletableFuture<HttpResponse<String>> queued = getAsync("/hello?who=queued");
        awaitStatus("calm", s -> s.queued() == 1);
        assertEquals(503, get("/hello?who=rejected").statusCode());
        assertEquals(200, busy.get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(200, queued.get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(502, get("/crash").statusCode());
        awaitStatus("calm", s -> s.ready() == 1);
        assertEquals(200, get("/hello?who=after").statusCode());

        List<String> gone = logs.awaitMatching("reason=client_gone", "who=leaver");
        assertEquals(1, gone.size(), logs.lines().toString());
        assertTrue(gone.get(0).startsWith("INFO "), gone.get(0));
        assertEquals(1, logs.awaitMatching("reason=queue_full", "who=rejected").size(), logs.lines().toString());
        assertEquals(1, logs.awaitMatching("status=502", "/crash").size(), logs.lines().toString());
        assertEquals(List.of(), logs.stackTraces(), "Corral's and java.util.logging's log");
        assertEquals(List.of(), container.stackTraces(), "the container's own log");
    }
}
