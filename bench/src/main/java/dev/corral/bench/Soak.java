package dev.corral.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.management.JMException;

/**
 * The soak's driver (issue 15): a moderate, paced load on every app of one running Corral, a
 * rolling restart of every app at a fixed interval, and a sample of the JVM and its processes at
 * another, for a bounded time; then the load stops, the faults are turned off, and it waits
 * (bounded) until every app is back at {@code minProcesses}. It only measures and writes CSV:
 * {@code bench/soak.py} judges the samples and writes the report.
 *
 * <pre>
 * java -cp bench/target/corral-bench-jmh.jar dev.corral.bench.Soak --pid 1234 --port 18082 \
 *      --app soak-py:/py:/path/to/root --app soak-node:/node:/path/to/root --out DIR \
 *      [--minutes 20] [--interval 10] [--restart-every 120] [--rate 50] [--connections 4] \
 *      [--settle 60] [--seed 1] [--marker NAME=VALUE]
 * </pre>
 *
 * <ul>
 *   <li>{@code --rate} requests/s per app over {@code --connections} connections per app
 *       ({@link SoakLoad});</li>
 *   <li>the restarts alternate between the two ways an operator has: touching the app's
 *       {@code tmp/restart.txt} and the App MBean's {@code restart(true)}; each app gets both, in
 *       turns;</li>
 *   <li>every sample ({@code samples.csv}, {@code apps.csv}): the heap after a full collection,
 *       live threads, open descriptors ({@link JvmProbe}); the app processes per app, all
 *       descendants, zombies, strays ({@link ProcTree}); Corral's counters per app; the load's
 *       counts. A zombie counts only if it is still one a second later: a child is a zombie
 *       from its exit until its parent reaps it, which the JDK and the lifeline do at once;</li>
 *   <li>{@code events.csv}: load start and stop, restarts, faults off, settled; {@code
 *       settings.json}: every app's settings in force; {@code load.json}: what the load saw;
 *       {@code faults.json}: the faults injected per app and point; {@code settle.json}: whether
 *       and when every app was back at {@code minProcesses}.</li>
 * </ul>
 * Exits 0 when the soak ran to its end (whatever it saw), 1 if it could not (the JVM died, JMX
 * failed): the samples written so far stay.
 */
public final class Soak {
    private static final int CLIENT_TIMEOUT_MILLIS = 30_000;
    private static final String[] APP_ATTRIBUTES = {"Processes", "Served", "Failed", "Recycles", "Crashes",
        "SpawnFailures", "Generation", "Restarting", "MinProcesses", "Busy", "Queued"};

    private final Options options;
    private final JvmProbe probe;
    private final Map<String, SoakLoad> loads = new LinkedHashMap<>();
    private final PrintWriter samples;
    private final PrintWriter apps;
    private final PrintWriter events;
    private long t0;

    private Soak(Options options, JvmProbe probe) throws IOException {
        this.options = options;
        this.probe = probe;
        Files.createDirectories(options.out);
        samples = new PrintWriter(Files.newBufferedWriter(options.out.resolve("samples.csv")), true);
        apps = new PrintWriter(Files.newBufferedWriter(options.out.resolve("apps.csv")), true);
        events = new PrintWriter(Files.newBufferedWriter(options.out.resolve("events.csv")), true);
        samples.println("t_s,phase,heap_after_gc_bytes,gc_ms,heap_committed_bytes,threads,fds,app_processes,descendants,"
                + "zombies,zombies_transient,strays,load_requests,load_ok");
        apps.println("t_s,phase,app,os_processes,engine_processes,ready,served,failed,recycles,crashes,spawn_failures,"
                + "generation,restarting,faults_injected,load_requests,load_ok");
        events.println("t_s,event,app,detail");
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        int status;
        try (JvmProbe probe = JvmProbe.attach(options.pid)) {
            status = new Soak(options, probe).run();
        }
        System.exit(status);
    }

