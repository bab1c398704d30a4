package dev.corral.testing.contract;

import dev.corral.testing.RawHttp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Forwarding cannot be desynchronised (request smuggling, response splitting). Corral writes its
 * own request head to the app, with its own framing, so the app can only see the request
 * boundaries the container parsed; these tests hold both sides to it.
 *
 * <p>Requests: each malformed request goes to the container on a raw socket. Either the container
 * refuses it itself (4xx; 501 for a transfer coding it does not implement, as RFC 9112 §6.1 asks)
 * and the app sees nothing of it, or the app sees exactly the requests the client sent (same
 * count, targets and bodies, each answered in order). Either way a following well-formed request
 * on the same connection gets its own answer, or the container has closed the connection. The
 * app ({@code app.py} behind the bundled WSGI loader, a strict parser) writes one line per request
 * it saw to {@code seen.log}, and the engine's {@code served} count says how many answers came
 * from the app at all (the loader's own refusals included).
 *
 * <p>What each container does is written at each case ({@link #malformedRequests()}); the test
 * accepts either safe behaviour, never a desynchronisation. Tomcat runs its valves even for a
 * request it refused; Corral does not forward such a request, and the client gets Tomcat's answer.
 *
 * <p>Responses: an app answer with conflicting lengths, an invalid head or a broken chunk size
 * is a 502 {@code bad_response}, and Corral never sends another request on that app connection
 * ({@code threaded_server.py} numbers its connections and keeps a broken one open, so a reused one
 * would answer).
 */
public abstract class ForwardingSafetyContract extends ContractSupport {
    /** The bound on every read from a raw socket: a container or app that hangs fails the test. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    // ------------------------------------------------------------------ malformed requests

    /**
     * A malformed request, possibly behind or before well-formed ones on one connection.
     *
     * @param name        what is wrong with it
     * @param bytes       what the client writes, in one go
     * @param ifForwarded what the app must see ({@code seen.log} lines, in order) if the container
     *                    lets everything through; empty if the container must refuse it
     * @param containers  what Jetty and Tomcat do with it, as found
     */
    record Malformed(String name, String bytes, List<String> ifForwarded, String containers) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Malformed refused(String name, String bytes, String containers) {
        return new Malformed(name, bytes, List.of(), containers);
    }

    private static Malformed forwardable(String name, String bytes, List<String> ifForwarded, String containers) {
        return new Malformed(name, bytes, ifForwarded, containers);
    }

    static Stream<Malformed> malformedRequests() {
        String smuggled = "GET /record?smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
        String chunkedThenSmuggled = "0\r\n\r\n" + smuggled;
        StringBuilder bigHeader = new StringBuilder("GET /record?case=80k HTTP/1.1\r\nHost: x\r\nX-Big: ");
        bigHeader.append("a".repeat(80 * 1024)).append("\r\n\r\n");
        StringBuilder thousandHeaders = new StringBuilder("GET /record?case=1000 HTTP/1.1\r\nHost: x\r\n");
        StringBuilder thousandSmallHeaders = new StringBuilder("GET /record?case=1000-small HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 1000; i++) {
            thousandHeaders.append("X-Header-").append(i).append(": value-").append(i).append("\r\n");
            thousandSmallHeaders.append("a:b\r\n");
        }
        thousandHeaders.append("\r\n");
        thousandSmallHeaders.append("\r\n");
        return Stream.of(
                // RFC 9112 §6.3: Transfer-Encoding overrides Content-Length; a server may refuse, or
                // follow Transfer-Encoding and close the connection afterwards
                forwardable("Transfer-Encoding chunked with a shorter Content-Length",
                        "POST /record?case=te-cl HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "5\r\nhello\r\n0\r\n\r\n",
                        List.of(seen("POST", "/record?case=te-cl", "hello")),
                        "Jetty: 400; Tomcat: forwards the chunked body, then closes"),
                forwardable("Content-Length covering a smuggled request after a chunked body",
                        "POST /record?case=cl-te HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: "
                                + chunkedThenSmuggled.length() + "\r\n\r\n" + chunkedThenSmuggled,
                        List.of(seen("POST", "/record?case=cl-te", ""), seen("GET", "/record?smuggled", "")),
                        "Jetty: 400; Tomcat: forwards the chunked (empty) body, then closes without reading the rest"),
                // RFC 9112 §6.3: an invalid Content-Length must be refused with 400
                refused("two different Content-Lengths",
                        "POST /record?case=cl-cl HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 11\r\n\r\nhello world",
                        "Jetty: 400; Tomcat: 400"),
                refused("a Content-Length list of different values",
                        "POST /record?case=cl-list HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 11\r\n\r\nhello world",
                        "Jetty: 400; Tomcat: 400"),
                forwardable("two equal Content-Lengths",
                        "POST /record?case=cl-same HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
                        List.of(seen("POST", "/record?case=cl-same", "hello")),
                        "Jetty: 400; Tomcat: 400"),
                refused("chunked not the last transfer coding",
                        "POST /record?case=chunked-gzip HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
                                + "5\r\nhello\r\n0\r\n\r\n",
                        "Jetty: 400; Tomcat: 400"),
                refused("chunked twice",
                        "POST /record?case=chunked-chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                        "Jetty: 400; Tomcat: 400"),
                refused("an unknown transfer coding",
                        "POST /record?case=xchunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n"
                                + "5\r\nhello\r\n0\r\n\r\n",
                        "Jetty: 400; Tomcat: 501"),
                forwardable("bare LF line ends",
                        "POST /record?case=lf HTTP/1.1\nHost: x\nContent-Length: 5\n\nhello",
                        List.of(seen("POST", "/record?case=lf", "hello")),
                        "Jetty: forwards; Tomcat: forwards (RFC 9112 §2.2 lets a recipient take a bare LF for a line end)"),
                forwardable("a bare LF inside a header line",
                        "POST /record?case=lf-inside HTTP/1.1\r\nHost: x\r\nX-Hide: a\nContent-Length: 11\r\n\r\nhello world",
                        List.of(seen("POST", "/record?case=lf-inside", "hello world")),
                        "Jetty: forwards; Tomcat: forwards (for both the LF ends the line)"),
                refused("a bare CR inside a header value",
                        "POST /record?case=cr HTTP/1.1\r\nHost: x\r\nX-Hide: a\rContent-Length: 11\r\nContent-Length: 5\r\n\r\nhello world",
                        "Jetty: 400; Tomcat: 400"),
                forwardable("an obs-fold continuation line",
                        "POST /record?case=fold HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n Content-Length: 11\r\nContent-Length: 5\r\n\r\nhello",
                        List.of(seen("POST", "/record?case=fold", "hello")),
                        "Jetty: 400; Tomcat: forwards (the continuation is part of X-Folded's value)"),
                refused("a space in a header name",
                        "POST /record?case=space HTTP/1.1\r\nHost: x\r\nContent Length: 11\r\nContent-Length: 5\r\n\r\nhello world",
                        "Jetty: 400; Tomcat: 400"),
                refused("a space before the colon",
                        "POST /record?case=space-colon HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n"
                                + "0\r\n\r\n",
                        "Jetty: 400; Tomcat: 400"),
                refused("NUL in a header name",
                        "POST /record?case=nul HTTP/1.1\r\nHost: x\r\nX-Nul\0: a\r\nContent-Length: 5\r\n\r\nhello",
                        "Jetty: 400; Tomcat: 400"),
                refused("NUL in a header value",
                        "POST /record?case=nul-value HTTP/1.1\r\nHost: x\r\nX-Nul: a\0b\r\nContent-Length: 5\r\n\r\nhello",
                        "Jetty: 400; Tomcat: 400"),
                refused("an 80 KB header", bigHeader.toString(), "Jetty: 431; Tomcat: 400"),
                refused("1,000 headers (20 KB)", thousandHeaders.toString(), "Jetty: 431; Tomcat: 400"),
                forwardable("1,000 headers within 8 KB", thousandSmallHeaders.toString(),
                        List.of(seen("GET", "/record?case=1000-small", "")),
                        "Jetty: forwards all 1,000, the app's server refuses with 431; Tomcat: 400 (maxHeaderCount 100)"),
                forwardable("pipelined requests with bodies",
                        "POST /record?p=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                                + "POST /record?p=2 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n6\r\n defgh\r\n0\r\n\r\n"
                                + "GET /record?p=3 HTTP/1.1\r\nHost: x\r\n\r\n"
                                + "PUT /record?p=4 HTTP/1.1\r\nHost: x\r\nContent-Length: " + smuggled.length() + "\r\n\r\n" + smuggled
                                + "POST /record?p=5 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
                        List.of(seen("POST", "/record?p=1", "hello"), seen("POST", "/record?p=2", "abc defgh"),
                                seen("GET", "/record?p=3", ""), seen("PUT", "/record?p=4", smuggled),
                                seen("POST", "/record?p=5", "")),
                        "Jetty: forwards all five in order; Tomcat: forwards all five in order"),
                // a chunk size past 64 bits that wraps around to 5 in a parser that overflows
                refused("a chunk-size overflow",
                        "POST /record?case=chunk-overflow HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "10000000000000005\r\nhello\r\n0\r\n\r\n",
                        "Jetty: 400; Tomcat: 400"),
                refused("a chunk-size overflow after a good chunk",
                        "POST /record?case=chunk-overflow-later HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "5\r\nhello\r\nffffffffffffffff\r\nworld\r\n0\r\n\r\n",
                        "Jetty: 400; Tomcat: 400"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRequests")
    void aMalformedRequestIsRefusedOrForwardedExactly(Malformed request) throws Exception {
        Path state = stateDir();
        start(wsgi("rec").maxProcesses(1).env("TESTAPP_STATE_DIR=" + state));
        assertEquals(seen("GET", "/record?warm-up", ""), RawHttp.exchange(base, "GET", "/record?warm-up").header("X-Seen"));
        long servedBefore = app("rec").status().served();
        int seenBefore = seenLines(state).size();

        List<String> answered = new ArrayList<>();
        RawHttp.Response refusal = null;
        boolean followUpAnswered;
        try (RawHttp.Connection client = RawHttp.connect(base, READ_TIMEOUT)) {
            client.send(request.bytes());
            int requests = Math.max(1, request.ifForwarded().size());
            while (answered.size() < requests) {
                RawHttp.Response response = client.next();
                if (response == null) {
                    break;   // the container closed the connection
                }
                String seen = response.header("X-Seen");
                if (seen == null) {
                    refusal = response;
                    break;
                }
                assertFalse(request.ifForwarded().isEmpty(), "the app answered a request that must be refused: " + seen);
                assertEquals(200, response.status(), seen);
                answered.add(seen);
            }
            assertEquals(request.ifForwarded().subList(0, answered.size()), answered, "the app's answers, in order");
            if (refusal != null) {
                assertNull(refusal.header("X-Corral-Reason"), "a refusal, not a Corral error: " + refusal);
                assertTrue(refusal.status() >= 400 && refusal.status() < 500
                        || refusal.status() == 501 && request.bytes().contains("Transfer-Encoding"),
                        "refused with " + refusal.status() + " (" + request.containers() + ")");
            }
            followUpAnswered = followUp(client, "/record?after");
        }
        assertEquals(seen("GET", "/record?sync", ""), RawHttp.exchange(base, "GET", "/record?sync").header("X-Seen"));

        // what came from the app: its answers on the connection, the follow-up, the sync, and
        // possibly the app server's own refusal (the WSGI loader refuses over 100 headers)
        long fromApp = answered.size() + (followUpAnswered ? 1 : 0) + 1;
        long served = await().atMost(DEADLINE).until(() -> app("rec").status().served() - servedBefore, n -> n >= fromApp);
        boolean refusedByApp = served == fromApp + 1 && refusal != null;
        assertTrue(served == fromApp || refusedByApp, "answers from the app: " + served + ", expected " + fromApp);

        List<String> expected = new ArrayList<>(answered);
        if (followUpAnswered) {
            expected.add(seen("GET", "/record?after", ""));
        }
        expected.add(seen("GET", "/record?sync", ""));
        List<String> appSaw = new ArrayList<>(seenLines(state).subList(seenBefore, seenLines(state).size()));
        // a request whose head passed but whose body the container then refused (a broken chunk)
        // reaches the app cut short: it sees part of a request and the connection's end
        boolean unanswered = answered.size() < Math.max(1, request.ifForwarded().size());
        if (unanswered && appSaw.size() > answered.size() && appSaw.get(answered.size()).endsWith(" incomplete")) {
            appSaw.remove(answered.size());
        }
        assertEquals(expected, appSaw, "what the app saw");

        String outcome = answered.size() == request.ifForwarded().size() && !answered.isEmpty() ? "forwarded exactly"
                : (answered.isEmpty() ? "" : "forwarded " + answered.size() + ", then ")
                + (refusal == null ? "closed without an answer"
                : refusal.status() + (refusedByApp ? " from the app's server" : " from the container"));
        System.out.println("[forwarding-safety] " + request.name() + ": " + outcome + "; the next request on the connection: "
                + (followUpAnswered ? "answered" : "connection closed") + " (as found: " + request.containers() + ")");
    }

    // ------------------------------------------------------------------ Expect: 100-continue

    @Test
    void expectContinueWithAnEarlyAnswerKeepsTheConnectionInStep() throws Exception {
        Path state = stateDir();
        startReady(1, wsgi("rec").maxProcesses(1).env("TESTAPP_STATE_DIR=" + state));
        try (RawHttp.Connection client = RawHttp.connect(base, READ_TIMEOUT)) {
            client.send("POST /early?case=expect HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response first = client.next();
            assertNotNull(first, "no answer to the request head");
            RawHttp.Response answer = first;
            if (first.status() == 100) {
                client.send("hello");
                answer = client.next();
            } else if (!"close".equalsIgnoreCase(first.header("Connection"))) {
                client.send("hello");   // a final answer before 100 Continue: the body still follows (RFC 9110 §10.1.1)
            }
            assertNotNull(answer, "no final answer");
            assertEquals(200, answer.status());
            assertEquals("POST /early?case=expect early", answer.header("X-Seen"));
            assertFalse(answer.body().contains("HTTP_EXPECT"), "Expect is the container's to answer: " + answer.body());
            assertTrue(followUp(client, "/record?after"), "the connection goes on");
        }
        assertEquals(List.of("POST /early?case=expect early", seen("GET", "/record?after", "")), seenLines(state));
    }

    /**
     * The app answers at once and, its body not read and over the WSGI loader's 1 MB drain limit,
     * closes the connection while Corral is still writing the body: the answer still reaches the
     * client, and that app connection is not used again (the sync request would get it). As
     * found, Jetty then closes the client's connection; Tomcat reads the rest of the body (below
     * its 2 MB maxSwallowSize) and answers the next request on it.
     */
    @Test
    void expectContinueWithAnEarlyAnswerToALargeBodyReachesTheClient() throws Exception {
        Path state = stateDir();
        startReady(1, wsgi("rec").maxProcesses(1).env("TESTAPP_STATE_DIR=" + state));
        int length = 1536 * 1024;
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (RawHttp.Connection client = RawHttp.connect(base, READ_TIMEOUT)) {
            client.send("POST /early?case=expect-large HTTP/1.1\r\nHost: x\r\nContent-Length: " + length
                    + "\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response first = client.next();
            assertNotNull(first, "no answer to the request head");
            RawHttp.Response answer = first;
            CompletableFuture<Void> body = CompletableFuture.runAsync(() -> {
                try {
                    client.send(new byte[length]);
                } catch (IOException e) {
                    // the container may stop reading and close: the answer is what counts
                }
            }, writer);
            if (first.status() == 100) {
                answer = client.next();
            }
            assertNotNull(answer, "no final answer");
            assertEquals(200, answer.status());
            assertEquals("POST /early?case=expect-large early", answer.header("X-Seen"));
            boolean followUpAnswered = followUp(client, "/record?after");
            body.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            System.out.println("[forwarding-safety] Expect: 100-continue, early answer to a 1.5 MB body: answered; the next "
                    + "request on the connection: " + (followUpAnswered ? "answered" : "connection closed"));
        } finally {
            writer.shutdownNow();
        }
        assertEquals(seen("GET", "/record?sync", ""), RawHttp.exchange(base, "GET", "/record?sync").header("X-Seen"));
    }

    // ------------------------------------------------------------------ broken answers from the app

    /**
     * HttpParser (RFC 9110 compliance, the default) refuses both orders of Content-Length with
     * Transfer-Encoding: chunked, which RFC 9112 §6.3 says "ought to be handled as an error",
     * rather than following Transfer-Encoding; an unknown transfer coding too (the RFC would read
     * such a body up to the close). Both are 502 bad_response, and the connection is closed.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"two-lengths", "length-and-chunked", "chunked-and-length", "bad-status-line",
            "space-in-header-name", "bare-cr", "unknown-transfer-coding", "chunk-size-overflow", "switching-protocols"})
    void aBrokenAnswerIs502AndItsConnectionIsNotReused(String answer) throws Exception {
        Path state = stateDir();
        start(threaded("threaded").maxProcesses(1).env("TESTAPP_STATE_DIR=" + state));
        String connection = assertConnectionsAreReused();
        HttpResponse<String> bad = getWhole("/bad/" + answer);
        assertEquals(502, bad.statusCode(), bad.body());
        assertEquals("bad_response", bad.headers().firstValue("X-Corral-Reason").orElse(null));
        assertFalse(logs.awaitMatching("reason=bad_response", "/bad/" + answer).isEmpty(), logs.lines().toString());
        assertNextRequestOnAnotherConnection(state, connection);
    }

    @Test
    void bytesAfterAnAnswerAreNeverTakenForTheNextAnswer() throws Exception {
        Path state = stateDir();
        start(threaded("threaded").maxProcesses(1).env("TESTAPP_STATE_DIR=" + state));
        String connection = assertConnectionsAreReused();
        HttpResponse<String> first = getWhole("/bad/extra-bytes");
        assertEquals(200, first.statusCode());
        assertEquals("ok", first.body());
        assertNextRequestOnAnotherConnection(state, connection);
    }

    @Test
    void aChunkSizeOverflowAfterTheFirstChunkCutsTheResponseAndTheConnectionIsNotReused() throws Exception {
        Path state = stateDir();
        start(threaded("threaded").maxProcesses(1).env("TESTAPP_STATE_DIR=" + state));
        String connection = assertConnectionsAreReused();
        // the head and first chunk went to the client already: the response can only be cut off
        try (RawHttp.Connection client = RawHttp.connect(base, READ_TIMEOUT)) {
            client.send("GET /bad/chunk-size-overflow-later HTTP/1.1\r\nHost: x\r\n\r\n");
            IOException cut = assertThrows(IOException.class, () -> client.next());
            assertFalse(cut instanceof SocketTimeoutException, "the response hangs instead of being cut off");
        }
        assertFalse(logs.awaitMatching("reason=bad_response", "/bad/chunk-size-overflow-later").isEmpty(), logs.lines().toString());
        assertNextRequestOnAnotherConnection(state, connection);
    }

    /** Two requests in a row go over one app connection (else "not reused" below would prove nothing); returns its number. */
    private String assertConnectionsAreReused() throws Exception {
        HttpResponse<String> first = getWhole("/conn");
        HttpResponse<String> second = getWhole("/conn");
        assertEquals(200, second.statusCode());
        assertEquals(first.body(), second.body(), "Corral keeps an app connection alive between requests");
        return second.body();
    }

    private void assertNextRequestOnAnotherConnection(Path state, String reused) throws Exception {
        List<String> broken = Files.readAllLines(state.resolve("bad-connections.log"));
        assertEquals(List.of(reused), broken, "the broken answer came on the kept-alive connection");
        HttpResponse<String> next = getWhole("/conn");
        assertEquals(200, next.statusCode(), next.body());
        assertTrue(next.body().matches("[0-9]+"), "the next request's own answer: " + next.body());
        assertNotEquals(reused, next.body(), "the next request went over the connection with the broken answer");
    }

    // ------------------------------------------------------------------ helpers

    /** A GET whose whole answer, body included, arrives within {@link #DEADLINE} (HttpClient's own timeout ends with the head). */
    private HttpResponse<String> getWhole(String target) throws Exception {
        return getAsync(target).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Sends a well-formed request on the connection: true if it got its own answer from the app,
     * false if the container has closed the connection. Anything else (another request's
     * answer, a refusal, no answer in time) fails the test.
     */
    private static boolean followUp(RawHttp.Connection client, String target) throws IOException {
        RawHttp.Response response;
        try {
            client.send("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
            response = client.next();
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            return false;   // the write failed: closed
        }
        if (response == null) {
            return false;
        }
        assertEquals(seen("GET", target, ""), response.header("X-Seen"), "the next request's own answer: " + response);
        return true;
    }

    /** The app's line for a request: method, target, body length and the body's SHA-256. */
    private static String seen(String method, String target, String body) {
        try {
            byte[] bytes = body.getBytes(StandardCharsets.ISO_8859_1);
            return method + " " + target + " " + bytes.length + " "
                    + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> seenLines(Path state) throws IOException {
        Path log = state.resolve("seen.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }
}
