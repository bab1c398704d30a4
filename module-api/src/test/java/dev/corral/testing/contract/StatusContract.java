package dev.corral.testing.contract;

import dev.corral.pool.AppStatus;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status endpoints under {@code statusPath}: the page for people, its JSON, Prometheus
 * metrics (checked with a real parser), the probes, and who may read them.
 */
public abstract class StatusContract extends ContractSupport {
    private static final String STATUS = "/corral-status";

    private AppStatus startWithStatus(Map<String, String> extra, AppSpec app) throws Exception {
        Map<String, String> engine = new java.util.HashMap<>(Map.of("statusPath", STATUS));
        engine.putAll(extra);
        startWithEngineSettings(engine, app);
        return awaitStatus(app.settings().getName(), s -> s.ready() >= 1);
    }

    @Test
    void thePageShowsEveryAppItsProcessesAndAChartAndIsNeverTheAppsRequest() throws Exception {
        AppStatus ready = startWithStatus(Map.of(), wsgi("shown").minProcesses(2).maxProcesses(2));
        awaitStatus("shown", s -> s.ready() == 2);
        assertEquals(200, get("/hello").statusCode());
        // the chart has a point a second: wait for two
        await().atMost(DEADLINE).until(() -> get(STATUS).body().matches("(?s).*class=\"queued\"[^>]*points=\"[^\" ]+ [^\"]+\".*"));
        HttpResponse<String> page = get(STATUS + "?refresh=5");
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElse(""));
        String html = page.body();
        assertTrue(html.contains("<meta http-equiv=\"refresh\" content=\"5\">"), html);
        assertTrue(html.contains("app shown"), html);
        for (long pid : pidsOf("shown")) {
            assertTrue(html.contains("<td>" + pid + "</td>"), "the page lists process " + pid);
        }
        assertTrue(html.contains("<svg class=\"chart\""), html);
        assertEquals(1, app("shown").status().served(), "the status requests never reached the app (served by / too)");
        assertTrue(ready.ready() >= 1);
    }

    @Test
    void theJsonHasTheStatusWithStableNames() throws Exception {
        startWithStatus(Map.of(), wsgi("json").minProcesses(1));
        assertEquals(200, get("/hello").statusCode());
        HttpResponse<String> response = get(STATUS + "?format=json");
        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        String json = response.body();
        assertTrue(json.startsWith("{\"version\":1,\"corral\":\""), json);
        long pid = pidsOf("json").iterator().next();
        for (String field : List.of("\"name\":\"json\"", "\"served\":1", "\"queued\":0", "\"maxQueue\":100",
                "\"processesByState\":{", "\"failuresByReason\":{", "\"queueWaitP99Millis\":", "\"exitsByCause\":{",
                "\"processList\":[{\"pid\":" + pid + ",")) {
            assertTrue(json.contains(field), field + " in " + json);
        }
    }

    @Test
    void theMetricsParseAsPrometheusTextWithTheAppsSeries() throws Exception {
        startWithStatus(Map.of("statusPerProcessMetrics", "true"), wsgi("metered").minProcesses(1).maxQueue(7));
        assertEquals(200, get("/hello").statusCode());
        HttpResponse<String> response = get(STATUS + "/metrics");
        assertEquals(200, response.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", response.headers().firstValue("Content-Type").orElse(""));
        List<String> samples = parsePrometheus(response.body());
        for (String sample : List.of("corral_app_queue_requests\tapp=metered\t0.0", "corral_app_queue_limit\tapp=metered\t7.0",
                "corral_app_processes\tapp=metered,state=READY\t1.0", "corral_app_busy\tapp=metered\t0.0",
                "corral_app_capacity\tapp=metered\t1.0", "corral_requests_total\tapp=metered\t1.0",
                "corral_request_failures_total\tapp=metered,reason=queue_full\t0.0",
                "corral_queue_wait_seconds_count\tapp=metered\t1.0", "corral_queue_wait_seconds_bucket\tapp=metered,le=+Inf\t1.0",
                "corral_spawn_failures_total\tapp=metered\t0.0", "corral_process_exits_total\tapp=metered,cause=crashed\t0.0")) {
            assertTrue(samples.contains(sample), sample + " in " + samples);
        }
        assertTrue(samples.stream().anyMatch(s -> s.startsWith("corral_process_resident_memory_bytes\tapp=metered\t")
                && !s.endsWith("\t0.0")), "the app's resident memory: " + samples);
        long pid = pidsOf("metered").iterator().next();
        assertTrue(samples.contains("corral_pid_requests_total\tapp=metered,pid=" + pid + "\t1.0"), samples.toString());
    }

    @Test
    void readyAnswers503WithTheReasonWhileAnAppDrainsAndLiveStays200() throws Exception {
        startWithStatus(Map.of(), wsgi("probed").minProcesses(1));
        HttpResponse<String> ready = get(STATUS + "/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        app("probed").drain();
        HttpResponse<String> draining = get(STATUS + "/ready");
        assertEquals(503, draining.statusCode());
        assertEquals("not ready: app [probed] is draining\n", draining.body());
        assertEquals(200, get(STATUS + "/live").statusCode());
        app("probed").resume();
        assertEquals(200, get(STATUS + "/ready").statusCode());
        assertEquals(404, get(STATUS + "/nope").statusCode());
    }

    @Test
    void theAgentCheckWeighsFreeSlotsAndDrainsWithTheEngineAsReadyDoes() throws Exception {
        int agentPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            agentPort = free.getLocalPort();
        }
        startWithStatus(Map.of("agentPort", Integer.toString(agentPort)), wsgi("weighed").minProcesses(1).maxProcesses(2));
        assertEquals(java.util.Optional.of(new java.net.InetSocketAddress("127.0.0.1", agentPort)),
                container.corral().agentAddress());
        assertEquals("up ready 100%\n", agentCheck(agentPort, "\n"));

        java.util.concurrent.CompletableFuture<HttpResponse<String>> busy = getAsync("/sleep?ms=3000");
        awaitStatus("weighed", s -> s.busy() == 1);
        // one of two slots busy, the queue empty: 90 x 1/2 + 10 x 1
        assertEquals("up ready 55%\n", agentCheck(agentPort, "weighed\n"));
        assertEquals("down#no app [other] in this Corral (apps: weighed)\n", agentCheck(agentPort, "other\n"));

        container.corral().drain();
        assertEquals("up drain\n", agentCheck(agentPort, "\n"));
        HttpResponse<String> ready = get(STATUS + "/ready");
        assertEquals(503, ready.statusCode());
        assertEquals("not ready: the engine is draining\n", ready.body());
        assertEquals(200, get("/hello").statusCode(), "a drained engine serves the requests that still come");
        container.corral().resume();
        assertEquals(200, busy.get(30, TimeUnit.SECONDS).statusCode(), "the request in flight during the drain");
        awaitStatus("weighed", s -> s.busy() == 0);
        assertEquals("up ready 100%\n", agentCheck(agentPort, "\n"));
        assertEquals(200, get(STATUS + "/ready").statusCode());
    }

    /** One HAProxy agent-check: connect, send {@code send} (its agent-send), read the line up to the close. */
    private static String agentCheck(int port, String send) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(send.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void anAppsDrainFileDrainsItUntilTheFileIsRemoved() throws Exception {
        startWithStatus(Map.of(), wsgi("filed").minProcesses(1));
        Path tmpDir = Files.createDirectories(Path.of(app("filed").config().appRoot().toString(), "tmp"));
        Files.writeString(tmpDir.resolve("drain.txt"), "");
        await().atMost(DEADLINE).until(() -> app("filed").draining());
        HttpResponse<String> refused = get("/hello");
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("draining", refused.headers().firstValue("X-Corral-Reason").orElse(""));
        assertEquals("not ready: app [filed] is draining\n", get(STATUS + "/ready").body());
        Files.delete(tmpDir.resolve("drain.txt"));
        await().atMost(DEADLINE).until(() -> !app("filed").draining());
        assertEquals(200, get("/hello").statusCode());
        assertEquals(200, get(STATUS + "/ready").statusCode());
    }

    @Test
    void aClientOutsideStatusAllowGets403AndALogLine() throws Exception {
        startWithStatus(Map.of("statusAllow", "10.0.0.0/8"), wsgi("private").minProcesses(1));
        HttpResponse<String> refused = get(STATUS);
        assertEquals(403, refused.statusCode());
        assertFalse(refused.body().contains("private"), refused.body());
        assertFalse(logs.awaitMatching("status request GET " + STATUS, "refused: not in statusAllow=10.0.0.0/8").isEmpty(),
                logs.lines().toString());
        assertEquals(200, get("/hello").statusCode(), "the app is served as always");
    }

    /**
     * The samples of a Prometheus text, one {@code name TAB labels TAB value} per line, read by
     * the prometheus_client parser (Debian's python3-prometheus-client, for /usr/bin/python3).
     */
    private List<String> parsePrometheus(String text) throws IOException, InterruptedException {
        Path script = tmp.resolve("parse_metrics.py");
        try (InputStream in = StatusContract.class.getResourceAsStream("/dev/corral/testing/parse_metrics.py")) {
            Files.copy(in, script);
        }
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        Process process = new ProcessBuilder(python, script.toString()).redirectErrorStream(true).start();
        process.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the parser finished");
        assertEquals(0, process.exitValue(), "prometheus_client parses the metrics (python3-prometheus-client"
                + " installed?): " + out + "\n" + text);
        return out.lines().filter(line -> !line.startsWith("#")).toList();
    }
}
