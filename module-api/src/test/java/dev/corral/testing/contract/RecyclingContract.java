package dev.corral.testing.contract;

import dev.corral.pool.AppStatus;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When processes are started, replaced and stopped: after {@code maxRequests}, when idle, when a
 * request runs past {@code maxRequestTime}, at {@code maxMemory}, when the app keeps crashing,
 * when a burst grows the pool (1, 2, 4 spawns at a time), and when another app needs a process
 * at {@code maxPoolProcesses}.
 */
public abstract class RecyclingContract extends ContractSupport {

    @Test
    void processIsRecycledAfterMaxRequestsWithoutLosingARequest() throws Exception {
        start(wsgi("worn").minProcesses(1).maxProcesses(1).maxRequests(5));
        List<String> pids = new ArrayList<>();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        // bounded by the deadline and a count; the count is far above what the replacements need on a quiet
        // machine, because a worn process serves on until its replacement is ready, and on a loaded one a
        // Python spawn can take seconds while /hello takes a millisecond (2000 were once not enough)
        while (System.nanoTime() - deadline < 0 && pids.stream().distinct().count() < 3 && pids.size() < 50_000) {
            HttpResponse<String> response = get("/hello");
            assertEquals(200, response.statusCode(), "request " + pids.size());
            pids.add(response.headers().firstValue("X-Pid").orElseThrow());
        }
        List<String> distinct = pids.stream().distinct().toList();
        assertEquals(3, distinct.size(), "worn processes are replaced: " + distinct);
        // the replacement starts first, so a worn process may serve a few more while it starts (maxRequests=5
        // jitters by at most 10%: 5 exactly); once replaced, it never serves again
        assertTrue(pids.stream().filter(distinct.get(0)::equals).count() >= 5, pids.toString());
        assertEquals(pids.lastIndexOf(distinct.get(0)) + 1, pids.indexOf(distinct.get(1)), "no interleaving: " + pids);
        assertFalse(logs.matching("recycling process " + distinct.get(0), "served 5 requests (maxRequests=5)").isEmpty(),
                logs.lines().toString());
        await().atMost(DEADLINE).until(() -> !logs.matching("process " + distinct.get(0), "exited",
                "(stopped by Corral: served 5 requests").isEmpty());
    }

