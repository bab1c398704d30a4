package dev.corral.pool.internal;

import dev.corral.config.AppSettings;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Health verdicts on a manual clock: rise, fall, the three intervals, errorLimit. */
class HealthTest {
    @RegisterExtension
    final EngineHarness engine = new EngineHarness(0);
    private Group app;

    @BeforeEach
    void setUp() {
        AppSettings settings = engine.settings("checked");
        settings.setMinProcesses("1");
        settings.setMaxProcesses("1");
        settings.setHealthPath("/health");
        settings.setHealthRise("3");
        settings.setHealthFall("2");
        settings.setHealthInterval("1s");
        settings.setHealthFastInterval("100ms");
        settings.setHealthDownInterval("400ms");
        settings.setErrorLimit("3");
        app = engine.add(settings);
        engine.start();
    }

    private AppProcess first() {
        return engine.launcher.launches.get(0).process;
    }

    private long checksOf(AppProcess process) {
        return engine.probe.checked.stream().filter(p -> p == process).count();
    }

    @Test
    void aNewProcessTakesTrafficAfterRisePassedChecksAtTheFastInterval() {
        engine.launcher.launches.get(0).ready();
        engine.scheduler.runDue();
        assertEquals(1, checksOf(first()), "checked as soon as it listens");
        assertEquals(0, app.status().ready());
        engine.advance(Duration.ofMillis(100));
        assertEquals(0, app.status().ready(), "two passed checks of three");
        engine.advance(Duration.ofMillis(100));
        assertEquals(1, app.status().ready(), "the third, 100 ms later: ready");
        engine.advance(Duration.ofMillis(999));
        assertEquals(3, checksOf(first()), "then checked every healthInterval=1s");
        engine.advance(Duration.ofMillis(1));
        assertEquals(4, checksOf(first()));
    }

    @Test
    void aProcessFailingFallChecksIsMarkedDownCheckedAtTheDownIntervalAndReplaced() {
        engine.launcher.launches.get(0).ready();
        engine.advance(Duration.ofMillis(200));
        assertEquals(1, app.status().ready());
        engine.probe.fail(first(), "status 500 for /health");
        engine.advance(Duration.ofSeconds(1));
        assertEquals(1, app.status().ready(), "one failed check of two: still up");
        engine.advance(Duration.ofMillis(100));
        assertTrue(app.status().lastError().contains("DOWN after 2 failed checks: status 500 for /health"),
                app.status().lastError());
        assertEquals(2, engine.launcher.launches.size(), "a replacement starts");
        assertEquals(List.of("TERM"), engine.launcher.launches.get(0).os.signals, "idle, so stopped at once");
    }

    @Test
    void aDownProcessFinishesItsRequestTakesNoOtherAndIsCheckedAtTheDownInterval() {
        AppSettings settings = engine.settings("threaded");
        settings.setMinProcesses("1");
        settings.setMaxProcesses("1");
        settings.setConcurrency("0");   // checked while busy (a process with no free slot is not)
        settings.setHealthPath("/health");
        settings.setHealthRise("1");
        settings.setHealthFall("2");
        settings.setHealthInterval("1s");
        settings.setHealthFastInterval("100ms");
        settings.setHealthDownInterval("400ms");
        Group threaded = engine.add(settings);
        engine.scheduler.runDue();
        FakeLauncher.Launch launch = engine.launcher.launches.get(1);
        FakeExchange inFlight = engine.request(threaded, "/long");   // waits for the process, then is held in flight
        launch.ready();
        engine.scheduler.runDue();
        assertEquals(1, threaded.status().busy());
        engine.probe.fail(launch.process, "timeout 2s waiting for /health");
        engine.advance(Duration.ofMillis(1100));
        assertEquals("DOWN", threaded.status().processList().get(0).state());
        FakeExchange other = engine.request(threaded, "/other");
        assertEquals(0, other.status, "a DOWN process takes no new request: it waits for the replacement");
        long before = checksOf(launch.process);
        engine.advance(Duration.ofMillis(400));
        assertEquals(before + 1, checksOf(launch.process), "healthDownInterval=400ms while down");
        assertTrue(launch.os.signals.isEmpty(), "not stopped while its request runs");
        engine.forwards.runAll();
        assertEquals(200, inFlight.status, "the request it was serving completes");
        assertEquals(List.of("TERM"), launch.os.signals, "then it is stopped");
    }

    @Test
    void errorLimitAnswersInARowMarkAProcessDown() {
        engine.launcher.launches.get(0).ready();
        engine.advance(Duration.ofMillis(200));
        engine.app.answer("/fail", session -> FakeForwarder.answered(session, 500));
        for (int i = 0; i < 2; i++) {
            assertEquals(500, engine.request(app, "/fail").status, "the app's own 500 is passed on");
        }
        assertEquals(200, engine.request(app, "/ok").status, "an answer below 500 clears the count");
        for (int i = 0; i < 3; i++) {
            engine.request(app, "/fail");
        }
        assertTrue(app.status().lastError().contains("DOWN after 3 errors in a row (errorLimit=3), the last: status 500"),
                app.status().lastError());
    }
}
