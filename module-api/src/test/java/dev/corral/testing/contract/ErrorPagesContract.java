package dev.corral.testing.contract;

import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Corral's own error answers tell a network client. By default: the status, the reason code
 * and the request id, and nothing of the inside (no pid, socket path, setting, spawn error or app
 * output), while the log line has it all. With {@code detailedErrors=true} the body carries the
 * details, a failed spawn's step and the app's last output included. An {@code errorPages} file
 * replaces the body of its status, as HTML, with the request id filled in and HTML-escaped. The
 * headers ({@code X-Corral-Reason}, {@code X-Request-Id}, {@code Retry-After} on 503) are the
 * same whatever the body.
 */
public abstract class ErrorPagesContract extends ContractSupport {

    @Test
    void byDefaultAnErrorShowsStatusReasonAndRequestIdOnly() throws Exception {
        startReady(1, wsgi("plain").minProcesses(1).maxProcesses(1));
        long pid = pidsOf("plain").iterator().next();
        HttpResponse<String> crashed = post("/crash", "x");
        assertEquals(502, crashed.statusCode(), crashed.body());
        String id = crashed.headers().firstValue("X-Request-Id").orElseThrow();
        assertEquals("app_crashed", crashed.headers().firstValue("X-Corral-Reason").orElse(null));
        assertEquals("502 Bad Gateway\nreason: app_crashed\nrequest id: " + id + "\n", crashed.body());
        assertTrue(crashed.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        // the operator's log line has what the client does not
        assertFalse(logs.awaitMatching("reason=app_crashed", "pid=" + pid, "process " + pid + " of app plain",
                "closed the connection before answering", "(request " + id + ")").isEmpty(), logs.lines().toString());
        assertFalse(crashed.body().contains(Long.toString(pid)), crashed.body());
    }

    @Test
    void byDefaultAFailedSpawnShowsNeitherItsErrorNorTheAppsOutput() throws Exception {
        start(wsgi("broken").env("TESTAPP_FAIL_IMPORT=1"));
        HttpResponse<String> response = get("/hello");
        assertEquals(503, response.statusCode(), response.body());
        assertEquals("spawn_failed", response.headers().firstValue("X-Corral-Reason").orElse(null));
        assertTrue(response.headers().firstValue("Retry-After").isPresent());
        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertEquals("503 Service Unavailable\nreason: spawn_failed\nrequest id: " + id + "\n", response.body());
        assertFalse(logs.matching("app [broken]", "AWAIT_LISTEN", "TESTAPP_FAIL_IMPORT is set").isEmpty(),
                "the log has the step and the app's output: " + logs.lines());
    }

    @Test
    void detailedErrorsShowTheFailureTheStepAndTheAppsLastOutput() throws Exception {
        start(wsgi("broken").env("TESTAPP_FAIL_IMPORT=1").detailedErrors(true));
        HttpResponse<String> spawn = get("/hello");
        assertEquals(503, spawn.statusCode(), spawn.body());
        String body = spawn.body();
        assertTrue(body.startsWith("503 Service Unavailable: no process of app [broken] could be started; last error:"
                + " spawn failed at step AWAIT_LISTEN"), body);
        assertTrue(body.contains("\nreason: spawn_failed\nrequest id: "
                + spawn.headers().firstValue("X-Request-Id").orElseThrow() + "\n"), body);
        assertTrue(body.contains("last output of the app:") && body.contains("TESTAPP_FAIL_IMPORT is set: refusing to load"),
                body);
    }

    @Test
    void detailedErrorsNameTheProcess() throws Exception {
        startReady(1, wsgi("detailed").minProcesses(1).maxProcesses(1).detailedErrors(true));
        long pid = pidsOf("detailed").iterator().next();
        HttpResponse<String> crashed = post("/crash", "x");
        assertEquals(502, crashed.statusCode(), crashed.body());
        assertTrue(crashed.body().startsWith("502 Bad Gateway: process " + pid + " of app detailed closed the connection"
                + " before answering"), crashed.body());
    }

    @Test
    void anErrorPageIsServedAsHtmlWithTheRequestIdEscaped() throws Exception {
        Path pages = Files.createDirectories(tmp.resolve("errors"));
        Files.writeString(pages.resolve("502.html"),
                "<!doctype html><title>Sorry</title><p>{{status}} {{reason}}: quote {{requestId}} to support.</p>\n");
        startReady(1, wsgi("paged").minProcesses(1).maxProcesses(1).errorPages("502=" + pages.resolve("502.html")));
        HttpResponse<String> crashed = http.send(HttpRequest.newBuilder(base.resolve("/crash")).timeout(DEADLINE)
                .header("X-Request-Id", "id<b>&\"1").POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(502, crashed.statusCode(), crashed.body());
        assertEquals("text/html; charset=utf-8", crashed.headers().firstValue("Content-Type").orElse(null));
        assertEquals("app_crashed", crashed.headers().firstValue("X-Corral-Reason").orElse(null));
        assertEquals("id<b>&\"1", crashed.headers().firstValue("X-Request-Id").orElse(null));
        assertEquals("<!doctype html><title>Sorry</title><p>502 app_crashed: quote id&lt;b&gt;&amp;&quot;1 to support.</p>\n",
                crashed.body());
    }

    @Test
    void aMissingErrorPageFailsTheStartNamingTheSetting() {
        Exception failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> start(wsgi("nopage").errorPages("503=" + tmp.resolve("missing.html"))));
        Throwable cause = failure;
        while (cause != null && !(cause instanceof dev.corral.config.ConfigException)) {
            cause = cause.getCause();
        }
        org.junit.jupiter.api.Assertions.assertNotNull(cause, "a ConfigException, got " + failure);
        String message = cause.getMessage();
        assertTrue(message.contains("'errorPages'") && message.contains("[503=" + tmp.resolve("missing.html") + "]")
                && message.contains("is no file"), message);
    }
}
