package dev.corral.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The soak's load on one app: a fixed rate of mixed requests over a few keep-alive connections,
 * well below what the app can serve, for as long as the soak runs (paced, unlike wrk and
 * {@link LoadClient}, which send as fast as answers come: a soak looks for what accumulates
 * over time, not for the limit).
 *
 * <p>Each of {@code connections} threads sends one request every {@code connections / rate}
 * seconds on its own connection (reopened when it breaks or the server closes it), and never
 * has more than one request out: after an answer slower than the period, the next request goes
 * at once and the schedule restarts from it, so a stall is not followed by a burst. The mix, drawn from a seeded random per thread: 80% {@code GET
 * /hello}, 10% {@code GET /sleep?ms=20}, 7% {@code GET /big?kb=64} (streamed through Corral),
 * 3% {@code POST /upload} with 16 KiB (a request body through Corral), all under the app's
 * path prefix.
 *
 * <p>Thread-safety: the counters are {@link LongAdder}s, read at any time by the soak's
 * sampler while the load threads add to them; each connection is confined to its thread.
 */
final class SoakLoad {
    private static final int UPLOAD_BYTES = 16 * 1024;

    private final String app;
    private final InetSocketAddress address;
    private final String prefix;
    private final int connections;
    private final double rate;
    private final long seed;
    private final int timeoutMillis;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;

    // counters since the start, read by the sampler at any time
    private final LongAdder requests = new LongAdder();
    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    /**
     * @param prefix      the app's path prefix ("" for {@code /})
     * @param rate        requests per second, all connections together
     */
    SoakLoad(String app, InetSocketAddress address, String prefix, int connections, double rate, long seed,
             int timeoutMillis) {
        if (connections < 1 || !(rate > 0)) {
            throw new IllegalArgumentException("connections must be >= 1 and rate > 0, but were [" + connections
                    + "] and [" + rate + "]");
        }
        this.app = app;
        this.address = address;
        this.prefix = prefix.equals("/") ? "" : prefix;
        this.connections = connections;
        this.rate = rate;
        this.seed = seed;
        this.timeoutMillis = timeoutMillis;
    }

    String app() {
        return app;
    }

    void start() {
        long periodNanos = (long) (connections / rate * 1e9);
        for (int i = 0; i < connections; i++) {
            Random random = new Random(seed * 31 + i);
            // spread the connections' first requests over one period
            long offset = periodNanos * i / connections;
            Thread thread = new Thread(() -> loop(random, periodNanos, offset), "soak-load-" + app + "-" + i);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
    }

    /** Stops sending and waits for the requests in flight (at most the client timeout). */
    void stop() throws InterruptedException {
        stopping = true;
        for (Thread thread : threads) {
            thread.join();
        }
    }

    /** Counts since the start: requests, then per status, then per socket error kind. */
    Counts counts() {
        Map<Integer, Long> byStatus = new TreeMap<>();
        statuses.forEach((status, n) -> byStatus.put(status, n.sum()));
        Map<String, Long> byError = new TreeMap<>();
        errors.forEach((kind, n) -> byError.put(kind, n.sum()));
        return new Counts(requests.sum(), byStatus, byError);
    }

    /** What the load saw so far. */
    record Counts(long requests, Map<Integer, Long> statuses, Map<String, Long> errors) {
        long ok() {
            return statuses.entrySet().stream().filter(e -> e.getKey() >= 200 && e.getKey() < 300)
                    .mapToLong(Map.Entry::getValue).sum();
        }

        long errorCount() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private void loop(Random random, long periodNanos, long offsetNanos) {
        HttpConnection connection = null;
        long next = System.nanoTime() + offsetNanos;
        while (!stopping) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(Math.min(wait, 100_000_000L));   // wakes up for stop() within 0.1 s
                continue;
            }
            next = Math.max(next + periodNanos, System.nanoTime());
            byte[] request = request(random.nextInt(100));
            requests.increment();
            try {
                if (connection == null) {
                    connection = new HttpConnection(address, timeoutMillis);
                }
                HttpConnection.Response response = connection.exchange(request);
                statuses.computeIfAbsent(response.status(), s -> new LongAdder()).increment();
                if (response.close()) {
                    connection.close();
                    connection = null;
                }
            } catch (IOException e) {
                errors.computeIfAbsent(HttpConnection.kind(e, connection), k -> new LongAdder()).increment();
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
            }
        }
        if (connection != null) {
            connection.close();
        }
    }

    private byte[] request(int dice) {
        String host = "Host: " + address.getHostString() + ":" + address.getPort() + "\r\nUser-Agent: corral-soak\r\n";
        String head;
        if (dice < 80) {
            head = "GET " + prefix + "/hello HTTP/1.1\r\n" + host + "\r\n";
        } else if (dice < 90) {
            head = "GET " + prefix + "/sleep?ms=20 HTTP/1.1\r\n" + host + "\r\n";
        } else if (dice < 97) {
            head = "GET " + prefix + "/big?kb=64 HTTP/1.1\r\n" + host + "\r\n";
        } else {
            head = "POST " + prefix + "/upload HTTP/1.1\r\n" + host + "Content-Type: application/octet-stream\r\n"
                    + "Content-Length: " + UPLOAD_BYTES + "\r\n\r\n" + "x".repeat(UPLOAD_BYTES);
        }
        return head.getBytes(StandardCharsets.ISO_8859_1);
    }
}
