package dev.corral.testing.contract;

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
 * Failures in flight: faults injected at the engine's seams and by the bundled loaders, and a
 * process that dies in the middle of a request.
 */
public abstract class FaultContract extends ContractSupport {

    @Test
    void injectedFaultsEndAsCorralErrorsLoggedWithTheSeed() throws Exception {
        start(wsgi("reset").faults("read-reset:1").faultSeed(42),
                wsgi("refused").pathPrefix("/refused").faults("connect:1").faultSeed(7),
                wsgi("unborn").pathPrefix("/unborn").faults("spawn:1").detailedErrors(true));
        HttpResponse<String> cut = get("/hello");
        assertEquals(502, cut.statusCode());
        assertEquals("app_crashed", cut.headers().firstValue("X-Corral-Reason").orElse(null));
        // nothing was answered and GET is idempotent: it was tried again on another process, up to retries=3
        assertEquals(4, app("reset").faults().counts().get(dev.corral.fault.FaultPoint.READ_RESET), "1 try + retries=3");
        assertFalse(logs.matching("fault injected: read-reset #1 (seed 42)", "GET /hello").isEmpty(), logs.lines().toString());
        assertFalse(logs.matching("closed the connection before answering GET /hello", "trying another process (attempt 2 of 4)")
                .isEmpty(), logs.lines().toString());
        // a POST is not idempotent: one try only
        HttpResponse<String> posted = post("/hello", "a body");
        assertEquals(502, posted.statusCode());
        assertEquals(5, app("reset").faults().counts().get(dev.corral.fault.FaultPoint.READ_RESET), "a POST is not tried again");
        HttpResponse<String> noConnect = get("/refused/hello");
        assertEquals(502, noConnect.statusCode());
        assertEquals("connect_failed", noConnect.headers().firstValue("X-Corral-Reason").orElse(null));
        assertEquals(4, app("refused").faults().counts().get(dev.corral.fault.FaultPoint.CONNECT), "1 try + retries=3");
        HttpResponse<String> noSpawn = get("/unborn/hello");
        assertEquals(503, noSpawn.statusCode());
        assertTrue(noSpawn.body().contains("fault injected"), noSpawn.body());
        // the spec changes at run time: faults off, the app heals
        app("reset").faults().setSpec(dev.corral.fault.FaultSpec.NONE);
        await().atMost(DEADLINE).until(() -> get("/hello").statusCode() == 200);
    }

    @Test
    void aTruncatedResponseNotYetSentBecomesA502AndANeverReadyProcessASpawnFailure() throws Exception {
        start(wsgi("cut").faults("truncate:1").faultSeed(3),
                wsgi("stuck").pathPrefix("/stuck").spawnTimeout("1s").faults("spawn-timeout:1").faultSeed(4));
        // the head was handed to the container but had not reached the client: a clean 502 replaces it
        HttpResponse<String> truncated = get("/hello");
        assertEquals(502, truncated.statusCode());
        assertEquals("app_crashed", truncated.headers().firstValue("X-Corral-Reason").orElse(null));
        assertFalse(logs.matching("fault injected: truncate #1 (seed 3)", "GET /hello").isEmpty(), logs.lines().toString());
        // the process that cut it short lives on: that is evidence (errorLimit, a health check at once), not a
        // verdict; it stays in service, and nothing counts as a crash (no crash-loop back-off)
        long cutBy = Long.parseLong(logs.awaitMatching("request failed: reason=app_crashed", "GET /hello").get(0)
                .replaceAll(".* pid=([0-9]+) .*", "$1"));
        assertEquals(List.of(cutBy), app("cut").status().processList().stream().map(p -> p.pid()).toList());
        assertEquals(1, app("cut").status().ready(), app("cut").status().toString());
        assertTrue(logs.matching("of app cut crashed").isEmpty(), logs.lines().toString());
        assertTrue(logs.matching("of app cut exited").isEmpty(), logs.lines().toString());
        // spawn-timeout: the process starts but is never seen ready; after three such spawns the app counts as unable to start
        HttpResponse<String> never = get("/stuck/hello");
        assertEquals(503, never.statusCode());
        assertEquals("spawn_failed", never.headers().firstValue("X-Corral-Reason").orElse(null));
        assertTrue(app("stuck").status().spawnFailures() >= 3, app("stuck").status().toString());
        assertFalse(logs.matching("did not listen on", "within spawnTimeout=1s; it was killed (fault injected, seed 4)")
                .isEmpty(), logs.lines().toString());
    }

    @Test
    void theBundledLoaderRehearsesABrokenApp() throws Exception {
        start(wsgi("rehearsal").minProcesses(1).maxProcesses(1)
                .env("CORRAL_APP_FAULTS=slow-start@1500ms,crash:1 CORRAL_APP_FAULT_SEED=5"));
        await().atMost(DEADLINE).until(() -> !logs.matching("of app rehearsal is ready").isEmpty());
        String ready = logs.matching("of app rehearsal is ready").get(0);
        long tookMs = Long.parseLong(ready.replaceAll(".* after ([0-9,]+) ms.*", "$1").replace(",", ""));
        assertTrue(tookMs >= 1500, "slow-start@1500ms: ready after " + tookMs + " ms");
        // crash:1 — the process dies in the middle of its (small) response: the client gets a clean 502
        HttpResponse<String> crashed = get("/hello");
        assertEquals(502, crashed.statusCode(), crashed.body());
        assertEquals("app_crashed", crashed.headers().firstValue("X-Corral-Reason").orElse(null));
        await().atMost(DEADLINE).until(() -> !logs.matching("of app rehearsal exited with exit code 13").isEmpty());
        // the app's own output reaches the log on its own thread; the first process draws from seed 5 + its number 1
        assertFalse(logs.awaitMatching("simulated fault: crashing in the middle of /hello (seed 6)").isEmpty(),
                logs.lines().toString());
    }

    @Test
    void processDyingMidRequestCostsThatRequestA502AndNothingElse() throws Exception {
        startReady(2, wsgi("two").minProcesses(2).maxProcesses(2));
        List<CompletableFuture<HttpResponse<String>>> others = new ArrayList<>();
        CompletableFuture<HttpResponse<String>> longOne = getAsync("/sleep?ms=1500");
        awaitStatus("two", s -> s.busy() == 1);
        CompletableFuture<HttpResponse<String>> crash = getAsync("/crash");
        awaitStatus("two", s -> s.busy() == 2 || crash.isDone());
        for (int i = 0; i < 10; i++) {
            others.add(getAsync("/sleep?ms=10"));
        }
        HttpResponse<String> crashed = crash.get(30, TimeUnit.SECONDS);
        assertEquals(502, crashed.statusCode());
        assertEquals("app_crashed", crashed.headers().firstValue("X-Corral-Reason").orElse(null));
        assertEquals(200, longOne.get(30, TimeUnit.SECONDS).statusCode());
        for (CompletableFuture<HttpResponse<String>> other : others) {
            assertEquals(200, other.get(30, TimeUnit.SECONDS).statusCode(), "queued requests survive the crash");
        }
        awaitStatus("two", s -> s.ready() == 2);
        assertFalse(logs.matching("exited with exit code 3", "GET /crash", "(unexpectedly: it died on its own").isEmpty(),
                "the exit line names the request the process was serving: " + logs.lines());
        assertFalse(logs.awaitMatching("reason=app_crashed", "app=two", "pid=").isEmpty(), logs.lines().toString());
    }
}