    private int run() throws Exception {
        writeSettings();
        for (AppUnderLoad app : options.apps) {
            // the client waits longer than Corral may take to answer (queueTimeout + maxRequestTime
            // + latency, as bench/soak.sh sets them): each request ends with Corral's answer
            loads.put(app.name, new SoakLoad(app.name, new InetSocketAddress("127.0.0.1", options.port), app.prefix,
                    options.connections, options.rate, options.seed + loads.size(), CLIENT_TIMEOUT_MILLIS));
        }
        t0 = System.nanoTime();
        long end = t0 + (long) (options.minutes * 60e9);
        try {
            event("load-start", "", options.apps.size() + " apps, " + options.rate + " req/s each on "
                    + options.connections + " connections");
            loads.values().forEach(SoakLoad::start);
            long interval = TimeUnit.SECONDS.toNanos(options.interval);
            long restartEvery = TimeUnit.SECONDS.toNanos(options.restartEvery);
            long nextSample = t0;
            long nextRestart = t0 + restartEvery;
            int round = 0;
            while (true) {
                if (nextRestart - end < 0 && nextRestart - nextSample <= 0) {
                    sleepUntil(nextRestart);
                    restartAll(++round);
                    nextRestart += restartEvery;
                    continue;
                }
                if (nextSample - end > 0) {
                    break;
                }
                sleepUntil(nextSample);
                sample("load");
                nextSample += interval;
            }
        } catch (Exception e) {
            // the JVM died or JMX failed (an interrupted sleep too): what was sampled stays
            event("error", "", String.valueOf(e));
            stopLoad();
            return 1;
        }
        stopLoad();
        try {
            settle();
        } catch (Exception e) {
            event("error", "", "while settling: " + e);
            return 1;
        }
        return 0;
    }

    private void stopLoad() throws IOException, InterruptedException {
        for (SoakLoad load : loads.values()) {
            load.stop();
        }
        event("load-stop", "", "");
        StringBuilder json = new StringBuilder("{");
        String sep = "";
        for (SoakLoad load : loads.values()) {
            SoakLoad.Counts c = load.counts();
            json.append(sep).append(Json.string(load.app())).append(":{\"requests\":").append(c.requests())
                    .append(",\"statuses\":").append(Json.object(c.statuses())).append(",\"errors\":")
                    .append(Json.object(c.errors())).append('}');
            sep = ",";
        }
        Files.writeString(options.out.resolve("load.json"), json.append("}\n"));
    }

    /** The engine's fault counters by point, per app ({@code faults.json}). */
    private void writeFaults() throws IOException, JMException {
        StringBuilder json = new StringBuilder("{");
        String sep = "";
        for (AppUnderLoad app : options.apps) {
            json.append(sep).append(Json.string(app.name)).append(':').append(Json.object(probe.faultsByPoint(app.name)));
            sep = ",";
        }
        Files.writeString(options.out.resolve("faults.json"), json.append("}\n"));
    }

    /** Faults off, then up to --settle seconds until every app is at minProcesses, all ready, idle. */
    private void settle() throws Exception {
        writeFaults();
        for (AppUnderLoad app : options.apps) {
            probe.faultsOff(app.name);
        }
        event("faults-off", "", "");
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(options.settle);
        String missing = "";
        boolean settled = false;
        while (true) {
            ProcTree.Look look = ProcTree.look(options.pid, appNames(), options.marker);
            List<String> off = new ArrayList<>();
            for (AppUnderLoad app : options.apps) {
                Map<String, Object> a = probe.app(app.name, APP_ATTRIBUTES);
                int min = ((Number) a.get("MinProcesses")).intValue();
                int ready = probe.processesByState(app.name).getOrDefault("READY", 0);
                int os = look.perApp().getOrDefault(app.name, 0);
                if (ready != min || num(a, "Processes") != min || os != min || num(a, "Busy") != 0 || num(a, "Queued") != 0) {
                    off.add(app.name + ": " + ready + " ready, " + a.get("Processes") + " processes (engine), " + os
                            + " (OS), busy " + a.get("Busy") + ", queued " + a.get("Queued") + ", minProcesses " + min);
                }
            }
            if (look.zombies().size() > 0 || look.perApp().containsKey("?")) {
                off.add(look.zombies().size() + " zombies, " + look.perApp().getOrDefault("?", 0) + " process groups of no app");
            }
            missing = String.join("; ", off);
            if (off.isEmpty()) {
                settled = true;
                break;
            }
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
            Thread.sleep(500);
        }
        double took = (System.nanoTime() - start) / 1e9;
        event(settled ? "settled" : "not-settled", "", settled ? String.format(Locale.ROOT, "%.1f s", took) : missing);
        sample("settled");
        Files.writeString(options.out.resolve("settle.json"), String.format(Locale.ROOT,
                "{\"settled\":%s,\"seconds\":%.1f,\"limit_seconds\":%d,\"missing\":%s}%n", settled, took, options.settle,
                Json.string(missing)));
    }

