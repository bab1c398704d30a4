package dev.corral.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small HTTP/1.1 load client for the scenarios wrk cannot report: the latency of each status
 * separately (how fast rejections come, and whether each 503 carries {@code Retry-After}), and
 * which requests of a mixed stream fail and how (the {@code /crash} scenario).
 *
 * <pre>
 * java -cp bench/target/corral-bench-jmh.jar dev.corral.bench.LoadClient --port 18082 \
 *      --path /sleep?ms=200 --connections 64 --duration 10 [--warmup 2] [--timeout 30]
 *      [--crash-path /crash --crash-every-ms 1000] [--host 127.0.0.1]
 * </pre>
 *
 * <p>Each of {@code --connections} threads keeps one keep-alive connection and sends
 * {@code GET <path>} as soon as the previous response has been read (closed-loop, like wrk). With
 * {@code --crash-path}, one more thread sends that path on a new connection every
 * {@code --crash-every-ms}, from the end of the warm-up on. A request that fails without a response is counted as a socket error
 * by kind ({@code connect}, {@code reset}, {@code eof} = closed before a complete response,
 * {@code timeout}, {@code write}) and the connection is reopened (10 ms later after a connect
 * error). Only requests started after the warm-up count. Prints one JSON object on stdout:
 * per stream ({@code main}, {@code crash}) the requests, per status the count and latency
 * percentiles in ms, the socket errors, and the 503s without {@code Retry-After}.
 */
public final class LoadClient {
    private final InetSocketAddress address;
    private final String hostHeader;
    private final int timeoutMillis;
    private volatile long recordFrom;
    private volatile long stopAt;

    private LoadClient(String host, int port, int timeoutMillis) {
        this.address = new InetSocketAddress(host, port);
        this.hostHeader = host + ":" + port;
        this.timeoutMillis = timeoutMillis;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new TreeMap<>(Map.of("host", "127.0.0.1", "connections", "16", "duration", "10",
                "warmup", "0", "timeout", "30", "crash-every-ms", "1000"));
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("usage: LoadClient --port N --path P [--connections C] [--duration S] [--warmup S]"
                        + " [--timeout S] [--crash-path P --crash-every-ms MS] [--host H]");
                System.exit(2);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        if (!options.containsKey("port") || !options.containsKey("path")) {
            System.err.println("LoadClient: --port and --path are required");
            System.exit(2);
        }
        LoadClient client = new LoadClient(options.get("host"), Integer.parseInt(options.get("port")),
                (int) (Double.parseDouble(options.get("timeout")) * 1000));
        int connections = Integer.parseInt(options.get("connections"));
        double warmup = Double.parseDouble(options.get("warmup"));
        double duration = Double.parseDouble(options.get("duration"));
        String crashPath = options.get("crash-path");
        long crashEvery = Long.parseLong(options.get("crash-every-ms")) * 1_000_000L;

        long now = System.nanoTime();
        client.recordFrom = now + (long) (warmup * 1e9);
        client.stopAt = client.recordFrom + (long) (duration * 1e9);
        List<Recorder> main = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Recorder recorder = new Recorder();
            main.add(recorder);
            threads.add(new Thread(() -> client.loop(options.get("path"), recorder, 0), "load-" + i));
        }
        Recorder crash = new Recorder();
        if (crashPath != null) {
            threads.add(new Thread(() -> client.loop(crashPath, crash, crashEvery), "load-crash"));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        StringBuilder json = new StringBuilder("{\"connections\":").append(connections)
                .append(",\"duration_s\":").append(duration)
                .append(",\"path\":\"").append(options.get("path")).append('"')
                .append(",\"main\":").append(Recorder.merge(main).json(duration));
        if (crashPath != null) {
            json.append(",\"crash_path\":\"").append(crashPath).append('"')
                .append(",\"crash_every_ms\":").append(crashEvery / 1_000_000)
                .append(",\"crash\":").append(crash.json(duration));
        }
        System.out.println(json.append('}'));
    }

