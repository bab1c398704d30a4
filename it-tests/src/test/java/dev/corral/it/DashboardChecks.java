package dev.corral.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the example WAR must do in every container (Tomcat embedded and managed through Arquillian,
 * the Jetty distribution): the same checks, over HTTP, of a dashboard deployed beside the README's
 * demo app ({@code name=demo}, two processes, one place in the queue).
 */
final class DashboardChecks {
    static final String APP = "demo";
    /** How long the calls that fill the pool take: ample time to fill the queue behind them. */
    private static final int SLOW_MS = 8000;
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private DashboardChecks() {
    }

    /**
     * A call through the webapp's {@code @Inject @CorralApp("demo") AppClient} is answered by a
     * pooled Python process: the app's own answer names its pid, the webapp's X-Corral-Pid says the
     * same, CorralView lists it as a ready process of the app, and it is a live process of the
     * container's JVM running Corral's WSGI loader.
     *
     * @param container the container's JVM, whose descendant the process must be
     * @return the pid
     */
    static long answersFromAPooledProcess(DashboardClient dashboard, ProcessHandle container, Supplier<String> log)
            throws Exception {
        HttpResponse<String> answer = dashboard.get("call/slow?ms=0");
        assertEquals(200, answer.statusCode(), () -> "GET call/slow?ms=0: " + It.describe(answer) + log.get());
        long pid = Long.parseLong(answer.headers().firstValue("X-Corral-Pid").orElseThrow(
                () -> new AssertionError("no X-Corral-Pid: " + It.describe(answer))));
        assertEquals("pid " + pid + " answered after 0 ms\n", answer.body(), "the demo app's answer names its pid");
        assertEquals(APP, answer.headers().firstValue("X-Corral-App").orElse(null));
        assertTrue(answer.headers().firstValue("X-Corral-Queue-Millis").isPresent(), () -> It.describe(answer));

        List<Long> ready = dashboard.pids(APP, "READY");
        assertTrue(ready.contains(pid), () -> "pid " + pid + " is not a ready process of " + APP + " in CorralView: " + ready);
        HttpResponse<String> page = dashboard.get("");
        assertEquals(200, page.statusCode(), () -> "the dashboard's page: " + It.describe(page));
        assertTrue(page.body().contains("<h1>Corral dashboard</h1>") && page.body().contains("<td>" + pid + "</td>"),
                () -> "the dashboard's page does not list process " + pid + ": " + page.body());
        ProcEntry process = ProcEntry.read(pid).orElseThrow(() -> new AssertionError("no live process " + pid));
        assertTrue(process.commandLine().contains("corral-wsgi"), () -> "process " + pid + " runs " + process);
        assertTrue(container.descendants().anyMatch(p -> p.pid() == pid),
                () -> "process " + pid + " is not a descendant of the container's JVM " + container.pid());
        return pid;
    }

