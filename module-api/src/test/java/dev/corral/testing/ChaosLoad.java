package dev.corral.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A bounded load from many concurrent clients over plain keep-alive sockets, which records how
 * every request ended: a complete answer from the app, an error from Corral with its reason, a
 * response cut off after its head by an orderly close, or something broken (a reset, a hang, an
 * unexplained status, a wrong body). Plain sockets, because an HTTP client library would hide
 * exactly what this load is here to see (it retries, it pools, it folds resets into exceptions).
 *
 * <p>Bounded twice: by the number of requests and by a wall-clock limit; each read by a socket
 * timeout. Loopback only.
 */
public final class ChaosLoad {

    /** How a request ended, as a client sees it. */
    public enum Kind {
        /** A 2xx from the app with the body the request asked for. */
        APP_OK,
        /** 502/503/504 from Corral with {@code X-Corral-Reason} (and {@code Retry-After} on 503). */
        CORRAL_ERROR,
        /** A 2xx head, then the body ended early with an orderly close (the process died mid-response). */
        CUT,
        /** Anything else: a reset, no answer, a hang, a status or body no one should see. */
        BROKEN
    }

    /** One request to send: what, where, and how to check the body of a 2xx. */
    public record Request(String method, String target, byte[] body, String expectedBodyStart) {
    }

    /** How one request ended. */
    public record Outcome(int index, Request request, Kind kind, int status, String reason, String pid,
                          long millis, String detail) {
        @Override
        public String toString() {
            return "#" + index + " " + request.method() + " " + request.target() + " -> " + kind + " " + status
                    + (reason == null ? "" : " " + reason) + " in " + millis + " ms" + (detail == null ? "" : ": " + detail);
        }
    }

    private final URI base;
    private final int clients;
    private final int requests;
    private final Duration readTimeout;
    private final Duration bound;
    private final IntFunction<Request> plan;

    /**
     * @param clients     concurrent clients, each on its own connection (reopened after a close)
     * @param requests    requests to send in all
     * @param readTimeout how long one request may go without a byte before it counts as a hang
     * @param bound       wall-clock limit of the whole run
     * @param plan        the request for each index (0 .. requests-1)
     */
    public ChaosLoad(URI base, int clients, int requests, Duration readTimeout, Duration bound, IntFunction<Request> plan) {
        this.base = base;
        this.clients = clients;
        this.requests = requests;
        this.readTimeout = readTimeout;
        this.bound = bound;
        this.plan = plan;
    }