    /**
     * Sends {@code path} until the end, on one keep-alive connection (reopened when it breaks).
     * With {@code everyNanos > 0}: one request per period, each on a new connection.
     */
    private void loop(String path, Recorder recorder, long everyNanos) {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: corral-bench\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        HttpConnection connection = null;
        // the periodic stream starts with the measurement: an unrecorded warm-up crash would
        // still do its damage in the first recorded seconds
        long next = everyNanos > 0 ? recordFrom : System.nanoTime();
        while (System.nanoTime() - stopAt < 0) {
            if (everyNanos > 0) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(Math.min(wait, stopAt - System.nanoTime()));
                    continue;
                }
                next += everyNanos;
            }
            long start = System.nanoTime();
            boolean record = start - recordFrom >= 0;
            try {
                if (connection == null) {
                    connection = new HttpConnection(address, timeoutMillis);
                }
                HttpConnection.Response response = connection.exchange(request);
                long nanos = System.nanoTime() - start;
                if (record) {
                    recorder.response(response.status(), nanos, response.retryAfter());
                }
                if (response.close() || everyNanos > 0) {
                    connection.close();
                    connection = null;
                }
            } catch (IOException e) {
                String kind = HttpConnection.kind(e, connection);
                if (record) {
                    recorder.error(kind);
                }
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
                if (kind.equals("connect")) {
                    java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
                }
            }
        }
        if (connection != null) {
            connection.close();
        }
    }

    /** Latencies per status and error counts of one thread; merged at the end. */
    private static final class Recorder {
        private final Map<Integer, LongList> latencies = new TreeMap<>();
        private final Map<String, Long> errors = new TreeMap<>();
        private long unavailableWithoutRetryAfter;

        void response(int status, long nanos, boolean retryAfter) {
            latencies.computeIfAbsent(status, s -> new LongList()).add(nanos);
            if (status == 503 && !retryAfter) {
                unavailableWithoutRetryAfter++;
            }
        }

        void error(String kind) {
            errors.merge(kind, 1L, Long::sum);
        }

        static Recorder merge(List<Recorder> recorders) {
            Recorder all = new Recorder();
            for (Recorder r : recorders) {
                r.latencies.forEach((status, list) -> all.latencies.computeIfAbsent(status, s -> new LongList()).addAll(list));
                r.errors.forEach((kind, count) -> all.errors.merge(kind, count, Long::sum));
                all.unavailableWithoutRetryAfter += r.unavailableWithoutRetryAfter;
            }
            return all;
        }

        String json(double durationSeconds) {
            long responses = latencies.values().stream().mapToLong(LongList::size).sum();
            long failed = errors.values().stream().mapToLong(Long::longValue).sum();
            StringBuilder s = new StringBuilder("{\"requests\":").append(responses + failed)
                    .append(",\"responses\":").append(responses)
                    .append(",\"rps\":").append(fmt(responses / durationSeconds))
                    .append(",\"status\":{");
            String sep = "";
            for (Map.Entry<Integer, LongList> entry : latencies.entrySet()) {
                long[] sorted = entry.getValue().sorted();
                s.append(sep).append('"').append(entry.getKey()).append("\":{\"count\":").append(sorted.length)
                        .append(",\"p50_ms\":").append(fmt(percentile(sorted, 50) / 1e6))
                        .append(",\"p99_ms\":").append(fmt(percentile(sorted, 99) / 1e6))
                        .append(",\"p999_ms\":").append(fmt(percentile(sorted, 99.9) / 1e6))
                        .append(",\"max_ms\":").append(fmt(sorted[sorted.length - 1] / 1e6)).append('}');
                sep = ",";
            }
            s.append("},\"errors\":{");
            sep = "";
            for (Map.Entry<String, Long> entry : errors.entrySet()) {
                s.append(sep).append('"').append(entry.getKey()).append("\":").append(entry.getValue());
                sep = ",";
            }
            return s.append("},\"503_without_retry_after\":").append(unavailableWithoutRetryAfter).append('}').toString();
        }

        private static long percentile(long[] sorted, double p) {
            int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }

        private static String fmt(double value) {
            return String.format(Locale.ROOT, "%.3f", value);
        }
    }
}
