package dev.corral.bench;

import dev.corral.client.AppCallException;
import dev.corral.client.AppClient;
import dev.corral.client.AppRequest;
import dev.corral.client.AppResponse;
import dev.corral.pool.App;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code AppClient} calls against the same requests over HTTP through the container, in one JVM
 * (bench/run's {@code appclient-16} scenario): starts Corral on embedded Jetty or Tomcat exactly
 * as {@link JettyLauncher} / {@link TomcatLauncher} do (the options after {@code --} are theirs),
 * then drives the app from threads of this same JVM, one way of calling at a time:
 *
 * <ul>
 *   <li>{@code appclient}: {@code AppClient.named(app).send(AppRequest.get(path))}, the body read
 *       with {@code bodyAsBytes()} (no per-call timeout: see {@code appclient-timeout});</li>
 *   <li>{@code http}: {@code GET path} over HTTP/1.1 keep-alive to the container's loopback port,
 *       one connection per thread, with the bench's own minimal client ({@link HttpConnection}:
 *       blocking socket, the body skipped): the cheapest HTTP a caller could do;</li>
 *   <li>{@code jdk-http}: the same through {@code java.net.http.HttpClient} (HTTP/1.1, one client
 *       per run, its connection pool), what Java code would usually use;</li>
 *   <li>{@code dispatch}: no client API and no container: {@code App.dispatch} of an in-memory
 *       exchange ({@link BenchExchange}: the body is counted and dropped) on the calling thread,
 *       which waits for its end: the engine's own cost, the floor under the other modes;</li>
 *   <li>{@code appclient-timeout}: {@code appclient} with {@code AppRequest.timeout} set
 *       ({@code --timeout}); not in the default modes.</li>
 * </ul>
 *
 * <pre>
 * java -cp bench/target/corral-bench-jetty.jar dev.corral.bench.AppClientBench --container jetty \
 *      [--modes appclient,http,jdk-http,dispatch] [--threads 16] [--runs 3] [--duration 10] [--warmup 10] \
 *      [--path /hello] [--timeout 15] [--max-requests 10000000] [--clk-tck 100] \
 *      -- --port 18082 --set appRoot=... --set minProcesses=4 ...
 * </pre>
 *
 * <p>Closed loop: each of {@code --threads} threads sends its next request as soon as the last
 * one's body has been read; every latency is recorded (send to the body's end). After a warm-up
 * of {@code --warmup} seconds per mode (JIT), {@code --runs} rounds, each measuring every mode
 * for {@code --duration} seconds; the order alternates (a b c, then c b a, ...) so that neither a
 * drift of the machine nor going first passes for a difference. Each run also reads the CPU time
 * this JVM (driver and container together) and the app processes (the JVM's descendants, from
 * {@code /proc}) spent over it, and the JVM's by thread group ({@link #group}: the calling
 * threads, the AppClient pool, the container's threads, which forward their own requests, the
 * engine's, java.net.http's, GC, JIT), from {@code /proc/self/task}.
 *
 * <p>Bounds: a run ends at its duration or at {@code --max-requests}, whichever comes first; a
 * request over HTTP times out after {@code --timeout} s (socket timeout); a thread still in a
 * call {@code --timeout} s after its run ended is counted as stuck and left behind (daemon). All
 * traffic is on the loopback address the launcher options give (127.0.0.1 by default).
 *
 * <p>Prints one JSON object per measured run and mode on stdout (progress on stderr), then stops
 * the container, the engine and every app process. Exits 2 on bad options, 1 if the app did not
 * get ready or a mode's first request failed.
 */
public final class AppClientBench {
    static final List<String> MODES = List.of("appclient", "http", "jdk-http", "dispatch", "appclient-timeout");

    private final String path;
    private final int threads;
    private final Duration timeout;
    private final long maxRequests;
    private final int clkTck;
    private final App app;
    private final InetSocketAddress address;

    private AppClientBench(String path, int threads, Duration timeout, long maxRequests, int clkTck, App app,
                           InetSocketAddress address) {
        this.path = path;
        this.threads = threads;
        this.timeout = timeout;
        this.maxRequests = maxRequests;
        this.clkTck = clkTck;
        this.app = app;
        this.address = address;
    }

