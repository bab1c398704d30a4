package dev.corral.testing;

import dev.corral.config.AppSettings;
import dev.corral.fault.FaultPoint;
import dev.corral.fault.FaultSpec;
import dev.corral.pool.App;
import dev.corral.pool.AppStatus;
import dev.corral.pool.Corral;
import dev.corral.pool.ProcessStatus;
import dev.corral.testing.ChaosLoad.Kind;
import dev.corral.testing.ChaosLoad.Outcome;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The chaos suite: a bounded load from many concurrent clients while faults are injected at
 * every seam of the engine (spawn, readiness, connect, EMFILE, write, read, truncation,
 * latency, kill, health) and inside the app processes (crash mid-response, hang, garbage),
 * then the invariants of DESIGN.md §6, each checked against what the clients saw, what the
 * engine counted and what the operating system shows:
 * <ol>
 *   <li>every request ends as a complete 2xx from the app, a 502/503/504 from Corral with its
 *       reason (and {@code Retry-After} on 503), or a 2xx cut off by an orderly close when the
 *       process died mid-response; never a reset, a hang or a stray status, and never later than
 *       the configured timeouts allow;</li>
 *   <li>nothing queued is lost: requests are only lost in flight, at most one per fault that
 *       hits a request in flight, and each loss leaves one log line with its reason;</li>
 *   <li>after the load no session or queued request is left, the JVM's open file descriptors are
 *       back to their count before the load (within {@link #FD_MARGIN}), and no zombie or stray
 *       app process exists;</li>
 *   <li>with the faults off, every app heals to {@code minProcesses} healthy processes by itself
 *       and serves every request.</li>
 * </ol>
 * The seed of every run is printed; {@code -Dcorral.chaos.seed=N} replays it (the same fault
 * decisions in call order, the same request plan; with {@code -Dcorral.chaos.clients=1} the
 * same order of calls too). {@code -Dcorral.chaos.requests} and {@code -Dcorral.chaos.clients}
 * size the run.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
public abstract class CorralChaosTest {
    /** Open file descriptors the JVM may hold above its count before the load (idle keep-alive connections, lingering closes). */
    static final int FD_MARGIN = 8;
    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final Duration QUEUE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MAX_REQUEST_TIME = Duration.ofSeconds(4);
    private static final Duration LATENCY = Duration.ofMillis(100);
    /** A request must end within its queue wait, its run time and the injected latency, plus scheduling slack on a busy 2-core box. */
    private static final Duration REQUEST_BOUND = QUEUE_TIMEOUT.plus(MAX_REQUEST_TIME).plus(LATENCY).plusSeconds(3);
    /**
     * Faults at the engine's seams, at low rates: every seam at once, with the app faults too.
     * The high rates of one seam at a time are {@link OneSeamHotTest}'s.
     */
    static final String ENGINE_FAULTS = "spawn:0.05,spawn-timeout:0.03,connect:0.002,emfile:0.005,write-reset:0.005,"
            + "read-reset:0.005,truncate:0.005,latency:0.03@" + LATENCY.toMillis() + "ms,kill:0.002,health:0.05";
    /** Faults inside the app processes (the bundled loaders' {@code CORRAL_APP_FAULTS}). */
    static final String APP_FAULTS = "crash:0.01,hang:0.004,garbage:0.01";

    @TempDir
    Path tmp;
    private ContainerFixture container;
    private LogCapture logs;

    /** A fresh, stopped container of the adapter under test. */
    protected abstract ContainerFixture newFixture();

    @BeforeEach
    void captureLogs() {
        logs = new LogCapture();
    }

    @AfterEach
    void stopContainer() throws Exception {
        try {
            if (container != null) {
                container.close();
            }
            // invariant 5's half that holds here: a stopped container leaves no process behind
            await("no app process left after the container stopped").atMost(SETTLE)
                    .until(() -> ProcessTree.descendants().isEmpty());
        } finally {
            logs.close();
        }
    }

    @Test
    void invariantsHoldUnderConcurrentLoadWithFaultsAtEverySeam() throws Exception {
        long seed = Long.getLong("corral.chaos.seed", new Random().nextLong() & Long.MAX_VALUE);
        int clients = Integer.getInteger("corral.chaos.clients", 24);
        int requests = Integer.getInteger("corral.chaos.requests", 1500);
        String replay = "chaos seed " + seed + " (replay: mvn -B verify -Dcorral.chaos.seed=" + seed + " -Dtest="
                + getClass().getSimpleName() + " -Dsurefire.failIfNoSpecifiedTests=false)";
        System.out.println(replay);

        Path appRoot = TestApps.install(tmp.resolve("app"));
        AppSettings chaos = TestApps.wsgi("chaos", appRoot);
        chaos.setMinProcesses("2");
        chaos.setMaxProcesses("4");
        chaos.setMaxQueue("500");
        chaos.setQueueTimeout(QUEUE_TIMEOUT.toSeconds() + "s");
        chaos.setSpawnTimeout("3s");
        chaos.setMaxRequestTime(MAX_REQUEST_TIME.toSeconds() + "s");
        chaos.setMaxRequests("80");
        chaos.setIdleTimeout("3s");
        chaos.setHealthPath("/health");
        chaos.setHealthInterval("500ms");
        chaos.setHealthFastInterval("100ms");
        chaos.setHealthFall("2");
        chaos.setFaults(ENGINE_FAULTS);
        chaos.setFaultSeed(Long.toString(seed));
        AppSettings broken = misbehaving(TestApps.wsgi("broken", appRoot), "/broken", 3, seed % 1_000_000_007L);
        AppSettings node = misbehaving(TestApps.node("nodebroken", appRoot), "/node", 2, seed % 1_000_000_009L);

        container = newFixture();
        URI base = container.start(List.of(chaos, broken, node), 64);
        Corral corral = container.corral();
        awaitAll(corral, "every app at minProcesses before the load", s -> s.ready() == min(s) && s.spawning() == 0);
        int fdsBefore = ProcessTree.openFileDescriptors();
        Set<Long> pidsBefore = ProcessTree.descendants().keySet();

        IntFunction<ChaosLoad.Request> toChaos = ChaosLoad.mixedPlan(seed, "", "hello from chaos");
        IntFunction<ChaosLoad.Request> toBroken = ChaosLoad.mixedPlan(seed, "/broken", "hello from broken");
        IntFunction<ChaosLoad.Request> plan = i -> switch (Math.floorMod(seed + i, 8)) {
            case 0, 1 -> toBroken.apply(i);
            case 2 -> new ChaosLoad.Request("GET", "/node/hello?n=" + i, null, "hello from node nodebroken");
            default -> toChaos.apply(i);
        };
        long started = System.nanoTime();
        List<Outcome> outcomes = new ChaosLoad(base, clients, requests, Duration.ofSeconds(30), Duration.ofSeconds(150), plan).run();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        Map<FaultPoint, Long> injected = app(corral, "chaos").faults().counts();
        Map<String, Long> appFaults = appFaultsSeen();
        Map<String, Long> statuses = outcomes.stream().collect(Collectors.groupingBy(
                o -> o.kind() + " " + o.status() + (o.reason() == null ? "" : " " + o.reason()), TreeMap::new, Collectors.counting()));
        long slowest = outcomes.stream().mapToLong(Outcome::millis).max().orElse(0);
        System.out.println(getClass().getSimpleName() + ": " + outcomes.size() + " requests from " + clients + " clients in "
                + tookMs + " ms; slowest " + slowest + " ms; outcomes " + statuses + "; engine faults injected "
                + nonZero(injected) + "; app faults " + appFaults + "; " + replay + outcomes.stream()
                .filter(o -> o.kind() == Kind.BROKEN).limit(10).map(Outcome::toString).collect(Collectors.joining("\n  ", "\n  ", "")));

        // 1. every request ended, each in a way a client can act on, within the timeouts
        assertEquals(requests, outcomes.size(), "requests that ended within the run's bound; " + replay);
        List<Outcome> broke = outcomes.stream().filter(o -> o.kind() == Kind.BROKEN).toList();
        assertTrue(broke.isEmpty(), () -> broke.size() + " requests ended badly; " + replay + "\n  "
                + broke.stream().limit(20).map(Outcome::toString).collect(Collectors.joining("\n  ")));
        assertTrue(slowest <= REQUEST_BOUND.toMillis(), "the slowest request took " + slowest + " ms, more than queueTimeout + "
                + "maxRequestTime + latency + 3 s = " + REQUEST_BOUND.toMillis() + " ms; " + replay);

        // 3. nothing in flight, nothing queued, descriptors and processes back where they were
        awaitAll(corral, "no session and no queued request left", s -> s.busy() == 0 && s.queued() == 0);
        app(corral, "chaos").faults().setSpec(FaultSpec.NONE);
        awaitAll(corral, "every app back at minProcesses, all ready", s -> s.processes() == min(s) && s.ready() == min(s));
        // 2. (checked once every process that died has been seen to exit, so all their log lines are in)
        // requests are lost in flight only, at most one per fault that hits a request in flight, and each is logged
        appFaults = appFaultsSeen();
        long inFlightFaultCount = injected.get(FaultPoint.KILL) + injected.get(FaultPoint.READ_RESET)
                + injected.get(FaultPoint.WRITE_RESET) + injected.get(FaultPoint.TRUNCATE)
                + appFaults.values().stream().mapToLong(Long::longValue).sum();
        List<Outcome> lostInFlight = outcomes.stream().filter(o -> o.kind() == Kind.CUT
                || (o.kind() == Kind.CORRAL_ERROR && List.of("app_crashed", "bad_response", "request_timeout").contains(o.reason())))
                .toList();
        long inFlightFaults = inFlightFaultCount;
        assertTrue(lostInFlight.size() <= inFlightFaults, () -> lostInFlight.size() + " requests lost in flight, but only "
                + inFlightFaults + " faults hit a request in flight; " + replay + "\n  "
                + lostInFlight.stream().limit(20).map(Outcome::toString).collect(Collectors.joining("\n  ")));
        List<Outcome> rejected = outcomes.stream().filter(o -> "queue_full".equals(o.reason())).toList();
        assertTrue(rejected.isEmpty(), () -> "the queue never fills at " + clients + " clients, maxQueue=500: " + rejected);
        List<Outcome> connectFailed = outcomes.stream().filter(o -> "connect_failed".equals(o.reason())).toList();
        long connectFailures = connectFailed.size();
        assertTrue(connectFailures * 4 <= injected.get(FaultPoint.CONNECT),
                () -> "a connect_failed costs 1 + retries=3 failed connects: " + connectFailures + " vs " + injected + "; "
                        + replay + "\n  " + connectFailed.stream().limit(3).flatMap(o -> logs.matching(
                                o.request().method() + " " + o.request().target() + " (request ").stream())
                        .collect(Collectors.joining("\n  ")));
        for (Outcome failed : outcomes.stream().filter(o -> o.kind() != Kind.APP_OK).toList()) {
            String reason = failed.kind() == Kind.CUT ? "app_crashed" : failed.reason();
            List<String> lines = logs.matching("request failed: reason=" + reason + " ",
                    "request=" + failed.request().method() + " " + failed.request().target() + " (request ");
            assertEquals(1, lines.size(), () -> "one log line for " + failed + "; " + replay);
            if (reason.equals("app_crashed")) {
                // and the cause is on record: the fault injected into it, or the exit of the process that cut it short
                String request = failed.request().method() + " " + failed.request().target() + " (request ";
                assertTrue(!logs.matching("fault injected: ", request).isEmpty() || !logs.matching(" exited with ", request)
                        .isEmpty(), () -> "no fault and no process exit explains " + failed + "; " + replay);
            }
        }

        await("the JVM's open file descriptors back to " + fdsBefore + " + " + FD_MARGIN).atMost(SETTLE)
                .pollInterval(Duration.ofMillis(100))
                .until(ProcessTree::openFileDescriptors, fds -> fds <= fdsBefore + FD_MARGIN);
        await("no zombie and no stray process").atMost(SETTLE).pollInterval(Duration.ofMillis(100))
                .until(() -> ProcessTree.strays(corral).isEmpty());
        int fdsAfter = ProcessTree.openFileDescriptors();

        // 4. faults off: healed to minProcesses healthy processes that serve every request
        List<Integer> after = new ArrayList<>();
        ChaosLoad.Request hello = new ChaosLoad.Request("GET", "/hello?healed", null, "hello from chaos");
        for (Outcome outcome : new ChaosLoad(base, 4, 40, Duration.ofSeconds(10), Duration.ofSeconds(30), i -> hello).run()) {
            after.add(outcome.status());
            assertEquals(Kind.APP_OK, outcome.kind(), () -> "after healing: " + outcome + "; " + replay);
        }
        Set<Long> pidsAfter = ProcessTree.descendants().keySet();
        Set<Long> replaced = new HashSet<>(pidsBefore);
        replaced.removeAll(pidsAfter);
        System.out.println(getClass().getSimpleName() + ": open fds " + fdsBefore + " before, " + fdsAfter + " after; "
                + ProcessTree.describe(corral) + "; " + replaced.size() + " of the " + pidsBefore.size()
                + " processes from before the load were replaced; " + after.size() + " requests after healing all 200");
    }

    /** An app whose processes crash, hang and answer garbage by themselves (the loaders' CORRAL_APP_FAULTS). */
    private static AppSettings misbehaving(AppSettings app, String pathPrefix, int maxProcesses, long faultSeed) {
        app.setPathPrefix(pathPrefix);
        app.setMinProcesses("1");
        app.setMaxProcesses(Integer.toString(maxProcesses));
        app.setMaxQueue("500");
        app.setQueueTimeout(QUEUE_TIMEOUT.toSeconds() + "s");
        app.setMaxRequestTime(MAX_REQUEST_TIME.toSeconds() + "s");
        app.setIdleTimeout("3s");
        app.setEnv("CORRAL_APP_FAULTS=" + APP_FAULTS + " CORRAL_APP_FAULT_SEED=" + faultSeed);
        return app;
    }

    private static int min(AppStatus status) {
        return "chaos".equals(status.name()) ? 2 : 1;
    }

    private static App app(Corral corral, String name) {
        return corral.app(name).orElseThrow();
    }

    private static void awaitAll(Corral corral, String what, java.util.function.Predicate<AppStatus> condition) {
        try {
            await(what).atMost(SETTLE).pollInterval(Duration.ofMillis(50))
                    .until(() -> corral.apps().stream().allMatch(app -> condition.test(app.status())));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            fail(what + ": " + corral.apps().stream().map(App::status).map(Object::toString)
                    .collect(Collectors.joining("\n  ", "\n  ", "")), e);
        }
    }

    /**
     * The faults the app processes simulated, counted from their own log lines; crashes also from
     * the exits with status 13 (the crash instruction's), in case a dying process's last line
     * did not make it to the log.
     */
    private Map<String, Long> appFaultsSeen() {
        Map<String, Long> seen = new TreeMap<>();
        for (String line : logs.matching("simulated fault: ")) {
            String what = line.substring(line.indexOf("simulated fault: ") + 17).split(" ")[0];
            seen.merge(what, 1L, Long::sum);
        }
        long crashExits = logs.matching(" exited with exit code 13 ").size();
        if (crashExits > seen.getOrDefault("crashing", 0L)) {
            System.out.println(getClass().getSimpleName() + ": " + crashExits + " exits with status 13 but "
                    + seen.getOrDefault("crashing", 0L) + " 'crashing' lines from the apps");
            seen.put("crashing", crashExits);
        }
        return seen;
    }

    private static Map<FaultPoint, Long> nonZero(Map<FaultPoint, Long> counts) {
        Map<FaultPoint, Long> result = new TreeMap<>();
        counts.forEach((point, n) -> {
            if (n > 0) {
                result.put(point, n);
            }
        });
        return result;
    }

    /** What the operating system says about this JVM: its open descriptors and its descendant processes. */
    static final class ProcessTree {
        private ProcessTree() {
        }

        static int openFileDescriptors() throws IOException {
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
                return (int) fds.count();
            }
        }

        /** Every live or zombie descendant of this JVM: pid → "state pgid command". */
        static Map<Long, String> descendants() {
            Map<Long, String> result = new TreeMap<>();
            ProcessHandle.current().descendants().forEach(p -> {
                String stat = stat(p.pid());
                if (stat != null) {
                    result.put(p.pid(), stat + " " + p.info().commandLine().orElse("?"));
                }
            });
            return result;
        }

        /** Descendants that are zombies, or that belong to no process group Corral knows. */
        static List<String> strays(Corral corral) {
            Set<Long> groups = new HashSet<>();
            corral.apps().forEach(app -> app.status().processList().forEach(p -> groups.add(p.processGroup())));
            List<String> strays = new ArrayList<>();
            descendants().forEach((pid, what) -> {
                String[] fields = what.split(" ");
                if (fields[0].equals("Z") || !groups.contains(Long.parseLong(fields[1]))) {
                    strays.add(pid + " " + what);
                }
            });
            return strays;
        }

        static String describe(Corral corral) {
            return corral.apps().stream().map(app -> app.name() + ": " + app.status().processList().stream()
                    .map(ProcessStatus::state).toList()).collect(Collectors.joining(", "));
        }

        /** "state pgid" from /proc/PID/stat, or null if the process is gone. */
        private static String stat(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return fields[0] + " " + fields[2];
            } catch (IOException e) {
                return null;
            }
        }
    }
}