    /**
     * With both processes busy and the one place in the queue taken, the next call is refused at
     * once: the webapp catches a {@code QueueFullException} (reason queue_full) and answers 503
     * with Retry-After; the calls that got in are answered by the two processes; and the webapp
     * observed the engine's {@code QueueFull} event.
     */
    static void queueFullReachesTheCallerAsQueueFullException(DashboardClient dashboard, Supplier<String> log)
            throws Exception {
        It.await("two ready processes of " + APP, DEADLINE, () -> dashboard.pids(APP, "READY").size() == 2, log);
        long seen = lastEventNumber(dashboard);

        CompletableFuture<HttpResponse<String>> first = dashboard.getAsync("call/slow?ms=" + SLOW_MS);
        CompletableFuture<HttpResponse<String>> second = dashboard.getAsync("call/slow?ms=" + SLOW_MS);
        It.await("both processes busy", DEADLINE, () -> dashboard.app(APP).get("busy").asInt() == 2, log);
        CompletableFuture<HttpResponse<String>> queued = dashboard.getAsync("call/slow?ms=0");
        It.await("a call waiting in the queue", DEADLINE, () -> dashboard.app(APP).get("queued").asInt() == 1, log);

        HttpResponse<String> refused = dashboard.get("call/slow?ms=0");
        assertEquals(503, refused.statusCode(), () -> "the call beyond maxQueue: " + It.describe(refused) + log.get());
        assertEquals("queue_full", refused.headers().firstValue("X-Corral-Reason").orElse(null), It.describe(refused));
        assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null), It.describe(refused));
        JsonNode failure = DashboardClient.parse(refused.body());
        assertEquals("QueueFullException", failure.get("exception").asText(), refused::body);
        assertEquals("queue_full", failure.get("reason").asText(), refused::body);
        assertEquals(APP, failure.get("app").asText(), refused::body);
        assertEquals(503, failure.get("status").asInt(), refused::body);
        assertTrue(failure.get("retryable").asBoolean(), refused::body);

        long firstPid = answeredPid(first, "the first slow call");
        long secondPid = answeredPid(second, "the second slow call");
        assertNotEquals(firstPid, secondPid, "the two slow calls ran side by side on the two processes");
        answeredPid(queued, "the queued call");

        It.await("the QueueFull event", DEADLINE, () -> eventsAfter(dashboard, seen).stream().anyMatch(e ->
                e.get("type").asText().equals("QueueFull") && e.get("event").get("app").asText().equals(APP)
                        && e.get("event").get("maxQueue").asInt() == 1 && e.get("event").get("rejected").asLong() >= 1),
                () -> "\nevents: " + describeEvents(dashboard, seen) + log.get());
    }

    /**
     * A process killed with SIGKILL reaches the webapp as CDI events, on the extension's own thread:
     * its ProcessExited (cause crashed, exit code 137), and the spawn and readiness of its
     * replacement (the engine may start the replacement before it has reaped the dead process, so
     * the exit need not come first); CorralView then shows two ready processes without it.
     */
    static void aKilledProcessReachesTheWebappAsEvents(DashboardClient dashboard, long pid, Supplier<String> log)
            throws Exception {
        long seen = lastEventNumber(dashboard);
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("process " + pid + " is gone"));
        assertTrue(process.destroyForcibly(), "SIGKILL to " + pid);

        It.await("ProcessExited of " + pid + " and a replacement spawned and ready", DEADLINE, () -> {
            List<JsonNode> events = eventsAfter(dashboard, seen);
            return indexOf(events, "ProcessExited", pid) >= 0 && replacementReady(events, pid);
        }, () -> "\nevents: " + describeEvents(dashboard, seen) + log.get());

        List<JsonNode> events = eventsAfter(dashboard, seen);
        JsonNode exited = events.get(indexOf(events, "ProcessExited", pid)).get("event");
        assertEquals(APP, exited.get("app").asText(), exited::toString);
        assertEquals("crashed", exited.get("cause").asText(), exited::toString);
        assertEquals(137, exited.get("exitCode").asInt(), exited::toString);
        for (JsonNode event : events) {
            assertTrue(event.get("thread").asText().startsWith("corral-events-cdi@"),
                    () -> "delivered on the extension's thread: " + event);
        }

        It.await("CorralView: two ready processes, without " + pid, DEADLINE, () -> {
            List<Long> ready = dashboard.pids(APP, "READY");
            return ready.size() == 2 && !ready.contains(pid);
        }, log);
        assertFalse(dashboard.pids(APP, null).contains(pid), "the killed process is gone from CorralView");
    }

    /** A ProcessSpawned, then a ProcessReady of the same process group, not {@code dead}. */
    private static boolean replacementReady(List<JsonNode> events, long dead) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).get("type").asText().equals("ProcessSpawned")) {
                long group = events.get(i).get("event").get("processGroup").asLong();
                for (JsonNode later : events.subList(i + 1, events.size())) {
                    JsonNode e = later.get("event");
                    if (later.get("type").asText().equals("ProcessReady") && e.get("processGroup").asLong() == group
                            && e.get("pid").asLong() != dead) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static long answeredPid(CompletableFuture<HttpResponse<String>> call, String what) throws Exception {
        HttpResponse<String> answer = call.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, answer.statusCode(), () -> what + ": " + It.describe(answer));
        return Long.parseLong(answer.headers().firstValue("X-Corral-Pid").orElseThrow());
    }

    private static long lastEventNumber(DashboardClient dashboard) throws Exception {
        List<JsonNode> events = dashboard.events();
        return events.isEmpty() ? 0 : events.get(events.size() - 1).get("number").asLong();
    }

    private static List<JsonNode> eventsAfter(DashboardClient dashboard, long number) throws Exception {
        return dashboard.events().stream().filter(e -> e.get("number").asLong() > number
                && e.get("event").get("app").asText().equals(APP)).collect(Collectors.toList());
    }

    private static int indexOf(List<JsonNode> events, String type, long pid) {
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            if (e.get("type").asText().equals(type) && e.get("event").path("pid").asLong() == pid) {
                return i;
            }
        }
        return -1;
    }

    private static String describeEvents(DashboardClient dashboard, long after) {
        try {
            return eventsAfter(dashboard, after).stream().map(JsonNode::toString).collect(Collectors.joining("\n  ", "\n  ", ""));
        } catch (Exception e) {
            return "(cannot read the events: " + e + ")";
        }
    }
}
