package dev.corral.pool.internal;

import dev.corral.testing.LogCapture;

import dev.corral.config.AppSettings;
import dev.corral.pool.internal.SpawnException.Step;
import dev.corral.testing.LogCapture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When an app starts processes: the ramp-up, the back-off after crashes, giving up. In memory, on a manual clock. */
class SpawningTest {
    @RegisterExtension
    final EngineHarness engine = new EngineHarness(0);

    private Group app(int min, int max) {
        AppSettings settings = engine.settings("app");
        settings.setMinProcesses(Integer.toString(min));
        settings.setMaxProcesses(Integer.toString(max));
        settings.setDetailedErrors("true");   // the bodies below name the limits
        Group group = engine.add(settings);
        engine.start();
        return group;
    }

    private int launches() {
        return engine.launcher.launches.size();
    }

    @Test
    void aBurstIsMetWithRoundsOfOneTwoFourProcessesEachStartingWhenThePreviousIsReady() {
        Group app = app(1, 8);
        assertEquals(1, launches(), "minProcesses=1");
        List<FakeExchange> burst = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            burst.add(engine.request(app, "/r" + i));
        }
        assertEquals(1, launches(), "a round under way: the burst waits for it");
        List<Integer> afterEachRound = new ArrayList<>();
        while (!engine.launcher.pending().isEmpty()) {
            engine.launcher.readyAll();
            afterEachRound.add(launches());
        }
        assertEquals(List.of(3, 7, 8, 8), afterEachRound, "1, then 2, then 4, then what maxProcesses=8 leaves");
        engine.forwards.runAll();
        assertTrue(burst.stream().allMatch(r -> r.status == 200), "every request of the burst is served");
        assertEquals(20, app.status().served());
    }

    @Test
    void aProcessThatCrashesRightAfterStartingIsRespawnedWithADelayThatDoubles() {
        app(1, 1);
        engine.launcher.readyAll();
        engine.launcher.launches.get(0).os.exit(5);
        assertEquals(1, launches(), "no respawn at once after a crash on arrival");
        engine.advance(Duration.ofMillis(499));
        assertEquals(1, launches());
        engine.advance(Duration.ofMillis(1));
        assertEquals(2, launches(), "the first crash waits 0.5 s");

        engine.launcher.readyAll();
        engine.launcher.launches.get(1).os.exit(5);
        engine.advance(Duration.ofMillis(999));
        assertEquals(2, launches());
        engine.advance(Duration.ofMillis(1));
        assertEquals(3, launches(), "the second 1 s");

        engine.launcher.readyAll();
        engine.advance(Spawning.CRASH_WINDOW);
        engine.launcher.launches.get(2).os.exit(5);
        assertEquals(4, launches(), "a process that outlived the crash window is replaced at once, and forgives the run");
        engine.launcher.readyAll();
        engine.launcher.launches.get(3).os.exit(5);
        engine.advance(Duration.ofMillis(499));
        assertEquals(4, launches());
        engine.advance(Duration.ofMillis(1));
        assertEquals(5, launches(), "the next crash run starts again at 0.5 s");
    }

    @Test
    void aProcessKilledAtSpawnTimeoutEndsAsAFailedSpawnWhetherItsDeathOrTheReportIsSeenFirst() {
        Group app = app(1, 1);
        try (LogCapture logs = new LogCapture()) {
            // the launcher kills it and reports the failure before its exit is reaped
            FakeLauncher.Launch first = engine.launcher.launches.get(0).start();
            first.os.killedNotReaped = true;
            first.fail(Step.AWAIT_LISTEN, "did not listen within spawnTimeout=10s; it was killed", false);
            first.os.exit(137);
            engine.advance(Duration.ofMillis(500));   // the spawn back-off
            // the exit is reaped while the report is still on its way
            FakeLauncher.Launch second = engine.launcher.launches.get(1).start();
            second.fail(Step.AWAIT_LISTEN, "did not listen within spawnTimeout=10s; it was killed", true);
            second.os.exit(137);

            Map<String, Long> exits = app.status().exitsByCause();
            assertEquals(2, exits.get("spawn_failed"), "a failed spawn, never a crash: " + exits);
            assertEquals(0, exits.get("crashed"), exits.toString());
            assertEquals(0, app.status().crashes());
            List<String> lines = logs.matching("exited with");
            assertEquals(2, lines.size(), lines.toString());
            lines.forEach(line -> assertTrue(line.endsWith("served 0 requests (its spawn failed at step AWAIT_LISTEN)"), line));
        }
    }

    @Test
    void threeFailedSpawnsInARowWithNoProcessRunningAnswerTheQueueWith503AndSoDoNewRequestsUntilTheNextAttempt() {
        Group app = app(1, 1);
        FakeExchange waiting = engine.request(app, "/waiting");
        engine.launcher.launches.get(0).fail(Step.EXEC, "no such interpreter", false);
        assertFalse(waiting.ended(), "one failed spawn never costs the queue");
        engine.advance(Duration.ofMillis(500));
        engine.launcher.launches.get(1).fail(Step.AWAIT_LISTEN, "exited with exit code 1", true);
        assertFalse(waiting.ended(), "nor do two");
        engine.advance(Duration.ofSeconds(1));
        assertEquals(3, launches());
        engine.launcher.launches.get(2).fail(Step.AWAIT_LISTEN, "exited with exit code 1", false);
        assertEquals(503, waiting.status, "the third: the app counts as unable to start");
        assertEquals("spawn_failed", waiting.responseHeader("X-Corral-Reason"));
        assertTrue(waiting.body().contains("could be started; last error: spawn failed at step AWAIT_LISTEN"), waiting.body());

        FakeExchange meanwhile = engine.request(app, "/meanwhile");
        assertEquals(503, meanwhile.status, "answered at once while the back-off lasts");
        assertEquals(3, launches(), "and no spawn per request");
        assertEquals(List.of("TERM"), engine.launcher.launches.get(1).os.signals, "the spawn that failed alive was stopped");

        engine.advance(Duration.ofSeconds(2));
        assertEquals(4, launches(), "the next attempt after 2 s");
        engine.launcher.readyAll();
        assertEquals(200, engine.request(app, "/after").status, "a process that starts ends it");
        assertEquals(3, app.status().spawnFailures());
    }

    @Test
    void aCrashDoesNotCostTheQueueItsRequestsWaitForTheReplacement() {
        Group app = app(1, 1);
        engine.launcher.readyAll();
        FakeExchange first = engine.request(app, "/first");
        assertEquals(200, first.status);
        engine.launcher.launches.get(0).os.exit(9);
        FakeExchange waiting = engine.request(app, "/waiting");
        engine.advance(Duration.ofMillis(500));
        engine.launcher.readyAll();
        engine.forwards.runAll();
        assertEquals(200, waiting.status, "served by the replacement");
    }
}
