package dev.corral.testing.contract;

import dev.corral.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two timeouts on a process that do not kill it. {@code responseTimeout} bounds the wait for
 * the first byte of an answer: past it the client gets 504 {@code response_timeout} and the same
 * process serves on; a streamed answer whose first byte came in time runs as long as it takes.
 * {@code connectTimeout} bounds a connect to a process whose listener is wedged (its backlog
 * full, it accepts nothing; a Unix socket's connect then blocks, and a TCP port drops the SYNs):
 * the request tries another process, or gets 502 {@code connect_failed} whose log line names the
 * timeout.
 */
public abstract class TimeoutsContract extends ContractSupport {

    @Test
    void noFirstByteWithinResponseTimeoutIs504AndTheSameProcessServesOn() throws Exception {
        start(wsgi("slow").minProcesses(1).maxProcesses(1).responseTimeout("1s"));
        String pid = pid(get("/hello"));
        long started = System.nanoTime();
        HttpResponse<String> late = get("/sleep?ms=1500");
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals(504, late.statusCode(), late.body());
        assertEquals("response_timeout", late.headers().firstValue("X-Corral-Reason").orElse(null));
        assertTrue(tookMs < 1500, "answered when responseTimeout passed, not when the app answered: " + tookMs + " ms");
        assertFalse(logs.awaitMatching("reason=response_timeout", "status=504", "app=slow", "pid=" + pid,
                "responseTimeout=1s", "the process kept").isEmpty(), logs.lines().toString());

        // the process finishes the request it was given (its answer goes nowhere), then takes the
        // next; a request sent while it is still busy waits for it, and may time out the same way
        HttpResponse<String> next = await().atMost(DEADLINE).until(() -> get("/hello"), r -> r.statusCode() != 504);
        assertEquals(200, next.statusCode(), next.body());
        assertEquals(pid, pid(next), "the process was not killed: it serves the next request");
        assertEquals(List.of(Long.valueOf(pid)), List.copyOf(pidsOf("slow")));
        assertEquals(0, logs.matching("reason=request_timeout").size(), "maxRequestTime is another timeout");
    }

    @Test
    void aStreamedAnswerWhoseFirstByteCameInTimeOutlivesResponseTimeout() throws Exception {
        Path state = stateDir();
        start(threaded("stream").minProcesses(1).maxProcesses(1).responseTimeout("300ms").env("TESTAPP_STATE_DIR=" + state));
        try (Socket socket = RawHttp.open(base, "GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) {
            socket.setSoTimeout((int) DEADLINE.toMillis());
            InputStream in = socket.getInputStream();
            String head = readUntil(in, "first");
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            // the stream pauses: several responseTimeouts pass without a byte
            await().pollDelay(Duration.ofMillis(1200)).atMost(DEADLINE).until(() -> true);
            Files.writeString(state.resolve("release-stream"), "go");
            String rest = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(rest.contains("last"), "the stream ran to its end: " + rest);
        }
        assertEquals(0, logs.matching("reason=response_timeout").size(), logs.lines().toString());
    }

    @Test
    void aConnectToAWedgedProcessTimesOutAndTheRequestTriesAnother() throws Exception {
        start(wedged("wedged").minProcesses(2).maxProcesses(2).connectTimeout("400ms").errorLimit(0));
        awaitStatus("wedged", s -> s.ready() == 2);
        List<Long> pids = new ArrayList<>(pidsOf("wedged"));
        long stuck = pids.get(0);
        long healthy = pids.get(1);
        wedge(stuck);
        // the least recently used process gets the next request: within a few, one goes to the stuck one
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> response = get("/hello");
            assertEquals(200, response.statusCode(), response.body());
            assertEquals(Long.toString(healthy), pid(response), "served by the process that accepts");
        }
        assertFalse(logs.awaitMatching("connect to process " + stuck, "no connection within connectTimeout=400ms",
                "trying another process").isEmpty(), logs.lines().toString());
        assertEquals(0, logs.matching("reason=connect_failed").size(), "every request was served");
    }

    @ParameterizedTest(name = "listen={0}")
    @ValueSource(strings = {"unix", "tcp"})
    void aConnectThatTimesOutOnEveryAttemptIs502ConnectFailedNamingTheTimeout(String listen) throws Exception {
        start(wedged("stuck").listen(listen).minProcesses(1).maxProcesses(1).connectTimeout("300ms").retries(1)
                .errorLimit(0));
        awaitStatus("stuck", s -> s.ready() == 1);
        long pid = pidsOf("stuck").iterator().next();
        assertEquals(Long.toString(pid), pid(get("/hello")));
        wedge(pid);
        HttpResponse<String> failed = get("/hello");
        assertEquals(502, failed.statusCode(), failed.body());
        assertEquals("connect_failed", failed.headers().firstValue("X-Corral-Reason").orElse(null));
        assertFalse(logs.awaitMatching("reason=connect_failed", "app=stuck", "pid=" + pid,
                "after 2 attempts", "no connection within connectTimeout=300ms").isEmpty(), logs.lines().toString());
        assertFalse(failed.body().contains("connectTimeout"), "the client learns no setting: " + failed.body());
    }

    /** Wedges the process's listener and waits until it is (its backlog full: every connect blocks). */
    private void wedge(long pid) throws java.io.IOException {
        Files.writeString(appRoot.resolve("WEDGED-" + pid), "");
        await().atMost(DEADLINE).until(() -> Files.exists(appRoot.resolve("WEDGED-" + pid + ".done")));
    }

    private static String readUntil(InputStream in, String marker) throws java.io.IOException {
        StringBuilder seen = new StringBuilder();
        int b;
        while (seen.indexOf(marker) < 0 && seen.length() < 65536 && (b = in.read()) >= 0) {
            seen.append((char) b);
        }
        return seen.toString();
    }
}
