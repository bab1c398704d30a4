package dev.corral.testing.contract;

import dev.corral.testing.RawHttp;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What passes between client and app: forwarded headers and hop-by-hop ones stripped, large
 * bodies streamed both ways (the surefire heap is 256 MB), streamed and chunked bodies, and a
 * malformed or truncated answer from the app.
 */
public abstract class StreamingContract extends ContractSupport {

    @Test
    void setsForwardedHeadersAndStripsHopByHopOnes() throws Exception {
        start(wsgi("demo"));
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
        start(wsgi("demo").maxRequestBody("0"));   // 200 MB up: over the default limit of 100MB
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
        Path state = stateDir();
        start(threaded("threaded").env("TESTAPP_STATE_DIR=" + state));
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
        start(wsgi("demo"));
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
        start(threaded("threaded"));
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
}
