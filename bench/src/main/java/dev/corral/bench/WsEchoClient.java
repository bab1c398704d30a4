package dev.corral.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The WebSocket echo load client of bench/run's {@code websocket-echo} scenario: round trips of
 * one message each, through Corral or straight to the app process.
 *
 * <pre>
 * java -cp bench/target/corral-bench-jmh.jar dev.corral.bench.WsEchoClient --port 18082 \
 *      [--path /ws] [--connections 16] [--duration 10] [--warmup 2] [--size 64] [--timeout 15]
 *      [--host 127.0.0.1]
 * </pre>
 *
 * <p>Each of {@code --connections} threads opens one WebSocket (a plain socket: the HTTP/1.1
 * handshake, then RFC 6455 frames, as little client as possible between the measurement and
 * the wire) and, closed-loop, sends a masked text message of {@code --size} bytes and reads the
 * echo back, until the end. A round trip is the time from writing the message to having read its
 * echo whole. A failure (no 101, a timeout, the connection closed or reset) is counted by kind
 * and the socket reopened, 10 ms later. Only round trips started after the warm-up count. Prints
 * one JSON object on stdout: the messages echoed, messages/s, latency percentiles in ms and the
 * errors by kind.
 */
public final class WsEchoClient {
    private final InetSocketAddress address;
    private final String hostHeader;
    private final String path;
    private final int timeoutMillis;
    private final int size;
    private volatile long recordFrom;
    private volatile long stopAt;

    private WsEchoClient(String host, int port, String path, int timeoutMillis, int size) {
        this.address = new InetSocketAddress(host, port);
        this.hostHeader = host + ":" + port;
        this.path = path;
        this.timeoutMillis = timeoutMillis;
        this.size = size;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new TreeMap<>(Map.of("host", "127.0.0.1", "path", "/ws", "connections", "16",
                "duration", "10", "warmup", "0", "timeout", "15", "size", "64"));
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("usage: WsEchoClient --port N [--path P] [--connections C] [--duration S] [--warmup S]"
                        + " [--size BYTES] [--timeout S] [--host H]");
                System.exit(2);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        if (!options.containsKey("port")) {
            System.err.println("WsEchoClient: --port is required");
            System.exit(2);
        }
        int size = Integer.parseInt(options.get("size"));
        if (size < 0 || size > 65535) {
            System.err.println("WsEchoClient: --size must be 0..65535 bytes");
            System.exit(2);
        }
        WsEchoClient client = new WsEchoClient(options.get("host"), Integer.parseInt(options.get("port")),
                options.get("path"), (int) (Double.parseDouble(options.get("timeout")) * 1000), size);
        int connections = Integer.parseInt(options.get("connections"));
        double warmup = Double.parseDouble(options.get("warmup"));
        double duration = Double.parseDouble(options.get("duration"));
        long now = System.nanoTime();
        client.recordFrom = now + (long) (warmup * 1e9);
        client.stopAt = client.recordFrom + (long) (duration * 1e9);
        List<Recorder> recorders = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Recorder recorder = new Recorder();
            recorders.add(recorder);
            threads.add(new Thread(() -> client.loop(recorder), "ws-echo-" + i));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        LongList all = new LongList();
        Map<String, Long> errors = new TreeMap<>();
        for (Recorder r : recorders) {
            all.addAll(r.latencies);
            r.errors.forEach((kind, n) -> errors.merge(kind, n, Long::sum));
        }
        long[] sorted = all.sorted();
        StringBuilder json = new StringBuilder("{\"connections\":").append(connections)
                .append(",\"duration_s\":").append(duration)
                .append(",\"size\":").append(size)
                .append(",\"messages\":").append(sorted.length)
                .append(",\"mps\":").append(fmt(sorted.length / duration));
        if (sorted.length > 0) {
            json.append(",\"p50_ms\":").append(fmt(percentile(sorted, 50) / 1e6))
                    .append(",\"p99_ms\":").append(fmt(percentile(sorted, 99) / 1e6))
                    .append(",\"p999_ms\":").append(fmt(percentile(sorted, 99.9) / 1e6))
                    .append(",\"max_ms\":").append(fmt(sorted[sorted.length - 1] / 1e6));
        }
        json.append(",\"errors\":{");
        String sep = "";
        for (Map.Entry<String, Long> entry : errors.entrySet()) {
            json.append(sep).append('"').append(entry.getKey()).append("\":").append(entry.getValue());
            sep = ",";
        }
        System.out.println(json.append("}}"));
    }

