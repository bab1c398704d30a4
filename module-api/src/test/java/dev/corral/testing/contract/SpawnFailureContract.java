package dev.corral.testing.contract;

import dev.corral.config.ConfigException;
import dev.corral.testing.RawHttp;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Apps that cannot start, and what the client and the operator see: an app that fails to import,
 * a command that cannot run, an app that never listens, and settings that are wrong.
 */
public abstract class SpawnFailureContract extends ContractSupport {

    @Test
    void appThatFailsToImportGets503WithTheAppsOutputInTheLog() throws Exception {
        start(wsgi("broken").env("TESTAPP_FAIL_IMPORT=1"));
        HttpResponse<String> response = get("/hello");
        assertEquals(503, response.statusCode());
        assertEquals("spawn_failed", response.headers().firstValue("X-Corral-Reason").orElse(null));
        assertTrue(response.headers().firstValue("Retry-After").isPresent());
        assertFalse(logs.matching("app [broken]", "AWAIT_LISTEN", "TESTAPP_FAIL_IMPORT is set").isEmpty(),
                "the log names app, step and the app's stderr: " + logs.lines());
        // requests keep coming for two seconds: spawning is retried with a growing backoff, not per request
        long spawnsSoFar = app("broken").status().spawnFailures();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        int requests = 0;
        while (System.nanoTime() - until < 0 && requests < 400) {
            assertEquals(503, get("/hello").statusCode());
            requests++;
        }
        long spawns = app("broken").status().spawnFailures() - spawnsSoFar;
        assertTrue(requests > 10 && spawns <= 3, requests + " requests in 2 s caused " + spawns + " spawn attempts");
    }

    @Test
    void commandThatCannotRunGets503NamingTheExecStep() throws Exception {
        start(threaded("missing").command("/nonexistent/server --flag"));
        HttpResponse<String> response = get("/hello");
        assertEquals(503, response.statusCode());
        assertFalse(logs.matching("app [missing]", "step EXEC", "/nonexistent/server").isEmpty(), logs.lines().toString());
    }

    /**
     * Corral answers at once, before the request body has arrived: the container could only keep
     * the connection by reading the rest of the body, so the answer says {@code Connection: close}
     * and the connection closes. A client must never find a kept-alive connection dropped under
     * its next request.
     */
    @Test
    void anAnswerBeforeTheBodyArrivedTellsTheClientTheConnectionCloses() throws Exception {
        // streamed to the app (bufferRequestBody=false), the request waits in the queue, body unread,
        // until the app gives up
        start(threaded("missing").command("/nonexistent/server --flag").bufferRequestBody(false));
        assertAnsweredSpawnFailedBeforeItsBodyWithConnectionClose();
    }

    /**
     * With bufferRequestBody a request waits for its whole body before it may queue; but an app
     * that has given up starting is answered at once, without waiting for a body it does not
     * need, and the client is told that the connection closes.
     */
    @Test
    void anAppThatGaveUpAnswersBeforeTheBodyArrivesWhenBodiesAreBuffered() throws Exception {
        start(threaded("missing").command("/nonexistent/server --flag"));
        awaitStatus("missing", s -> s.spawnFailures() >= 3 && s.processes() == 0);
        assertAnsweredSpawnFailedBeforeItsBodyWithConnectionClose();
    }

    private void assertAnsweredSpawnFailedBeforeItsBodyWithConnectionClose() throws Exception {
        try (RawHttp.Connection client = RawHttp.connect(base, Duration.ofSeconds(10))) {
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: 262144\r\n\r\n" + "x".repeat(100));
            RawHttp.Response answer = client.next();
            assertNotNull(answer, "no answer");
            assertEquals(503, answer.status());
            assertEquals("spawn_failed", answer.header("X-Corral-Reason"));
            assertEquals("close", answer.header("Connection"), "headers: " + answer.headers());
            assertNull(client.next(), "the connection closed after the answer");
        }
    }

    @Test
    void appThatNeverListensFailsAfterSpawnTimeout() throws Exception {
        start(threaded("silent").env("TESTAPP_NEVER_LISTEN=1").spawnTimeout("2s"));
        HttpResponse<String> response = get("/hello");
        assertEquals(503, response.statusCode());
        assertFalse(logs.matching("app [silent]", "AWAIT_LISTEN", "spawnTimeout=2s", "not listening on purpose").isEmpty(),
                logs.lines().toString());
    }

    @Test
    void badSettingsFailStartUpNamingEverySetting() {
        AppSpec bad = wsgi("bad name!").maxProcesses(0).queueTimeout("soon");
        Exception failure = assertThrows(Exception.class, () -> start(bad));
        Throwable cause = failure;
        while (cause != null && !(cause instanceof ConfigException)) {
            cause = cause.getCause();
        }
        assertNotNull(cause, "a ConfigException, got " + failure);
        String message = cause.getMessage();
        assertAll(
                () -> assertTrue(message.contains("'name'") && message.contains("[bad name!]"), message),
                () -> assertTrue(message.contains("'maxProcesses'") && message.contains("[0]"), message),
                () -> assertTrue(message.contains("'queueTimeout'") && message.contains("[soon]"), message));
    }
}
