package dev.corral.testing;

import dev.corral.config.AppSettings;
import dev.corral.fault.FaultPoint;
import dev.corral.fault.FaultSpec;
import dev.corral.pool.App;
import dev.corral.pool.AppStatus;
import dev.corral.testing.ChaosLoad.Kind;
import dev.corral.testing.ChaosLoad.Outcome;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The chaos suite's second profile, "one seam hot": a single seam (or the three of the README's
 * example together) fails at a high rate while a steady, moderate load runs, and the app must
 * degrade, never go down. A failed connect costs a retry, not the process; a request a process
 * closed without answering goes to another process when it may be sent again (not when it died
 * with it); a process that dies after it has served is replaced at once, without crash-loop
 * damping; so at least
 * {@value #FLOOR_PERCENT}% of the requests are answered 200 by the app within
 * {@link #WITHIN}. When the faults stop, the pool goes back to {@code minProcesses} by itself.
 *
 * <p>The seed of every run is printed; {@code -Dcorral.chaos.seed=N} replays its fault decisions.
 * Load: {@value #CLIENTS} clients, closed loop, for {@link #LOAD} (at most {@value #MAX_REQUESTS}
 * requests), on loopback.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class OneSeamHotTest {
    static final int FLOOR_PERCENT = 95;
    static final Duration WITHIN = Duration.ofSeconds(2);
    static final int CLIENTS = 6;
    static final Duration LOAD = Duration.ofSeconds(6);
    static final int MAX_REQUESTS = 20_000;
    private static final Duration SETTLE = Duration.ofSeconds(30);

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
        } finally {
            logs.close();
        }
    }

    @ParameterizedTest(name = "faults={0}")
    @ValueSource(strings = {"connect:0.2", "read-reset:0.05", "kill:0.02", "spawn:0.3", "health:0.3",
            "connect:0.2,read-reset:0.05,kill:0.02"})
    void theAppStaysAvailable(String faults) throws Exception {
        long seed = Long.getLong("corral.chaos.seed", new Random().nextLong() & Long.MAX_VALUE);
        String replay = "faults=" + faults + ", seed " + seed + " (replay: mvn -B verify -Dcorral.chaos.seed=" + seed
                + " -Dtest=" + getClass().getSimpleName() + " -Dsurefire.failIfNoSpecifiedTests=false)";
        System.out.println(replay);
        AppSettings app = TestApps.wsgi("hot", TestApps.install(tmp.resolve("app")));
        app.setMinProcesses("2");
        app.setMaxProcesses("4");
        app.setMaxQueue("200");
        app.setQueueTimeout("10s");
        app.setSpawnTimeout("5s");
        app.setIdleTimeout("2s");
        app.setHealthPath("/health");
        app.setHealthInterval("1s");
        app.setHealthFastInterval("200ms");
        app.setFaults(faults);
        app.setFaultSeed(Long.toString(seed));
        container = newFixture();
        URI base = container.start(List.of(app), 32);
        App hot = container.corral().app("hot").orElseThrow();
        awaitStatus(hot, "2 ready processes before the load", s -> s.ready() >= 2, replay);

        IntFunction<ChaosLoad.Request> plan = i -> i % 4 == 3
                ? new ChaosLoad.Request("GET", "/sleep?ms=" + (5 + i % 20) + "&n=" + i, null, "")
                : new ChaosLoad.Request("GET", "/hello?n=" + i, null, "hello from hot");
        List<Outcome> outcomes = new ChaosLoad(base, CLIENTS, MAX_REQUESTS, Duration.ofSeconds(15), LOAD, plan).run();

        Map<FaultPoint, Long> injected = new TreeMap<>(hot.faults().counts());
        injected.values().removeIf(n -> n == 0);
        long fast = outcomes.stream().filter(o -> o.kind() == Kind.APP_OK && o.status() == 200
                && o.millis() <= WITHIN.toMillis()).count();
        Map<String, Long> others = outcomes.stream().filter(o -> !(o.kind() == Kind.APP_OK && o.millis() <= WITHIN.toMillis()))
                .collect(Collectors.groupingBy(o -> o.kind() + " " + o.status() + (o.reason() == null ? "" : " " + o.reason())
                        + (o.kind() == Kind.APP_OK ? " slower than " + WITHIN.toMillis() + " ms" : ""), TreeMap::new,
                        Collectors.counting()));
        String summary = outcomes.size() + " requests, " + fast + " answered 200 within " + WITHIN.toMillis() + " ms; the rest "
                + others + "; faults injected " + injected + "; " + hot.status() + "; " + replay;
        System.out.println(getClass().getSimpleName() + ": " + summary);

        assertTrue(outcomes.size() >= 200, "a steady load: " + summary);
        assertTrue(fast * 100 >= (long) FLOOR_PERCENT * outcomes.size(), "at least " + FLOOR_PERCENT + "%: " + summary);
        List<Outcome> broke = outcomes.stream().filter(o -> o.kind() == Kind.BROKEN).toList();
        assertTrue(broke.isEmpty(), () -> "every failure is Corral's answer with a reason: " + broke.stream().limit(10)
                .map(Outcome::toString).collect(Collectors.joining("\n  ", "\n  ", "")) + "\n" + summary);
        // a process that died before it answered anything starts a crash run (0.5 s, then 1 s ...); one
        // that had answered ends it: with the faults random, a run never grows past its first steps
        List<String> parked = logs.matching("after it became ready; app [hot] spawns again in").stream()
                .filter(line -> Long.parseLong(line.replaceAll(".* spawns again in ([0-9,]+) ms.*", "$1").replace(",", "")) > 1000)
                .toList();
        assertTrue(parked.isEmpty(), () -> "no crash-loop damping parked the app: " + parked + "\n" + summary);

        // the faults stop: back to minProcesses, every process ready, every request served
        hot.faults().setSpec(FaultSpec.NONE);
        awaitStatus(hot, "back at minProcesses=2, all ready", s -> s.processes() == 2 && s.ready() == 2 && s.busy() == 0, replay);
        ChaosLoad.Request hello = new ChaosLoad.Request("GET", "/hello?healed", null, "hello from hot");
        for (Outcome outcome : new ChaosLoad(base, 2, 20, Duration.ofSeconds(10), Duration.ofSeconds(20), i -> hello).run()) {
            assertEquals(Kind.APP_OK, outcome.kind(), () -> "after the faults: " + outcome + "; " + replay);
        }
    }

    private static void awaitStatus(App app, String what, Predicate<AppStatus> condition, String replay) {
        try {
            await(what).atMost(SETTLE).pollInterval(Duration.ofMillis(50)).until(() -> condition.test(app.status()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            fail(what + ": " + app.status() + "; " + replay, e);
        }
    }
}