    /** One connection's round trips until the end, reopening the socket when it fails. */
    private void loop(Recorder recorder) {
        byte[] payload = "x".repeat(size).getBytes(StandardCharsets.US_ASCII);
        Socket socket = null;
        InputStream in = null;
        OutputStream out = null;
        while (System.nanoTime() - stopAt < 0) {
            try {
                if (socket == null) {
                    socket = open();
                    in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
                    out = socket.getOutputStream();
                }
                long start = System.nanoTime();
                out.write(maskedText(payload));
                out.flush();
                int echoed = readFrame(in);
                long nanos = System.nanoTime() - start;
                if (echoed != size) {
                    throw new IOException("echo of " + echoed + " bytes, sent " + size);
                }
                if (start - recordFrom >= 0) {
                    recorder.latencies.add(nanos);
                }
            } catch (IOException e) {
                if (System.nanoTime() - recordFrom >= 0) {
                    recorder.errors.merge(kind(e), 1L, Long::sum);
                }
                close(socket);
                socket = null;
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
            }
        }
        if (socket != null) {
            try {
                out.write(new byte[] {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03, (byte) 0xe8});   // close 1000, mask 0
                out.flush();
            } catch (IOException e) {
                // closing anyway
            }
            close(socket);
        }
    }

    /** Connects and switches to WebSocket; the socket, reading from right after the 101's head. */
    private Socket open() throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                    + Base64.getEncoder().encodeToString(nonce) + "\r\nUser-Agent: corral-bench\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            // the head, byte by byte: nothing after it may be taken from the stream
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("closed during the handshake");
                }
                head.append((char) b);
                if (head.length() > 16 * 1024) {
                    throw new IOException("handshake answer too long");
                }
            }
            if (!head.toString().startsWith("HTTP/1.1 101")) {
                throw new HandshakeException(head.substring(0, head.indexOf("\r\n")));
            }
            return socket;
        } catch (IOException | RuntimeException e) {
            close(socket);
            throw e;
        }
    }

    /** A masked text frame, FIN set, with a fresh masking key. */
    private static byte[] maskedText(byte[] payload) {
        int n = payload.length;
        int header = n < 126 ? 2 : 4;
        byte[] frame = new byte[header + 4 + n];
        frame[0] = (byte) 0x81;
        if (n < 126) {
            frame[1] = (byte) (0x80 | n);
        } else {
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (n >> 8);
            frame[3] = (byte) n;
        }
        int mask = ThreadLocalRandom.current().nextInt();
        for (int k = 0; k < 4; k++) {
            frame[header + k] = (byte) (mask >>> (24 - 8 * k));
        }
        for (int i = 0; i < n; i++) {
            frame[header + 4 + i] = (byte) (payload[i] ^ frame[header + (i & 3)]);
        }
        return frame;
    }

    /** Reads one (unmasked) frame from the server; its payload's length. */
    private static int readFrame(InputStream in) throws IOException {
        int first = in.read();
        int second = in.read();
        if (first < 0 || second < 0) {
            throw new EOFException("closed");
        }
        if ((first & 0x0f) == 0x8) {
            throw new EOFException("closed by the server");
        }
        long length = second & 0x7f;
        if (length == 126) {
            length = (read(in) << 8) | read(in);
        } else if (length == 127) {
            length = 0;
            for (int k = 0; k < 8; k++) {
                length = (length << 8) | read(in);
            }
        }
        if ((second & 0x80) != 0) {
            in.skipNBytes(4);   // a server does not mask, but the length is what is measured
        }
        in.skipNBytes(length);
        return (int) length;
    }

    private static long read(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("closed");
        }
        return b;
    }

    private static String kind(IOException e) {
        if (e instanceof HandshakeException) {
            return "handshake";
        }
        if (e instanceof SocketTimeoutException) {
            return "timeout";
        }
        if (e instanceof java.net.ConnectException) {
            return "connect";
        }
        if (e instanceof EOFException) {
            return "eof";
        }
        return "reset";
    }

    private static void close(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    /** The handshake was not answered with 101. */
    private static final class HandshakeException extends IOException {
        HandshakeException(String statusLine) {
            super("no 101: " + statusLine);
        }
    }

    /** One thread's round trips and errors. */
    private static final class Recorder {
        final LongList latencies = new LongList();
        final Map<String, Long> errors = new TreeMap<>();
    }

    private static long percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
