package dev.corral.pool.internal;

import dev.corral.config.AppSettings;
import dev.corral.jmx.ObjectNames;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The queue-wait p50 and p99 an operator reads on the App MBean: what they are for known waits,
 * and that they cover the last minute only. In memory, on a manual clock.
 */
class QueueWaitPercentilesTest {
    /** The percentiles are the upper bound of their bucket: at most this much above the true wait. */
    private static final double BUCKET_ERROR = 1.19;

    @RegisterExtension
    final EngineHarness engine = new EngineHarness(0);
    private Group app;
    private final ObjectName appName = ObjectNames.app("waits", 1);

    @BeforeEach
    void setUp() {
        AppSettings settings = engine.settings("waits");
        settings.setMinProcesses("0");   // no process until requests come: they wait for its spawn
        settings.setMaxProcesses("1");
        settings.setConcurrency("0");    // the process takes every waiting request at once
        app = engine.add(settings);
        engine.start();
    }

    /** {@code n} requests arrive together and wait {@code wait} for a process; returns them served. */
    private List<FakeExchange> waitingFor(int n, Duration wait) {
        assertEquals(0, app.status().processes(), "no process: the requests wait");
        List<FakeExchange> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(engine.request(app, "/r" + i));
        }
        assertEquals(n, app.status().queued());
        engine.advance(wait);
        engine.readyAll();
        engine.forwards.runAll();
        assertTrue(requests.stream().allMatch(r -> r.status == 200), "served");
        return requests;
    }

    /** The process goes (detached; minProcesses=0 keeps none), so that the next requests wait again. */
    private void noProcess() {
        assertTrue(app.detach(app.status().processList().get(0).pid()));
        assertEquals(0, app.status().processes());
    }

    private double p50() throws Exception {
        return (Double) engine.mbeans.getAttribute(appName, "QueueWaitP50Millis");
    }

    private double p99() throws Exception {
        return (Double) engine.mbeans.getAttribute(appName, "QueueWaitP99Millis");
    }

    private static void assertAbout(double expectedMillis, double actualMillis, String what) {
        assertTrue(actualMillis >= expectedMillis && actualMillis <= expectedMillis * BUCKET_ERROR,
                what + ": " + actualMillis + " ms, expected " + expectedMillis + " ms (+19% at most)");
    }

    @Test
    void p50AndP99AreTheWaitsOfHalfAndOfAllButOnePercentOfTheRequests() throws Exception {
        assertEquals(0.0, p50(), "none recorded yet");
        assertEquals(0.0, p99());
        waitingFor(98, Duration.ofMillis(10));
        assertAbout(10, p50(), "p50 of 98 waits of 10 ms");
        assertAbout(10, p99(), "p99 of 98 waits of 10 ms");
        noProcess();
        waitingFor(2, Duration.ofSeconds(1));
        assertAbout(10, p50(), "p50: 98 of 100 requests waited 10 ms");
        assertAbout(1000, p99(), "p99: the 99th of 100 waited 1 s");
    }

    @Test
    void waitsOlderThanAMinuteDropOut() throws Exception {
        waitingFor(98, Duration.ofMillis(10));
        long fastRecorded = engine.clock.getAsLong();
        noProcess();
        waitingFor(2, Duration.ofSeconds(1));
        long slowRecorded = engine.clock.getAsLong();
        assertAbout(10, p50(), "p50 with both");

        engine.advance(Duration.ofNanos(fastRecorded + Duration.ofSeconds(59).toNanos() - engine.clock.getAsLong()));
        assertAbout(10, p50(), "the 10 ms waits 59 s ago still count");
        assertAbout(1000, p99(), "p99 59 s after the 10 ms waits");

        engine.advance(Duration.ofSeconds(1));
        assertAbout(1000, p50(), "60 s after the 10 ms waits only the 1 s waits count");
        assertAbout(1000, p99(), "p99 60 s after the 10 ms waits");

        engine.advance(Duration.ofNanos(slowRecorded + Duration.ofSeconds(60).toNanos() - engine.clock.getAsLong()));
        assertEquals(0.0, p50(), "a minute after the last wait none counts");
        assertEquals(0.0, p99());
        assertEquals(100, app.status().served(), "the requests themselves still count");
    }
}
