package dev.corral.testing.contract;

import dev.corral.pool.AppStatus;
import dev.corral.pool.ProcessStatus;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Judging processes: health checks (rise, fall and their intervals), a DOWN process, slow start,
 * {@code errorLimit}, and retrying a failed connect on another process.
 */
public abstract class HealthContract extends ContractSupport {

    /** The times (ms) at which a process received requests for {@code path}, from the test app's log. */
    private static List<Long> requestTimes(Path state, String pid, String path) throws IOException {
        Path log = state.resolve("requests-" + pid + ".log");
        if (!Files.exists(log)) {
            return List.of();
        }
        return Files.readAllLines(log).stream().map(line -> line.split(" "))
                .filter(f -> f.length == 2 && f[1].endsWith(path))
                .map(f -> (long) (Double.parseDouble(f[0]) * 1000)).toList();
    }

    private static List<Long> gaps(List<Long> times) {
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add(times.get(i) - times.get(i - 1));
        }
        return gaps;
    }

    @Test
    void failingHealthChecksMarkAProcessDownAfterFallAndItIsReplaced() throws Exception {
        Path state = stateDir();
        AppStatus ready = startReady(1, wsgi("checked").env("TESTAPP_STATE_DIR=" + state).healthPath("/health")
                .healthInterval("1s").healthFastInterval("100ms").healthFall(3).healthRise(3));
        String pid = Long.toString(ready.processList().get(0).pid());
        // rise: the process took traffic only after 3 passed checks at the fast interval
        assertEquals(200, get("/hello").statusCode());
        List<String> first = Files.readAllLines(state.resolve("requests-" + pid + ".log"));
        assertTrue(first.size() >= 4 && first.subList(0, 3).stream().allMatch(l -> l.endsWith(" /health")),
                "three checks before the first request: " + first);
        await().atMost(DEADLINE).until(() -> requestTimes(state, pid, "/health").size() >= 5);
        Files.writeString(appRoot.resolve("UNHEALTHY-" + pid), "");
        await().atMost(DEADLINE).until(() -> !logs.matching("process " + pid + " of app checked DOWN after 3 failed checks: "
                + "status 500 for /health").isEmpty());
        AppStatus replaced = awaitStatus("checked", s -> s.ready() == 1 && s.processes() == 1
                && s.processList().get(0).pid() != Long.parseLong(pid));
        assertEquals(200, get("/hello").statusCode());
        // the intervals, from the check timestamps the app recorded: inter while up, fastinter once failing
        List<Long> gaps = gaps(requestTimes(state, pid, "/health"));
        List<Long> rising = gaps.subList(0, 2);
        List<Long> failing = gaps.subList(gaps.size() - 2, gaps.size());
        List<Long> up = gaps.subList(3, gaps.size() - 3);
        assertTrue(rising.stream().allMatch(g -> g < 600), "fast checks while starting: " + gaps);
        assertTrue(!up.isEmpty() && up.stream().allMatch(g -> g >= 800 && g < 2500), "healthInterval=1s while up: " + gaps);
        assertTrue(failing.stream().allMatch(g -> g < 600), "healthFastInterval=100ms while failing: " + gaps);
        assertTrue(replaced.processList().get(0).pid() > 0);
    }

    @Test
    void downProcessFinishesItsRequestButTakesNoOtherAndIsCheckedAtTheDownInterval() throws Exception {
        Path state = stateDir();
        AppStatus ready = startReady(1, threaded("downapp").minProcesses(1).maxProcesses(1).concurrency(0)
                .env("TESTAPP_STATE_DIR=" + state).healthPath("/health").healthRise(1).healthFall(2)
                .healthInterval("1s").healthFastInterval("100ms").healthDownInterval("400ms"));
        String pid = Long.toString(ready.processList().get(0).pid());
        CompletableFuture<HttpResponse<String>> inFlight = getAsync("/sleep?ms=4000");
        awaitStatus("downapp", s -> s.busy() == 1);
        Files.writeString(appRoot.resolve("UNHEALTHY-" + pid), "");
        await().atMost(DEADLINE).until(() -> !logs.matching("process " + pid + " of app downapp DOWN after 2 failed checks")
                .isEmpty());
        List<String> servedBy = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> response = get("/sleep?ms=1");
            assertEquals(200, response.statusCode());
            servedBy.add(response.body());
        }
        assertFalse(servedBy.contains(pid), "a DOWN process takes no new request: " + servedBy);
        HttpResponse<String> finished = inFlight.get(30, TimeUnit.SECONDS);
        assertEquals(200, finished.statusCode(), "the request it was serving still completes");
        assertEquals(pid, finished.body());
        List<Long> checks = requestTimes(state, pid, "/health");
        List<Long> gaps = gaps(checks);
        List<Long> down = gaps.subList(gaps.size() - 3, gaps.size());
        assertTrue(down.stream().allMatch(g -> g >= 250 && g < 900), "healthDownInterval=400ms while down: " + gaps);
    }

    /** Sends GET /hello for {@code millis} and counts the answers from {@code pid}: [from pid, total]. */
    private int[] shareOf(String pid, long millis) throws Exception {
        int[] counts = new int[2];
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() - until < 0) {
            HttpResponse<String> response = get("/hello");
            assertEquals(200, response.statusCode());
            counts[0] += pid.equals(response.headers().firstValue("X-Pid").orElse("")) ? 1 : 0;
            counts[1]++;
        }
        return counts;
    }

    @Test
    void slowStartRampsUpTheShareOfANewProcess() throws Exception {
        startReady(2, wsgi("slow").minProcesses(2).maxProcesses(2).slowStart("3s"));
        Set<Long> first = pidsOf("slow");
        shareOf("-", 3500); // the first two ramp up together, past slowStart
        assertEquals(502, get("/crash").statusCode());
        AppStatus replaced = awaitStatus("slow", s -> s.ready() == 2
                && s.processList().stream().anyMatch(p -> !first.contains(p.pid())));
        String fresh = replaced.processList().stream().filter(p -> !first.contains(p.pid()))
                .map(p -> Long.toString(p.pid())).findFirst().orElseThrow();
        int[] early = shareOf(fresh, 600);
        shareOf(fresh, 3000);
        int[] late = shareOf(fresh, 1500);
        assertTrue(early[1] > 20 && early[0] < early[1] * 0.3,
                "a new process gets little traffic at first: " + early[0] + " of " + early[1]);
        assertTrue(late[0] > late[1] * 0.35, "and its full share once slowStart has passed: " + late[0] + " of " + late[1]);
    }

    @Test
    void errorLimitMarksAProcessThatKeepsAnswering5xxDown() throws Exception {
        start(wsgi("erring").minProcesses(1).maxProcesses(1).errorLimit(3));
        String pid = null;
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = get("/fail");
            assertEquals(500, response.statusCode(), "the app's own 500 is passed on");
            pid = response.headers().firstValue("X-Pid").orElseThrow();
        }
        String failing = pid;
        // the third answer reaches the client before its process is judged
        await().atMost(DEADLINE).until(() -> !logs.matching("process " + failing
                + " of app erring DOWN after 3 errors in a row (errorLimit=3)").isEmpty());
        await().atMost(DEADLINE).until(() -> !failing.equals(get("/hello").headers().firstValue("X-Pid").orElse(failing)));
    }

    @Test
    void failedConnectIsRetriedOnAnotherProcessUpToRetries() throws Exception {
        AppStatus ready = startReady(2, wsgi("two").minProcesses(2).maxProcesses(2));
        ProcessStatus broken = ready.processList().get(0);
        Files.delete(Path.of(broken.address()));  // alive, but nobody can connect to it any more
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response = get("/hello");
            assertEquals(200, response.statusCode());
            assertFalse(response.headers().firstValue("X-Pid").orElseThrow().equals(Long.toString(broken.pid())));
        }
        assertFalse(logs.matching("connect to process " + broken.pid() + " of app two failed").isEmpty(), logs.lines().toString());
    }

    @Test
    void withNoRetriesAFailedConnectIs502() throws Exception {
        AppStatus ready = startReady(1, wsgi("single").minProcesses(1).maxProcesses(1).retries(0));
        Files.delete(Path.of(ready.processList().get(0).address()));
        HttpResponse<String> response = get("/hello");
        assertEquals(502, response.statusCode());
        assertEquals("connect_failed", response.headers().firstValue("X-Corral-Reason").orElse(null));
    }
}