    private void restartAll(int round) throws IOException, JMException {
        for (int i = 0; i < options.apps.size(); i++) {
            AppUnderLoad app = options.apps.get(i);
            if ((i + round) % 2 == 0) {
                Path file = app.root.resolve("tmp").resolve("restart.txt");
                Files.createDirectories(file.getParent());
                if (!Files.exists(file)) {
                    Files.createFile(file);
                }
                Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
                event("restart", app.name, "touched tmp/restart.txt");
            } else {
                boolean started = probe.restart(app.name);
                event("restart", app.name, "JMX restart(true) " + (started ? "started" : "refused: a restart runs already"));
            }
        }
    }

    private void sample(String phase) throws Exception {
        JvmProbe.Heap heap = probe.heapAfterFullGc();
        int threads = probe.threads();
        int fds = ProcTree.openFileDescriptors(options.pid);
        ProcTree.Look look = ProcTree.look(options.pid, appNames(), options.marker);
        int zombies = 0;
        if (!look.zombies().isEmpty()) {
            // a zombie is a child its parent has not reaped yet: only one that stays is a leak
            Thread.sleep(1000);
            for (ProcTree.Proc z : look.zombies()) {
                ProcTree.Proc now = ProcTree.stillThere(z);
                if (now != null && now.state() == 'Z') {
                    zombies++;
                    event("zombie", "", "pid " + z.pid() + " (parent " + z.ppid() + ") still a zombie after 1 s");
                }
            }
        }
        for (ProcTree.Proc stray : look.strays()) {
            event("stray", "", "pid " + stray.pid() + " (parent " + stray.ppid() + ", group " + stray.pgid()
                    + ") carries " + options.marker + " outside the JVM's tree");
        }
        double t = (System.nanoTime() - t0) / 1e9;
        long requests = 0;
        long ok = 0;
        for (AppUnderLoad app : options.apps) {
            Map<String, Object> a = probe.app(app.name, APP_ATTRIBUTES);
            int ready = probe.processesByState(app.name).getOrDefault("READY", 0);
            SoakLoad.Counts c = loads.get(app.name).counts();
            requests += c.requests();
            ok += c.ok();
            apps.println(String.format(Locale.ROOT, "%.1f,%s,%s,%d,%s,%d,%s,%s,%s,%s,%s,%s,%s,%d,%d,%d", t, phase, app.name,
                    look.perApp().getOrDefault(app.name, 0), a.get("Processes"), ready, a.get("Served"), a.get("Failed"),
                    a.get("Recycles"), a.get("Crashes"), a.get("SpawnFailures"), a.get("Generation"),
                    a.get("Restarting"), probe.faultsInjected(app.name), c.requests(), c.ok()));
        }
        samples.println(String.format(Locale.ROOT, "%.1f,%s,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d", t, phase, heap.bytes(),
                heap.gcMillis(), heap.committed(), threads, fds, look.appProcesses(), look.descendants().size(), zombies,
                look.zombies().size() - zombies, look.strays().size(), requests, ok));
        System.err.println(String.format(Locale.ROOT, "soak %6.0f s: heap after GC %.1f MiB, %d threads, %d fds, %s app"
                + " processes, %d zombies, %d strays, %d requests (%d 2xx)", t, heap.bytes() / 1048576.0, threads, fds,
                look.perApp(), zombies, look.strays().size(), requests, ok));
    }

