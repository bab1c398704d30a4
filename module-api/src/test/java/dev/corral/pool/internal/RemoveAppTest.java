package dev.corral.pool.internal;

import dev.corral.config.AppSettings;
import dev.corral.jmx.ObjectNames;
import dev.corral.pool.App;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Removing one app from a running engine: in memory, on a manual clock. */
class RemoveAppTest {
    @RegisterExtension
    final EngineHarness engine = new EngineHarness(0);

    @Test
    void aRemovedAppsProcessesFinishWhatTheyServeAndStopWhileTheOtherAppServesOn() {
        AppSettings first = engine.settings("first");
        first.setMinProcesses("0");
        first.setMaxProcesses("1");
        Group a = engine.add(first);
        Group b = engine.add(engine.settings("second"));
        engine.start();
        FakeExchange inFlight = engine.request(a, "/long");
        engine.readyAll();   // the new process takes the waiting request: in flight until the forwards run
        FakeExchange waiting = engine.request(a, "/next");
        assertEquals(1, a.status().busy());
        assertEquals(1, a.status().queued());
        FakeLauncher.FakeProcess processOfA = engine.launcher.launches.stream()
                .filter(l -> l.process.group == a).findFirst().orElseThrow().os;
        assertTrue(engine.mbeans.isRegistered(ObjectNames.app("first", 1)));

        CompletableFuture<Void> removed = engine.pool.removeApp(a);

        assertEquals(List.of("second"), engine.pool.apps().stream().map(App::name).toList());
        assertFalse(engine.mbeans.isRegistered(ObjectNames.app("first", 1)), "its MBean goes at once");
        assertFalse(engine.mbeans.isRegistered(ObjectNames.faults("first", 1)));
        assertEquals(503, waiting.status, "what waited is answered at once");
        assertEquals("shutting_down", waiting.responseHeader("X-Corral-Reason"));
        assertFalse(removed.isDone(), "its process finishes the request it serves");
        assertEquals(List.of(), processOfA.signals);

        engine.forwards.runAll();
        assertEquals(200, inFlight.status);
        assertEquals(List.of("TERM"), processOfA.signals, "then it is stopped");
        assertTrue(removed.isDone(), "and the removal is done once it exited");

        engine.readyAll();
        FakeExchange other = engine.request(b, "/hello");
        engine.forwards.runAll();
        assertEquals(200, other.status, "the other app serves on");
        Group again = engine.add(first);
        assertEquals("first", again.name(), "the name is free again");
        assertThrows(IllegalArgumentException.class, () -> engine.pool.removeApp(a), "removed already");
    }
}
