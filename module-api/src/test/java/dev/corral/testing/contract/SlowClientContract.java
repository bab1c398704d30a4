package dev.corral.testing.contract;

import dev.corral.testing.RawHttp;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A process never waits for a slow client (response buffering): what a client has not read yet
 * waits in Corral (memory, then a private temporary file), the process is free as soon as the app
 * has answered, and nothing is left behind when the client leaves.
 */
public abstract class SlowClientContract extends ContractSupport {

    /** The JVM's open files that are response buffers (unlinked at once, so only /proc shows them). */
    private static List<String> openBufferFiles() throws IOException {
        List<String> open = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.contains("/buffers/response-")) {
                        open.add(target);
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return open;
    }

    @Test
    void aClientThatStopsReadingDoesNotHoldTheProcess() throws Exception {
        startReady(1, wsgi("slow").minProcesses(1).maxProcesses(1).queueTimeout("10s"));
        Socket slow = new Socket();
        slow.setReceiveBufferSize(16 * 1024);   // the kernel holds little for it: Corral must
        slow.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
        slow.setSoTimeout((int) DEADLINE.toMillis());
        try {
            slow.getOutputStream().write(("GET /big?mb=20 HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = slow.getInputStream();
            byte[] first = new byte[4096];
            int n = in.read(first);
            assertTrue(n > 0 && new String(first, 0, n, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200"));
            // the client reads nothing more: the app's 20 MB go to Corral's buffer, and the process is free
            awaitStatus("slow", s -> s.busy() == 0 && s.served() == 1);
            HttpResponse<String> other = get("/hello");
            assertEquals(200, other.statusCode(), "a second client is served while the first one does not read");
            assertTrue(!openBufferFiles().isEmpty(), "the unread rest waits in a temporary file, not on the heap");
            Path buffers = container.corral().runDir().resolve("buffers");
            try (Stream<Path> files = Files.exists(buffers) ? Files.list(buffers) : Stream.empty()) {
                assertEquals(0, files.count(), "buffer files are unlinked at once: nothing to leave behind");
            }
        } finally {
            slow.close();   // leaves in the middle of its response
        }
        await().atMost(DEADLINE).until(() -> openBufferFiles().isEmpty());
        awaitStatus("slow", s -> s.failuresByReason().get("client_gone") == 1);
        assertEquals(200, get("/hello").statusCode());
    }

    @Test
    void aSlowClientGetsTheWholeBodyInOrder() throws Exception {
        startReady(1, wsgi("slow").minProcesses(1).maxProcesses(1));
        try (Socket socket = RawHttp.open(base, "GET /big?mb=6 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) {
            socket.setSoTimeout((int) DEADLINE.toMillis());
            InputStream in = socket.getInputStream();
            // the head, then the body, read in small bites with pauses until the app is done
            StringBuilder headText = new StringBuilder();
            int b;
            while (!headText.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0) {
                headText.append((char) b);
            }
            assertTrue(headText.toString().startsWith("HTTP/1.1 200"), headText.toString());
            awaitStatus("slow", s -> s.busy() == 0);   // the app finished long before its client
            boolean chunked = headText.toString().toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked");
            byte[] body = chunked ? dechunk(in) : in.readAllBytes();
            assertEquals(6 << 20, body.length);
            for (int i = 0; i < body.length; i++) {
                if (body[i] != (byte) (i % 256)) {
                    throw new AssertionError("byte " + i + " is " + body[i] + ", expected " + (byte) (i % 256));
                }
            }
        }
    }

    @Test
    void aSlowUploadDoesNotHoldTheProcess() throws Exception {
        startReady(1, wsgi("upload").minProcesses(1).maxProcesses(1).queueTimeout("10s"));
        byte[] body = new byte[1 << 20];
        new java.util.Random(5).nextBytes(body);
        try (Socket upload = RawHttp.open(base, "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n")) {
            upload.getOutputStream().write(body, 0, 100_000);
            upload.getOutputStream().flush();
            // the rest has not come: Corral waits for it without a process, and serves another client meanwhile
            assertEquals(200, get("/hello").statusCode(), "a second client is served while the upload trickles in");
            assertEquals(0, app("upload").status().busy());
            upload.getOutputStream().write(body, 100_000, body.length - 100_000);
            upload.getOutputStream().flush();
            RawHttp.Response response = RawHttp.read(upload.getInputStream());
            assertEquals(200, response.status());
            String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body));
            assertEquals("{\"length\": " + body.length + ", \"sha256\": \"" + sha + "\"}", response.body());
        }
    }

    @Test
    void aChunkedUploadReachesTheAppWithItsLength() throws Exception {
        startReady(1, wsgi("upload"));
        try (Socket upload = RawHttp.open(base, "POST /record HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")) {
            RawHttp.Response response = RawHttp.read(upload.getInputStream());
            assertEquals(200, response.status());
            assertTrue(response.body().contains("\"CONTENT_LENGTH\": \"11\""), response.body());
            assertTrue(response.header("X-Seen").startsWith("POST /record 11 "), response.header("X-Seen"));
        }
    }

    @Test
    void aBodyOverMaxRequestBodyIs413WithoutAProcess() throws Exception {
        startReady(1, wsgi("upload").maxRequestBody("1KB").detailedErrors(true));
        HttpResponse<String> declared = post("/echo", "x".repeat(2000));
        assertEquals(413, declared.statusCode());
        assertEquals("body_too_large", declared.headers().firstValue("X-Corral-Reason").orElse(null));
        assertTrue(declared.body().contains("the request body of 2000 bytes is larger than maxRequestBody=1KB"), declared.body());
        String chunk = "y".repeat(600);
        try (Socket chunked = RawHttp.open(base, "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n258\r\n" + chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n")) {
            RawHttp.Response response = RawHttp.read(chunked.getInputStream());
            assertEquals(413, response.status());
            assertEquals("body_too_large", response.header("X-Corral-Reason"));
        }
        assertEquals(0, app("upload").status().served(), "no process saw either");
        assertEquals(2L, app("upload").status().failuresByReason().get("body_too_large"));
    }

    @Test
    void aBodyThatTricklesPastClientBodyTimeoutIs408WithoutAProcess() throws Exception {
        startReady(1, wsgi("upload").clientBodyTimeout("1s"));
        try (Socket upload = RawHttp.open(base, "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Content-Length: 100000\r\n\r\n")) {
            // 100 bytes every 100 ms, far too slowly: ended by Corral's 408 (bounded by the deadline)
            RawHttp.Response response = RawHttp.trickle(upload, 100, Duration.ofMillis(100), DEADLINE);
            assertEquals(408, response.status());
            assertEquals("client_body_timeout", response.header("X-Corral-Reason"));
        }
        assertEquals(0, app("upload").status().served());
        assertTrue(logs.awaitMatching("reason=client_body_timeout", "app=upload", "pid=-").size() == 1, logs.lines().toString());
    }

    private static byte[] dechunk(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        while (true) {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            int size = Integer.parseInt(line.toString().trim(), 16);
            if (size == 0) {
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            in.read();   // CR
            in.read();   // LF
        }
    }
}