    private void writeSettings() throws IOException, JMException {
        StringBuilder json = new StringBuilder("{");
        String sep = "";
        for (AppUnderLoad app : options.apps) {
            Map<String, String> settings = probe.appSettings(app.name);
            json.append(sep).append(Json.string(app.name)).append(':').append(Json.object(new TreeMap<>(settings)));
            sep = ",";
        }
        Files.writeString(options.out.resolve("settings.json"), json.append("}\n"));
    }

    private void event(String what, String app, String detail) {
        detail = detail.replace('\n', ' ').replace('\r', ' ');   // one line per event (an exception's message may have several)
        double t = t0 == 0 ? 0 : (System.nanoTime() - t0) / 1e9;
        events.println(String.format(Locale.ROOT, "%.1f,%s,%s,%s", t, what, app, Json.csv(detail)));
        System.err.println(String.format(Locale.ROOT, "soak %6.0f s: %s %s %s", t, what, app, detail));
    }

    private Set<String> appNames() {
        return options.apps.stream().map(a -> a.name).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private static long num(Map<String, Object> attributes, String name) {
        return ((Number) attributes.get(name)).longValue();
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait;
        while ((wait = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    /** One app under load: its name, path prefix and app root (for tmp/restart.txt). */
    record AppUnderLoad(String name, String prefix, Path root) {
    }

    /** The command line; see the class Javadoc. */
    record Options(long pid, int port, Path out, List<AppUnderLoad> apps, double minutes, int interval, int restartEvery,
                   double rate, int connections, int settle, long seed, String marker) {
        static Options parse(String[] args) {
            Map<String, String> o = new TreeMap<>(Map.of("minutes", "20", "interval", "10", "restart-every", "120",
                    "rate", "50", "connections", "4", "settle", "60", "seed", "1"));
            List<AppUnderLoad> apps = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    usage("[" + args[i] + "] needs a value");
                }
                String name = args[i].substring(2);
                String value = args[++i];
                if (name.equals("app")) {
                    String[] parts = value.split(":", 3);
                    if (parts.length != 3) {
                        usage("--app needs NAME:PREFIX:APPROOT, but was [" + value + "]");
                    }
                    apps.add(new AppUnderLoad(parts[0], parts[1], Path.of(parts[2])));
                } else {
                    o.put(name, value);
                }
            }
            for (String required : List.of("pid", "port", "out")) {
                if (!o.containsKey(required)) {
                    usage("--" + required + " is required");
                }
            }
            if (apps.isEmpty()) {
                usage("at least one --app NAME:PREFIX:APPROOT is required");
            }
            try {
                return new Options(Long.parseLong(o.get("pid")), Integer.parseInt(o.get("port")), Path.of(o.get("out")),
                        List.copyOf(apps), Double.parseDouble(o.get("minutes")), Integer.parseInt(o.get("interval")),
                        Integer.parseInt(o.get("restart-every")), Double.parseDouble(o.get("rate")),
                        Integer.parseInt(o.get("connections")), Integer.parseInt(o.get("settle")),
                        Long.parseLong(o.get("seed")), o.get("marker"));
            } catch (NumberFormatException e) {
                usage("not a number: " + e.getMessage());
                throw e;
            }
        }

        private static void usage(String problem) {
            System.err.println("soak: " + problem + "\nusage: Soak --pid PID --port N --out DIR --app NAME:PREFIX:APPROOT ..."
                    + " [--minutes M] [--interval S] [--restart-every S] [--rate R] [--connections C] [--settle S]"
                    + " [--seed N] [--marker NAME=VALUE]");
            System.exit(2);
        }
    }

    /** Just enough JSON and CSV quoting for the files above. */
    static final class Json {
        private Json() {
        }

        static String string(String s) {
            StringBuilder out = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            return out.append('"').toString();
        }

        static String object(Map<?, ?> map) {
            return map.entrySet().stream().map(e -> string(String.valueOf(e.getKey())) + ":"
                    + (e.getValue() instanceof Number ? e.getValue().toString() : string(String.valueOf(e.getValue()))))
                    .collect(Collectors.joining(",", "{", "}"));
        }

        static String csv(String s) {
            return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
        }
    }
}
