package dev.corral.pool.internal;

import dev.corral.config.AppSettings;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The queue: its bound, each request's own timeout on the app's one timer, and clients that leave. */
class WaitListTest {
    @RegisterExtension
    final EngineHarness engine = new EngineHarness(0);
    private Group app;

    @BeforeEach
    void setUp() {
        AppSettings settings = engine.settings("queued");
        settings.setMinProcesses("0");
        settings.setMaxProcesses("1");
        settings.setMaxQueue("3");
        settings.setQueueTimeout("1s");
        settings.setDetailedErrors("true");   // the bodies below name the limits
        app = engine.add(settings);
        engine.start();
    }

    @Test
    void eachRequestWaitsItsOwnQueueTimeoutFromWhenItArrived() {
        FakeExchange first = engine.request(app, "/first");
        engine.advance(Duration.ofMillis(300));
        FakeExchange second = engine.request(app, "/second");
        engine.advance(Duration.ofMillis(300));
        FakeExchange third = engine.request(app, "/third");
        engine.advance(Duration.ofMillis(399));
        assertFalse(first.ended());
        engine.advance(Duration.ofMillis(1));
        assertEquals(503, first.status, "1 s after it arrived");
        assertEquals("queue_timeout", first.responseHeader("X-Corral-Reason"));
        assertEquals("1", first.responseHeader("Retry-After"));
        assertTrue(first.body().contains("waited longer than queueTimeout=1s for a process of app [queued]"), first.body());
        assertFalse(second.ended());
        engine.advance(Duration.ofMillis(300));
        assertEquals(503, second.status);
        assertFalse(third.ended());
        engine.advance(Duration.ofMillis(300));
        assertEquals(503, third.status);
        assertEquals(3, app.status().timedOut());
        assertEquals(0, app.status().queued());
    }

    @Test
    void aFullQueueRejectsAtOnceNamingTheLimit() {
        for (int i = 0; i < 3; i++) {
            engine.request(app, "/wait-" + i);
        }
        FakeExchange rejected = engine.request(app, "/one-too-many");
        assertEquals(503, rejected.status);
        assertEquals("queue_full", rejected.responseHeader("X-Corral-Reason"));
        assertTrue(rejected.body().contains("request queue full for app [queued] (maxQueue=3, "), rejected.body());
        assertEquals(1, app.status().rejected());
    }

    @Test
    void aClientThatLeavesWhileQueuedLeavesTheQueueAndIsNotAnswered() {
        FakeExchange leaving = engine.request(app, "/leaving");
        FakeExchange staying = engine.request(app, "/staying");
        leaving.leave();
        assertEquals(1, app.status().queued());
        assertEquals(0, leaving.status, "nobody is left to answer");
        assertTrue(leaving.end.startsWith("failed: client_gone"), leaving.end);
        engine.readyAll();
        engine.forwards.runAll();
        assertEquals(200, staying.status);
        assertEquals(1, leaving.ends, "ended exactly once");
    }

    @Test
    void aRequestTakenFromTheQueueNoLongerTimesOut() {
        FakeExchange served = engine.request(app, "/served");
        engine.readyAll();
        engine.advance(Duration.ofSeconds(2));
        assertNull(served.end, "in flight, past queueTimeout: not the queue's to end");
        engine.forwards.runAll();
        assertEquals(200, served.status);
        assertEquals(0, app.status().timedOut());
    }
}
