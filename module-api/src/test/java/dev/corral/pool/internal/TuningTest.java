package dev.corral.pool.internal;

import dev.corral.config.AppSettings;
import dev.corral.config.ConfigException;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An operator's hand on a running app: settings changed at run time, scale, drain, detach, restarts. */
class TuningTest {
    @RegisterExtension
    final EngineHarness engine = new EngineHarness(0);
    private Group app;

    @BeforeEach
    void setUp() {
        AppSettings settings = engine.settings("tuned");
        settings.setMinProcesses("2");
        settings.setMaxProcesses("4");
        settings.setDetailedErrors("true");   // the bodies below name the limits
        app = engine.add(settings);
        engine.start();
        engine.readyAll();
    }

    /** Every process exits (minProcesses=0 keeps none). */
    private void exitAll() {
        engine.launcher.launches.stream().filter(l -> l.os != null && l.os.isAlive()).forEach(l -> l.os.exit(0));
        assertEquals(0, app.status().processes());
    }

    @Test
    void aLowerMaxQueueRefusesNewRequestsButDropsNoneThatWait() {
        app.scale(0, 1);
        assertEquals(1, app.status().processes(), "scaled down to one");
        app.change(Map.of("maxQueue", "3"));
        exitAll();   // no process: requests now queue
        List<FakeExchange> waiting = List.of(engine.request(app, "/a"), engine.request(app, "/b"), engine.request(app, "/c"));
        app.change(Map.of("maxQueue", "1"));
        assertEquals(3, app.status().queued(), "none of the waiting requests is dropped");
        FakeExchange refused = engine.request(app, "/d");
        assertEquals(503, refused.status);
        assertTrue(refused.body().contains("maxQueue=1"), refused.body());
        engine.advance(Duration.ofSeconds(1));
        engine.readyAll();
        engine.forwards.runAll();
        assertTrue(waiting.stream().allMatch(r -> r.status == 200));
    }

    @Test
    void aShorterQueueTimeoutAppliesToTheRequestsAlreadyWaiting() {
        app.scale(0, 1);
        exitAll();
        FakeExchange waiting = engine.request(app, "/waiting");
        engine.advance(Duration.ofSeconds(5));
        assertFalse(waiting.ended(), "queueTimeout=60s");
        app.change(Map.of("queueTimeout", "2s"));
        engine.scheduler.runDue();
        assertEquals(503, waiting.status, "it has waited 5 s, past the new 2 s");
        assertEquals("queue_timeout", waiting.responseHeader("X-Corral-Reason"));
    }

    @Test
    void scalingUpSpawnsAndScalingDownRetiresTheIdlestProcessesGracefully() {
        app.scale(3, 4);
        assertEquals(3, engine.launcher.launches.size(), "one more for minProcesses=3");
        engine.readyAll();
        assertEquals(3, app.status().ready());
        app.scale(1, 1);
        assertEquals(1, app.status().ready(), "maxProcesses=1: two are retired at once");
        assertEquals(2, engine.launcher.launches.stream().filter(l -> l.os.signals.contains("TERM")).count());
        assertEquals(200, engine.request(app, "/hello").status);
    }

    @Test
    void aValueOutOfRangeIsRefusedNamingTheSettingAndNothingChanges() {
        ConfigException e = assertThrows(ConfigException.class, () -> app.change(Map.of("maxQueue", "-1")));
        assertTrue(e.getMessage().contains("'maxQueue' must be an integer 0..1000000, but was [-1]"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> app.scale(5, 3));
        assertTrue(e.getMessage().contains("'minProcesses'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> app.change(Map.of("listen", "tcp")));
        assertTrue(e.getMessage().contains("'listen' must be a setting that can change while the app runs"), e.getMessage());
        assertEquals(100, app.config().maxQueue());
        assertEquals(2, app.config().minProcesses());
    }

    @Test
    void aLowerMaxRequestsRecyclesAProcessThatHasServedMoreAlready() {
        for (int i = 0; i < 6; i++) {
            engine.request(app, "/hello");
        }
        long served = app.status().processList().stream().mapToLong(p -> p.processed()).max().orElseThrow();
        assertTrue(served >= 3);
        app.change(Map.of("maxRequests", "2"));
        assertTrue(app.status().recycles() >= 1, "worn out by the new limit: " + app.status());
    }

    @Test
    void aDrainedAppAnswers503DrainingServesWhatWaitsAndTakesRequestsAgainWhenResumed() {
        app.scale(0, 1);
        exitAll();
        FakeExchange waiting = engine.request(app, "/waiting");
        app.drain();
        FakeExchange refused = engine.request(app, "/new");
        assertEquals(503, refused.status);
        assertEquals("draining", refused.responseHeader("X-Corral-Reason"));
        assertEquals("1", refused.responseHeader("Retry-After"));
        engine.advance(Duration.ofSeconds(1));
        engine.readyAll();
        engine.forwards.runAll();
        assertEquals(200, waiting.status, "what was queued is still served");
        app.resume();
        assertEquals(200, engine.request(app, "/again").status);
        assertEquals(1, app.status().failuresByReason().get("draining"));
    }

    @Test
    void aDetachedProcessFinishesAndIsReplaced() {
        long pid = engine.launcher.launches.get(0).os.pid();
        assertTrue(app.detach(pid));
        assertFalse(app.detach(pid), "it takes no requests any more");
        assertEquals(List.of("TERM"), engine.launcher.launches.get(0).os.signals);
        assertEquals(3, engine.launcher.launches.size(), "minProcesses=2: a replacement starts");
        assertFalse(app.detach(123), "no such process");
    }

    @Test
    void aRestartAllAtOnceRetiresEveryProcessAndRequestsWaitForTheNewOnes() {
        assertTrue(app.restart(false));
        assertTrue(engine.launcher.launches.subList(0, 2).stream().allMatch(l -> l.os.signals.contains("TERM")));
        FakeExchange waiting = engine.request(app, "/waiting");
        assertFalse(waiting.ended());
        engine.readyAll();
        engine.forwards.runAll();
        assertEquals(200, waiting.status);
        assertEquals(1, app.status().generation());
    }
}