    public static void main(String[] args) throws Exception {
        int split = Arrays.asList(args).indexOf("--");
        String[] own = split < 0 ? args : Arrays.copyOfRange(args, 0, split);
        String[] launcher = split < 0 ? new String[0] : Arrays.copyOfRange(args, split + 1, args.length);
        Map<String, String> o = new TreeMap<>(Map.of("modes", "appclient,http,jdk-http,dispatch", "threads", "16", "runs", "3",
                "duration", "10", "warmup", "10", "path", "/hello", "timeout", "15", "max-requests", "10000000",
                "clk-tck", "100"));
        for (int i = 0; i < own.length; i++) {
            if (!own[i].startsWith("--") || i + 1 >= own.length) {
                usage("bad option [" + own[i] + "]");
            }
            String name = own[i].substring(2);
            if (!o.containsKey(name) && !name.equals("container")) {
                usage("unknown option [" + own[i] + "]");
            }
            o.put(name, own[++i]);
        }
        String container = o.get("container");
        if (!"jetty".equals(container) && !"tomcat".equals(container)) {
            usage("--container must be jetty or tomcat");
        }
        List<String> modes = List.of(o.get("modes").split(","));
        for (String mode : modes) {
            if (!MODES.contains(mode)) {
                usage("unknown mode [" + mode + "]; the modes are " + MODES);
            }
        }
        int threads = positive(o, "threads", 1024);
        int runs = positive(o, "runs", 1000);
        double duration = seconds(o, "duration");
        double warmup = o.get("warmup").equals("0") ? 0 : seconds(o, "warmup");
        double timeoutSeconds = seconds(o, "timeout");
        long maxRequests = positive(o, "max-requests", Integer.MAX_VALUE);
        String path = o.get("path");
        if (!path.startsWith("/")) {
            usage("--path must start with /");
        }

        LauncherOptions options = LauncherOptions.parseOrExit("AppClientBench", launcher);
        BenchLogging.install();
        // stops the container (the engine, the app processes) once: at the end, or at a signal
        AtomicReference<EmbeddedCorral.Action> stopper = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopOnce(stopper), "corral-bench-stop"));
        EmbeddedCorral started;
        try {
            started = container.equals("jetty") ? JettyLauncher.start(options, stopper::set)
                    : TomcatLauncher.start(options, stopper::set);
        } catch (Exception e) {
            System.err.println("AppClientBench: the container did not start: " + e);
            e.printStackTrace();
            System.exit(1);   // the hook stops what did start
            return;
        }
        System.err.println(started.readyLine());
        int status = 0;
        try {
            App app = started.corral().apps().get(0);
            awaitReady(app, Duration.ofSeconds(90));
            AppClientBench bench = new AppClientBench(path, threads, Duration.ofMillis((long) (timeoutSeconds * 1000)),
                    maxRequests, positive(o, "clk-tck", 100_000), app,
                    new InetSocketAddress(options.host, started.port()));
            for (String mode : modes) {
                bench.probe(mode);
            }
            for (String mode : modes) {
                if (warmup > 0) {
                    Result r = bench.run(mode, warmup);
                    log("warm-up " + mode + ": " + r.summary());
                }
            }
            for (int run = 1; run <= runs; run++) {
                List<String> order = new ArrayList<>(modes);
                if (run % 2 == 0) {
                    java.util.Collections.reverse(order);
                }
                for (int position = 0; position < order.size(); position++) {
                    String mode = order.get(position);
                    Result r = bench.run(mode, duration);
                    log("run " + run + " " + mode + ": " + r.summary());
                    System.out.println(r.json(started.container(), run, position + 1, threads, path));
                    System.out.flush();
                }
            }
        } catch (ProbeFailed e) {
            System.err.println("AppClientBench: " + e.getMessage());
            status = 1;
        } finally {
            stopOnce(stopper);
        }
        System.exit(status);
    }

    private static void usage(String problem) {
        System.err.println("AppClientBench: " + problem);
        System.err.println("usage: AppClientBench --container jetty|tomcat [--modes " + String.join(",", MODES) + "]"
                + " [--threads N] [--runs N] [--duration S] [--warmup S] [--path P] [--timeout S]"
                + " [--max-requests N] [--clk-tck N] -- LAUNCHER OPTIONS (--port N --set NAME=VALUE ...)");
        System.exit(2);
    }

    private static int positive(Map<String, String> o, String name, int max) {
        try {
            int value = Integer.parseInt(o.get(name));
            if (value >= 1 && value <= max) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        usage("--" + name + " must be an integer in [1, " + max + "], but was [" + o.get(name) + "]");
        return 0;
    }

    private static double seconds(Map<String, String> o, String name) {
        try {
            double value = Double.parseDouble(o.get(name));
            if (value > 0 && value <= 3600) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        usage("--" + name + " must be seconds in (0, 3600], but was [" + o.get(name) + "]");
        return 0;
    }

    private static void log(String line) {
        System.err.println(java.time.LocalTime.now().withNano(0) + " AppClientBench " + line);
    }

    private static void stopOnce(AtomicReference<EmbeddedCorral.Action> stopper) {
        EmbeddedCorral.Action stop = stopper.getAndSet(null);
        if (stop != null) {
            try {
                stop.run();
            } catch (Exception e) {
                System.err.println("AppClientBench: stopping the container failed: " + e);
            }
        }
    }

    /** Until the app has its {@code minProcesses} ready (Corral spawns them in rounds). */
    private static void awaitReady(App app, Duration limit) throws InterruptedException, ProbeFailed {
        long deadline = System.nanoTime() + limit.toNanos();
        int wanted = app.config().minProcesses();
        while (app.status().ready() < wanted) {
            if (System.nanoTime() - deadline > 0) {
                throw new ProbeFailed("only " + app.status().ready() + " of " + wanted + " processes became ready within "
                        + limit.toSeconds() + " s: " + app.status());
            }
            Thread.sleep(20);
        }
    }

    // ------------------------------------------------------------------------------ the callers

    /** One thread's way of sending the request: a connection, or none. Confined to its thread. */
    private interface Caller {
        /** One request, its body read to the end; returns the status. */
        int call() throws IOException, InterruptedException;

        default void close() {
        }

        /** Makes one thread's caller. */
        interface Factory {
            Caller open();
        }
    }

    /** Makes a thread's {@link Caller}s for one run of a mode (what they share lives here). */
    private Caller.Factory callers(String mode) {
        return switch (mode) {
            case "appclient", "appclient-timeout" -> {
                AppClient client = AppClient.named(app.name());
                AppRequest request = mode.equals("appclient") ? AppRequest.get(path)
                        : AppRequest.builder("GET", path).timeout(timeout).build();
                yield () -> () -> {
                    try (AppResponse response = client.send(request)) {
                        response.bodyAsBytes();
                        return response.status();
                    }
                };
            }
            case "http" -> {
                byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + ":" + address.getPort()
                        + "\r\nUser-Agent: corral-bench\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
                int timeoutMillis = (int) timeout.toMillis();
                yield () -> new Caller() {
                    private HttpConnection connection;

                    @Override
                    public int call() throws IOException {
                        if (connection == null) {
                            connection = new HttpConnection(address, timeoutMillis);
                        }
                        HttpConnection.Response response;
                        try {
                            response = connection.exchange(request);
                        } catch (IOException e) {
                            close();
                            throw e;
                        }
                        if (response.close()) {
                            close();
                        }
                        return response.status();
                    }

                    @Override
                    public void close() {
                        if (connection != null) {
                            connection.close();
                            connection = null;
                        }
                    }
                };
            }
            case "jdk-http" -> {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(timeout).build();
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address.getHostString() + ":"
                        + address.getPort() + path)).GET().build();
                yield () -> () -> client.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
            }
            case "dispatch" -> () -> () -> {
                BenchExchange exchange = new BenchExchange(path);
                app.dispatch(exchange);
                if (!exchange.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    throw new java.net.SocketTimeoutException("no end of the exchange within " + timeout.toMillis() + " ms");
                }
                if (exchange.failure() != null) {
                    throw new IOException(exchange.failure());
                }
                return exchange.status();
            };
            default -> throw new IllegalArgumentException(mode);
        };
    }

    /** The first request of a mode must be answered 200, before anything is measured. */
    private void probe(String mode) throws ProbeFailed {
        Caller caller = callers(mode).open();
        try {
            int status = caller.call();
            if (status != 200) {
                throw new ProbeFailed(mode + ": GET " + path + " answered " + status);
            }
        } catch (IOException | InterruptedException e) {
            throw new ProbeFailed(mode + ": GET " + path + " failed: " + e);
        } finally {
            caller.close();
        }
    }

    /** {@code threads} threads calling for {@code seconds}, closed-loop; every latency recorded. */
    private Result run(String mode, double seconds) throws InterruptedException {
        Caller.Factory factory = callers(mode);
        long perThread = Math.max(1, maxRequests / threads);
        Recorder[] recorders = new Recorder[threads];
        Thread[] workers = new Thread[threads];
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(threads);
        CountDownLatch release = new CountDownLatch(1);
        long[] window = new long[2];
        for (int i = 0; i < threads; i++) {
            Recorder recorder = recorders[i] = new Recorder();
            workers[i] = new Thread(() -> {
                try {
                    go.await();
                    loop(factory, recorder, window[1], perThread);
                } catch (InterruptedException e) {
                    return;
                } finally {
                    ended.countDown();
                }
                try {
                    // alive until the run's CPU times are read: a thread's ticks go with it
                    release.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    // ending anyway
                }
            }, "bench-" + mode + "-" + i);
            workers[i].setDaemon(true);
        }
        for (Thread worker : workers) {
            worker.start();
        }
        long cpu0 = jvmCpuNanos();
        long app0 = appCpuTicks();
        Map<Long, ThreadTicks> threads0 = threadTicks();
        window[0] = System.nanoTime();
        window[1] = window[0] + (long) (seconds * 1e9);
        go.countDown();
        long joinBy = window[1] + timeout.toNanos() + 5_000_000_000L;
        ended.await(joinBy - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS);
        long end = System.nanoTime();
        int stuck = (int) ended.getCount();
        Map<String, Double> byGroup = groupDelta(threads0, threadTicks(), clkTck);
        long cpu1 = jvmCpuNanos();
        long app1 = appCpuTicks();
        release.countDown();
        for (Thread worker : workers) {
            worker.join(1000);
            if (worker.isAlive()) {
                worker.interrupt();   // stuck in a call: left behind (a daemon), counted above
            }
        }
        Thread.sleep(500);   // let the app's processes and the container settle before the next run
        Result result = new Result(mode, Recorder.merge(recorders), (end - window[0]) / 1e9,
                cpu1 < 0 || cpu0 < 0 ? -1 : (cpu1 - cpu0) / 1e6,
                app1 < 0 || app0 < 0 ? -1 : (app1 - app0) * 1000.0 / clkTck, stuck, byGroup);
        return result;
    }

    private void loop(Caller.Factory factory, Recorder recorder, long stopAt, long maxCalls) {
        Caller caller = factory.open();
        try {
            long calls = 0;
            while (System.nanoTime() - stopAt < 0 && calls++ < maxCalls) {
                long start = System.nanoTime();
                try {
                    int status = caller.call();
                    recorder.response(status, System.nanoTime() - start);
                } catch (AppCallException e) {
                    recorder.error(e.reason());
                } catch (ConnectException e) {
                    recorder.error("connect");
                    LockSupport.parkNanos(10_000_000L);
                } catch (IOException e) {
                    recorder.error(e.getClass().getSimpleName());
                } catch (InterruptedException e) {
                    return;
                }
            }
        } finally {
            caller.close();
        }
    }

    // ------------------------------------------------------------------------------ CPU time

    private static long jvmCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** One thread of this JVM: its group ({@link #group}) and user + system clock ticks. */
    private record ThreadTicks(String group, long ticks) {
    }

    /** This JVM's threads by id, from {@code /proc/self/task} (the JVM names its threads there, 15 characters). */
    private static Map<Long, ThreadTicks> threadTicks() {
        Map<Long, ThreadTicks> threads = new java.util.HashMap<>();
        try (java.nio.file.DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    threads.put(Long.parseLong(task.getFileName().toString()),
                            new ThreadTicks(group(name), Long.parseLong(f[11]) + Long.parseLong(f[12])));
                } catch (IOException | RuntimeException gone) {
                    // ended meanwhile
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return threads;
    }

    /** CPU milliseconds per thread group between two looks (threads born since count from zero). */
    private static Map<String, Double> groupDelta(Map<Long, ThreadTicks> before, Map<Long, ThreadTicks> after, int clkTck) {
        Map<String, Double> groups = new TreeMap<>();
        after.forEach((tid, t) -> {
            ThreadTicks was = before.get(tid);
            long delta = t.ticks - (was != null && was.group.equals(t.group) ? was.ticks : 0);
            if (delta > 0) {
                groups.merge(t.group, delta * 1000.0 / clkTck, Double::sum);
            }
        });
        return groups;
    }

    /** The group of a thread, by its (truncated) name: who spends the JVM's CPU in a run. */
    static String group(String name) {
        if (name.startsWith("bench-")) {
            return "callers";
        } else if (name.startsWith("corral-client")) {
            return "appclient-pool";
        } else if (name.startsWith("corral-")) {
            return "engine";
        } else if (name.startsWith("jetty-") || name.startsWith("http-nio-")) {
            return "container";
        } else if (name.startsWith("HttpClient-")) {
            return "jdk-http-client";
        } else if (name.startsWith("GC ") || name.startsWith("G1 ")) {
            return "gc";
        } else if (name.startsWith("C1 ") || name.startsWith("C2 ")) {
            return "jit";
        }
        return "other";
    }

    /** User + system clock ticks of this JVM's descendants (the lifelines and the app processes), or -1. */
    private static long appCpuTicks() {
        long[] sum = {0};
        try {
            ProcessHandle.current().descendants().forEach(p -> {
                try {
                    String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    sum[0] += Long.parseLong(f[11]) + Long.parseLong(f[12]);   // utime, stime (fields 14, 15)
                } catch (IOException | RuntimeException gone) {
                    // exited meanwhile
                }
            });
        } catch (RuntimeException e) {
            return -1;
        }
        return sum[0];
    }

    // ------------------------------------------------------------------------------ results

    /** A thread's responses (latency per status) and failures (count per kind); merged at the end. */
    private static final class Recorder {
        private final Map<Integer, LongList> latencies = new TreeMap<>();
        private final Map<String, Long> errors = new TreeMap<>();

        void response(int status, long nanos) {
            latencies.computeIfAbsent(status, s -> new LongList()).add(nanos);
        }

        void error(String kind) {
            errors.merge(kind, 1L, Long::sum);
        }

        static Recorder merge(Recorder[] recorders) {
            Recorder all = new Recorder();
            for (Recorder r : recorders) {
                r.latencies.forEach((status, list) -> all.latencies.computeIfAbsent(status, s -> new LongList()).addAll(list));
                r.errors.forEach((kind, count) -> all.errors.merge(kind, count, Long::sum));
            }
            return all;
        }
    }

    /** One run of one mode. Latency percentiles are over every response, whatever its status. */
    private static final class Result {
        final String mode;
        final double seconds;
        final double jvmCpuMillis;
        final double appCpuMillis;
        final int stuck;
        final Map<String, Double> threadCpuMillis;
        final long responses;
        final long ok;
        final long failed;
        final long[] sorted;
        final Map<Integer, Long> statuses = new LinkedHashMap<>();
        final Map<String, Long> errors;

        Result(String mode, Recorder all, double seconds, double jvmCpuMillis, double appCpuMillis, int stuck,
               Map<String, Double> threadCpuMillis) {
            this.mode = mode;
            this.threadCpuMillis = threadCpuMillis;
            this.seconds = seconds;
            this.jvmCpuMillis = jvmCpuMillis;
            this.appCpuMillis = appCpuMillis;
            this.stuck = stuck;
            LongList every = new LongList();
            all.latencies.forEach((status, list) -> {
                statuses.put(status, (long) list.size());
                every.addAll(list);
            });
            this.sorted = every.sorted();
            this.responses = sorted.length;
            this.ok = statuses.getOrDefault(200, 0L);
            this.errors = all.errors;
            this.failed = errors.values().stream().mapToLong(Long::longValue).sum();
        }

        double rps() {
            return ok / seconds;
        }

        double percentileMillis(double p) {
            if (sorted.length == 0) {
                return -1;
            }
            int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
        }

        String summary() {
            return String.format(Locale.ROOT, "%.0f req/s, p50 %.3f ms, p99 %.3f ms, %d not 200, %d failed, JVM CPU %.1f us/req,"
                            + " app CPU %.1f us/req%s", rps(), percentileMillis(50), percentileMillis(99), responses - ok,
                    failed, perRequestMicros(jvmCpuMillis), perRequestMicros(appCpuMillis),
                    stuck > 0 ? ", " + stuck + " threads stuck" : "");
        }

        double perRequestMicros(double millis) {
            return millis < 0 || responses == 0 ? -1 : millis * 1000 / responses;
        }

        String json(String container, int run, int position, int threads, String path) {
            StringBuilder s = new StringBuilder("{\"container\":\"").append(container).append('"')
                    .append(",\"mode\":\"").append(mode).append('"')
                    .append(",\"run\":").append(run)
                    .append(",\"position\":").append(position)
                    .append(",\"threads\":").append(threads)
                    .append(",\"path\":\"").append(path).append('"')
                    .append(",\"duration_s\":").append(fmt(seconds))
                    .append(",\"requests\":").append(responses + failed)
                    .append(",\"responses\":").append(responses)
                    .append(",\"ok\":").append(ok)
                    .append(",\"rps\":").append(fmt(rps()))
                    .append(",\"p50_ms\":").append(fmt(percentileMillis(50)))
                    .append(",\"p90_ms\":").append(fmt(percentileMillis(90)))
                    .append(",\"p99_ms\":").append(fmt(percentileMillis(99)))
                    .append(",\"p999_ms\":").append(fmt(percentileMillis(99.9)))
                    .append(",\"max_ms\":").append(fmt(sorted.length == 0 ? -1 : sorted[sorted.length - 1] / 1e6))
                    .append(",\"jvm_cpu_ms\":").append(fmt(jvmCpuMillis))
                    .append(",\"app_cpu_ms\":").append(fmt(appCpuMillis))
                    .append(",\"stuck_threads\":").append(stuck)
                    .append(",\"status\":{");
            String sep = "";
            for (Map.Entry<Integer, Long> e : statuses.entrySet()) {
                s.append(sep).append('"').append(e.getKey()).append("\":").append(e.getValue());
                sep = ",";
            }
            s.append("},\"errors\":{");
            sep = "";
            for (Map.Entry<String, Long> e : errors.entrySet()) {
                s.append(sep).append('"').append(e.getKey()).append("\":").append(e.getValue());
                sep = ",";
            }
            s.append("},\"thread_cpu_ms\":{");
            sep = "";
            for (Map.Entry<String, Double> e : threadCpuMillis.entrySet()) {
                s.append(sep).append('"').append(e.getKey()).append("\":").append(fmt(e.getValue()));
                sep = ",";
            }
            return s.append("}}").toString();
        }

        private static String fmt(double value) {
            return String.format(Locale.ROOT, "%.3f", value);
        }
    }

    /** The app did not get ready, or a mode's first request failed: nothing to measure. */
    private static final class ProbeFailed extends Exception {
        private static final long serialVersionUID = 1L;

        ProbeFailed(String message) {
            super(message);
        }
    }
}
