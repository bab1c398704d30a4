package dev.corral.pool.internal;

import dev.corral.config.AppSettings;
import dev.corral.pool.RequestAttributes;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code X-Request-Id}: a client's printable id of at most 128 characters is kept, any other is
 * replaced by Corral's own, and the id comes back on Corral's answers; the request attributes
 * for the access log.
 */
class RequestIdTest {
    @RegisterExtension
    final EngineHarness engine = new EngineHarness(0);
    private Group app;
    /** The request that waits in the one queue place (its process never becomes ready). */
    private FakeExchange waiting;

    @BeforeEach
    void setUp() {
        AppSettings settings = engine.settings("ids");
        settings.setMinProcesses("0");
        settings.setMaxProcesses("1");
        settings.setMaxQueue("1");
        settings.setQueueTimeout("1s");
        app = engine.add(settings);
        engine.start();
        waiting = engine.request(app, "/holds-the-queue");
    }

    @Test
    void aValidClientIdIsKeptAndReturnedOnCorralsAnswer() {
        String id = "trace-7f3a 42/ok:" + "x".repeat(111);   // 128 printable characters, a space inside
        FakeExchange rejected = engine.request(app, "/full", "X-Request-Id: " + id);
        assertEquals(503, rejected.status);
        assertEquals(id, rejected.responseHeader("X-Request-Id"));
        assertEquals(id, rejected.attributes.get(RequestAttributes.REQUEST_ID));
    }

    @Test
    void anInvalidClientIdIsReplaced() {
        for (String bad : new String[] {"x".repeat(129), "tab\tinside", "caf\u00e9", "bell\u0007", ""}) {
            FakeExchange rejected = engine.request(app, "/full", "X-Request-Id: " + bad);
            String given = rejected.responseHeader("X-Request-Id");
            assertNotNull(given, "an id for [" + bad + "]");
            assertNotEquals(bad, given, "[" + bad + "] is not kept");
            assertTrue(RequestIds.fromClient(given) != null, "Corral's own id is valid: " + given);
        }
    }

    @Test
    void withoutAClientIdEachRequestGetsItsOwn() {
        FakeExchange one = engine.request(app, "/full");
        FakeExchange two = engine.request(app, "/full");
        assertNotNull(one.responseHeader("X-Request-Id"));
        assertNotEquals(one.responseHeader("X-Request-Id"), two.responseHeader("X-Request-Id"));
    }

    @Test
    void aFailedRequestCarriesAppReasonAndQueueTimeForTheAccessLog() {
        FakeExchange rejected = engine.request(app, "/full");
        assertEquals("ids", rejected.attributes.get(RequestAttributes.APP));
        assertEquals("queue_full", rejected.attributes.get(RequestAttributes.REASON));
        assertEquals(0L, rejected.attributes.get(RequestAttributes.QUEUE_MILLIS));
        assertNull(rejected.attributes.get(RequestAttributes.PID), "it never reached a process");
        engine.advance(Duration.ofSeconds(1));
        assertEquals("queue_timeout", waiting.attributes.get(RequestAttributes.REASON));
        assertEquals(1000L, waiting.attributes.get(RequestAttributes.QUEUE_MILLIS));
    }
}
