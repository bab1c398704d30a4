package dev.corral.pool.internal;

import dev.corral.config.AppSettings;
import dev.corral.pool.internal.SpawnException.Step;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rolling restarts: one old process retired per new one ready; a broken new version leaves the old ones serving. */
class RollingRestartTest {
    @RegisterExtension
    final EngineHarness engine = new EngineHarness(0);
    private Group app;

    @BeforeEach
    void setUp() {
        AppSettings settings = engine.settings("rolling");
        settings.setMinProcesses("2");
        settings.setMaxProcesses("2");
        app = engine.add(settings);
        engine.start();
        engine.readyAll();
    }

    private FakeLauncher.FakeProcess os(int launch) {
        return engine.launcher.launches.get(launch).os;
    }

    @Test
    void eachOldProcessIsRetiredOnlyOnceANewOneIsReady() {
        assertEquals(2, engine.launcher.launches.size());
        assertTrue(app.restart());
        assertFalse(app.restart(), "one rolling restart at a time");
        assertEquals(3, engine.launcher.launches.size(), "one new process starts");
        assertEquals(2, app.status().ready(), "the old ones serve meanwhile");
        assertTrue(os(0).signals.isEmpty() && os(1).signals.isEmpty());

        engine.launcher.launches.get(2).ready();
        assertEquals(List.of("TERM"), os(0).signals, "the first new one ready: one old one is retired");
        assertTrue(os(1).signals.isEmpty(), "the other old one serves on");
        assertEquals(4, engine.launcher.launches.size(), "and the next new one starts");
        assertEquals(2, app.status().ready());

        engine.launcher.launches.get(3).ready();
        assertEquals(List.of("TERM"), os(1).signals, "the second new one ready: the last old one is retired");
        assertEquals(4, engine.launcher.launches.size(), "no old process left: the restart is done");
        assertEquals(2, app.status().processes());
        assertTrue(app.restart(), "a new restart may start");
    }

    @Test
    void theUpkeepDuringARollingRestartLeavesTheProcessAboveMaxProcessesAlone() {
        assertTrue(app.restart());
        engine.advance(java.time.Duration.ofSeconds(2));   // upkeep runs every second
        engine.launcher.launches.get(2).ready();
        engine.advance(java.time.Duration.ofSeconds(2));
        assertTrue(engine.launcher.launches.get(2).os.signals.isEmpty(), "the new process serves on");
        assertTrue(os(1).signals.isEmpty(), "as does the old one that waits for the next new one");
        engine.launcher.launches.get(3).ready();
        engine.advance(java.time.Duration.ofSeconds(2));
        assertEquals(List.of("TERM"), os(1).signals);
        assertTrue(engine.launcher.launches.get(2).os.signals.isEmpty() && engine.launcher.launches.get(3).os.signals.isEmpty());
        assertEquals(2, app.status().ready());
    }

    @Test
    void aNewProcessThatFailsToStartOnceIsTriedAgain() {
        assertTrue(app.restart());
        engine.launcher.launches.get(2).fail(Step.EXEC, "fork/exec failed (fault injected)", false);
        assertEquals(3, engine.launcher.launches.size(), "the back-off holds the next try");
        engine.advance(java.time.Duration.ofSeconds(2));
        assertEquals(4, engine.launcher.launches.size(), "tried again");
        engine.launcher.launches.get(3).ready();
        assertEquals(List.of("TERM"), os(0).signals, "and the restart goes on");
        engine.launcher.launches.get(4).ready();
        assertEquals(List.of("TERM"), os(1).signals);
        assertTrue(app.restart(), "done: a new restart may start");
    }

    @Test
    void aNewVersionThatCannotStartLeavesTheOldProcessesServing() {
        assertTrue(app.restart());
        for (int attempt = 0; attempt < 3; attempt++) {
            assertFalse(app.restart(), "still restarting after " + attempt + " failed spawns");
            engine.launcher.launches.get(2 + attempt).fail(Step.AWAIT_LISTEN, "this version is broken", false);
            engine.advance(java.time.Duration.ofSeconds(5));
        }
        assertEquals(5, engine.launcher.launches.size(), "three tries, then no more");
        assertEquals(2, app.status().ready());
        assertTrue(os(0).signals.isEmpty() && os(1).signals.isEmpty(), "no old process is retired");
        assertEquals(200, engine.request(app, "/hello").status);
        assertTrue(app.restart(), "the failed restart is over: another may start");
    }

    @Test
    void aProcessRecycledAtMinProcessesServesUntilItsReplacementIsReady() {
        try (EngineHarness worn = new EngineHarness(0)) {
            AppSettings settings = worn.settings("worn");
            settings.setMinProcesses("1");
            settings.setMaxProcesses("1");
            settings.setMaxRequests("3");
            Group group = worn.add(settings);
            worn.start();
            worn.readyAll();
            for (int i = 0; i < 3; i++) {
                assertEquals(200, worn.request(group, "/hello").status);
            }
            assertEquals(2, worn.launcher.launches.size(), "worn out: its replacement starts first");
            FakeLauncher.FakeProcess first = worn.launcher.launches.get(0).os;
            assertTrue(first.signals.isEmpty());
            FakeExchange meanwhile = worn.request(group, "/meanwhile");
            assertEquals(Long.toString(first.pid()), meanwhile.responseHeader("X-Pid"), "the worn process serves until then");
            worn.launcher.launches.get(1).ready();
            assertEquals(List.of("TERM"), first.signals, "retired once the replacement is ready");
            assertEquals(Long.toString(worn.launcher.launches.get(1).os.pid()), worn.request(group, "/after").responseHeader("X-Pid"));
        }
    }
}