    /** Sends every request and returns their outcomes in index order; requests not sent by the bound are missing. */
    public List<Outcome> run() throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        long deadline = System.nanoTime() + bound.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread thread = new Thread(() -> {
                Client client = new Client();
                try {
                    int index;
                    while (System.nanoTime() - deadline < 0 && (index = next.getAndIncrement()) < requests) {
                        outcomes.add(client.send(index, plan.apply(index)));
                    }
                } finally {
                    client.close();
                }
            }, "chaos-client-" + c);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + readTimeout.toMillis() * 2));
        }
        List<Outcome> sorted = new ArrayList<>(outcomes);
        sorted.sort((a, b) -> Integer.compare(a.index(), b.index()));
        return sorted;
    }

    /** The usual mix: mostly small GETs, some slow ones, bodies up and down. Deterministic per seed and index. */
    public static IntFunction<Request> mixedPlan(long seed, String prefix, String helloStart) {
        return index -> {
            Random random = new Random(seed * 31 + index);
            int dice = random.nextInt(100);
            String tag = "n=" + index;
            if (dice < 50) {
                return new Request("GET", prefix + "/hello?" + tag, null, helloStart);
            }
            if (dice < 70) {
                return new Request("GET", prefix + "/sleep?ms=" + (5 + random.nextInt(30)) + "&" + tag, null, "");
            }
            if (dice < 95) {
                byte[] body = new byte[random.nextInt(96 * 1024)];
                random.nextBytes(body);
                return new Request("POST", prefix + "/echo?" + tag, body, "{\"length\": " + body.length
                        + ", \"sha256\": \"" + sha256(body) + "\"}");
            }
            return new Request("GET", prefix + "/big?mb=1&" + tag, null, null);
        };
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One client: a keep-alive connection, reopened whenever the server closed it. */
    private final class Client {
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        Outcome send(int index, Request request) {
            long start = System.nanoTime();
            boolean headSeen = false;
            int status = 0;
            String reason = null;
            String pid = null;
            try {
                if (socket == null) {
                    socket = new Socket();
                    socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), (int) readTimeout.toMillis());
                    socket.setSoTimeout((int) readTimeout.toMillis());
                    socket.setTcpNoDelay(true);
                    in = new java.io.BufferedInputStream(socket.getInputStream(), 16 * 1024);
                    out = socket.getOutputStream();
                }
                StringBuilder head = new StringBuilder(256).append(request.method()).append(' ').append(request.target())
                        .append(" HTTP/1.1\r\nHost: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n");
                if (request.body() != null) {
                    head.append("Content-Type: application/octet-stream\r\nContent-Length: ").append(request.body().length).append("\r\n");
                }
                head.append("\r\n");
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                if (request.body() != null) {
                    out.write(request.body());
                }
                out.flush();
                Map<String, String> headers = new LinkedHashMap<>();
                status = readHead(headers);
                headSeen = true;
                reason = headers.get("x-corral-reason");
                pid = headers.get("x-pid");
                boolean close = "close".equalsIgnoreCase(headers.get("connection"));
                byte[] body = readBody(headers, request.method().equals("HEAD"));
                long millis = elapsed(start);
                if (body == null) {
                    close();
                    return new Outcome(index, request, status >= 200 && status < 300 ? Kind.CUT : Kind.BROKEN, status, reason,
                            pid, millis, "body ended early (orderly close)");
                }
                if (close) {
                    close();
                }
                return classify(index, request, status, reason, pid, headers, body, millis);
            } catch (SocketTimeoutException e) {
                close();
                return new Outcome(index, request, Kind.BROKEN, status, reason, pid, elapsed(start),
                        "no byte for " + readTimeout.toMillis() + " ms: a hang" + (headSeen ? " after the head" : ""));
            } catch (IOException e) {
                close();
                String what = e instanceof SocketException && String.valueOf(e.getMessage()).contains("reset")
                        ? "connection reset" : e.toString();
                return new Outcome(index, request, Kind.BROKEN, status, reason, pid, elapsed(start),
                        what + (headSeen ? " after the head" : " before any response"));
            }
        }

        private Outcome classify(int index, Request request, int status, String reason, String pid,
                                 Map<String, String> headers, byte[] body, long millis) {
            String text = new String(body, 0, Math.min(body.length, 512), StandardCharsets.ISO_8859_1);
            if (status >= 200 && status < 300) {
                if (request.expectedBodyStart() != null && !text.startsWith(request.expectedBodyStart())) {
                    return new Outcome(index, request, Kind.BROKEN, status, reason, pid, millis,
                            "unexpected body: " + text.substring(0, Math.min(120, text.length())));
                }
                if (request.expectedBodyStart() == null && body.length != 1024 * 1024) {
                    return new Outcome(index, request, Kind.BROKEN, status, reason, pid, millis,
                            "a 1 MiB body arrived as " + body.length + " bytes");
                }
                return new Outcome(index, request, Kind.APP_OK, status, reason, pid, millis, null);
            }
            boolean corralStatus = status == 502 || status == 503 || status == 504;
            boolean retryAfter = status != 503 || headers.containsKey("retry-after");
            if (corralStatus && reason != null && retryAfter) {
                return new Outcome(index, request, Kind.CORRAL_ERROR, status, reason, pid, millis, null);
            }
            return new Outcome(index, request, Kind.BROKEN, status, reason, pid, millis,
                    "status " + status + " reason " + reason + " retry-after " + headers.get("retry-after") + ": "
                            + text.substring(0, Math.min(200, text.length())));
        }

        /** Reads the status line and headers (lower-case names); skips interim 1xx responses. */
        private int readHead(Map<String, String> headers) throws IOException {
            while (true) {
                String statusLine = readLine();
                if (statusLine == null) {
                    throw new EOFException("connection closed");
                }
                if (!statusLine.startsWith("HTTP/1.")) {
                    throw new IOException("not an HTTP status line: " + statusLine);
                }
                int status = Integer.parseInt(statusLine.substring(9, 12));
                headers.clear();
                String line;
                while ((line = readLine()) != null && !line.isEmpty()) {
                    int colon = line.indexOf(':');
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
                if (line == null) {
                    throw new EOFException("connection closed in the response head");
                }
                if (status >= 200 || status == 101) {
                    return status;
                }
            }
        }

        /** The body, or null when the connection closed before it was complete. */
        private byte[] readBody(Map<String, String> headers, boolean head) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (head) {
                return body.toByteArray();
            }
            String length = headers.get("content-length");
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                while (true) {
                    String size = readLine();
                    if (size == null) {
                        return null;
                    }
                    int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                    if (n == 0) {
                        String trailer;
                        while ((trailer = readLine()) != null && !trailer.isEmpty()) {
                            // trailers are ignored
                        }
                        return trailer == null ? null : body.toByteArray();
                    }
                    if (!copy(n, body) || readLine() == null) {
                        return null;
                    }
                }
            }
            if (length != null) {
                return copy(Long.parseLong(length), body) ? body.toByteArray() : null;
            }
            in.transferTo(body);   // delimited by the close
            close();
            return body.toByteArray();
        }

        private boolean copy(long n, ByteArrayOutputStream to) throws IOException {
            byte[] buffer = new byte[8192];
            while (n > 0) {
                int read = in.read(buffer, 0, (int) Math.min(buffer.length, n));
                if (read < 0) {
                    return false;
                }
                to.write(buffer, 0, read);
                n -= read;
            }
            return true;
        }

        private String readLine() throws IOException {
            StringBuilder line = new StringBuilder(64);
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    int end = line.length();
                    return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
                }
                line.append((char) c);
            }
            return null;
        }

        void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a broken socket
                }
                socket = null;
            }
        }
    }

    private static long elapsed(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }
}