    @Test
    void idleProcessesAboveMinProcessesAreStopped() throws Exception {
        start(wsgi("idle").minProcesses(1).maxProcesses(3).idleTimeout("1s"));
        List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            burst.add(getAsync("/sleep?ms=400"));
        }
        awaitStatus("idle", s -> s.ready() == 3);
        for (CompletableFuture<HttpResponse<String>> response : burst) {
            assertEquals(200, response.get(30, TimeUnit.SECONDS).statusCode());
        }
        AppStatus reaped = awaitStatus("idle", s -> s.processes() == 1);
        assertEquals(1, reaped.ready(), "minProcesses stay");
        assertEquals(2, logs.matching("recycling process", "idleTimeout=1s").size(), logs.lines().toString());
        assertEquals(200, get("/hello").statusCode());
    }

    @Test
    void requestRunningPastMaxRequestTimeGets504AndItsProcessIsReplaced() throws Exception {
        start(wsgi("slow").minProcesses(1).maxProcesses(1).maxRequestTime("1s"));
        String before = get("/hello").headers().firstValue("X-Pid").orElseThrow();
        long started = System.nanoTime();
        HttpResponse<String> response = get("/sleep?ms=20000");
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals(504, response.statusCode());
        assertEquals("request_timeout", response.headers().firstValue("X-Corral-Reason").orElse(null));
        assertTrue(tookMs < 10_000, "answered when maxRequestTime passed, not when the app finished: " + tookMs + " ms");
        HttpResponse<String> after = get("/hello");
        assertEquals(200, after.statusCode());
        assertFalse(before.equals(after.headers().firstValue("X-Pid").orElseThrow()), "a new process serves");
        assertFalse(logs.matching("process " + before, "GET /sleep?ms=20000", "ran longer than maxRequestTime=1s").isEmpty(),
                logs.lines().toString());
        assertFalse(logs.awaitMatching("reason=request_timeout", "app=slow", "pid=" + before).isEmpty(), logs.lines().toString());
    }

    @Test
    void memoryLeakingProcessIsRecycledAtMaxMemory() throws Exception {
        start(wsgi("leaky").minProcesses(1).maxProcesses(1).maxMemory("80MB"));
        HttpResponse<String> leaked = get("/leak?mb=120");
        assertEquals(200, leaked.statusCode());
        String leaker = leaked.headers().firstValue("X-Pid").orElseThrow();
        await().atMost(DEADLINE).until(() -> !logs.matching("recycling process " + leaker, "exceeds maxMemory=80MB").isEmpty());
        await().atMost(DEADLINE).until(() -> {
            HttpResponse<String> response = get("/hello");
            return response.statusCode() == 200 && !leaker.equals(response.headers().firstValue("X-Pid").orElse(leaker));
        });
    }

    @Test
    void appThatKeepsCrashingRightAfterStartIsDamped() throws Exception {
        start(threaded("crashy").minProcesses(1).maxProcesses(1).env("TESTAPP_EXIT_AFTER_MS=100"));
        // no process lives to answer a request: the first crashes come fast, then each waits twice
        // as long: 0.5 s, 1 s, 2 s, 4 s ...
        await().atMost(DEADLINE).until(() -> logs.matching("of app crashy exited with exit code 5 after").size() >= 3);
        assertFalse(logs.matching("app [crashy] spawns again in").isEmpty(), logs.lines().toString());
        assertTrue(logs.matching("of app crashy exited with exit code 5", "(unexpectedly: it died on its own").size() >= 3,
                logs.lines().toString());
        long exitsBefore = logs.matching("of app crashy exited with exit code").size();
        // steady requests do not break the damping: each waits for a process that dies before it answers
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() - until < 0) {
            assertTrue(get("/sleep?ms=200").statusCode() > 0);
        }
        long exitsAfter = logs.matching("of app crashy exited with exit code").size();
        assertTrue(exitsAfter - exitsBefore <= 2, "crashes in 3 s of steady requests, once damped: " + (exitsAfter - exitsBefore));
    }

    @Test
    void processThatDiesAfterItServedIsReplacedAtOnce() throws Exception {
        // each process dies 300 ms after it starts, but answers requests until then: the app works, badly;
        // crash-loop damping would only take its processes away, so each is replaced at once
        start(threaded("mortal").minProcesses(1).maxProcesses(1).env("TESTAPP_EXIT_AFTER_MS=300"));
        int ok = 0;
        int failed = 0;
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (logs.matching("of app mortal exited with exit code 5").size() < 4 && System.nanoTime() - deadline < 0) {
            if (get("/sleep?ms=1").statusCode() == 200) {
                ok++;
            } else {
                failed++;
            }
        }
        int exits = logs.matching("of app mortal exited with exit code 5").size();
        assertTrue(exits >= 4, logs.lines().toString());
        assertTrue(logs.matching("app [mortal] spawns again in").isEmpty(), "not damped: " + logs.lines());
        assertTrue(failed <= exits, "a death costs at most the request in flight: " + failed + " failed, " + exits
                + " exits, " + ok + " answered");
        assertTrue(ok > 0);
    }

    @Test
    void spawningRampsUpOneTwoFourAtATime() throws Exception {
        start(wsgi("ramp").minProcesses(1).maxProcesses(8));
        List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            burst.add(getAsync("/sleep?ms=500"));
        }
        for (CompletableFuture<HttpResponse<String>> response : burst) {
            assertEquals(200, response.get(60, TimeUnit.SECONDS).statusCode());
        }
        // replay the log: spawns may only run ahead of readiness by the doubling batch
        int spawned = 0;
        int ready = 0;
        int maxAhead = 0;
        List<Integer> aheadAtEachReady = new ArrayList<>();
        for (String line : logs.lines()) {
            if (line.contains("app [ramp]: spawning process #")) {
                spawned++;
                maxAhead = Math.max(maxAhead, spawned - ready);
            } else if (line.contains("of app ramp is ready")) {
                aheadAtEachReady.add(spawned - ready);
                ready++;
            }
        }
        assertEquals(8, spawned, "the burst grew the pool to maxProcesses: " + logs.lines());
        assertTrue(aheadAtEachReady.get(0) == 1, "the first spawn is alone: " + aheadAtEachReady);
        assertTrue(maxAhead <= 4, "never more than 1, 2, 4 spawns at once: at most " + maxAhead + " " + aheadAtEachReady);
    }

    @Test
    void appNeedingAProcessAtMaxPoolProcessesTakesAnotherAppsIdleOne() throws Exception {
        startWithMaxPoolProcesses("2", wsgi("first").minProcesses(2).maxProcesses(2),
                wsgi("second").pathPrefix("/second").minProcesses(0));
        awaitStatus("first", s -> s.ready() == 2);
        HttpResponse<String> response = get("/second/hello");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().startsWith("hello from second"), response.body());
        assertFalse(logs.matching("recycling process", "of app first", "evicted: app [second] needs a process",
                "maxPoolProcesses=2").isEmpty(), logs.lines().toString());
        AppStatus firstNow = awaitStatus("first", s -> s.processes() == 1);
        assertEquals(1, firstNow.ready(), "first keeps one process: the pool holds 2 in all");
        assertEquals(1, app("second").status().ready());
    }
}
