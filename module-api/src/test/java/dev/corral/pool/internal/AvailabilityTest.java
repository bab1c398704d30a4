package dev.corral.pool.internal;

import dev.corral.pool.internal.Availability.AppLoad;
import dev.corral.pool.internal.Availability.State;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one decision behind /ready and the HAProxy agent-check: state, weight and reasons. */
class AvailabilityTest {

    /** An app with one ready process, maxProcesses=4, concurrency=1, maxQueue=100. */
    private static AppLoad app(String name, int busy, int queued) {
        return new AppLoad(name, false, 1, busy, queued, 1, 4, 1, 100, null);
    }

    @Test
    void anIdleContainerIsUpWithFullWeight() {
        Availability a = Availability.of(false, List.of(app("blog", 0, 0)));
        assertEquals(State.UP, a.state());
        assertEquals(100, a.weightPercent());
        assertTrue(a.ready());
        assertEquals("up ready 100%\n", a.agentLine());
    }

    @Test
    void theWeightFallsWithBusySlotsAndThenWithTheQueue() {
        // 90 x free/slots + 10 x room/queue
        assertEquals(77, Availability.of(false, List.of(app("blog", 1, 0))).weightPercent());   // 67.5 + 10
        assertEquals(55, Availability.of(false, List.of(app("blog", 2, 0))).weightPercent());   // 45 + 10
        assertEquals(10, Availability.of(false, List.of(app("blog", 4, 0))).weightPercent());   // 0 + 10
        assertEquals(5, Availability.of(false, List.of(app("blog", 4, 50))).weightPercent());   // 0 + 5
        // a busy container with queue room left keeps a trickle
        assertEquals(1, Availability.of(false, List.of(app("blog", 4, 99))).weightPercent());
    }

    @Test
    void theWeightAddsTheSlotsAndQueuesOfEveryApp() {
        // slots 4 + 4, free 0 + 4; queue 100 + 100, room 100 + 100
        Availability a = Availability.of(false, List.of(app("busy", 4, 0), app("idle", 0, 0)));
        assertEquals(55, a.weightPercent());
        assertEquals("up ready 55%\n", a.agentLine());
    }

    @Test
    void unlimitedConcurrencyCountsAsFreeSlotsAndNoQueueMeansTheSlotsAlone() {
        AppLoad node = new AppLoad("node", false, 1, 500, 0, 1, 2, 0, 100, null);
        assertEquals(100, Availability.of(false, List.of(node)).weightPercent());
        AppLoad noQueue = new AppLoad("q0", false, 1, 1, 0, 1, 2, 1, 0, null);
        assertEquals(50, Availability.of(false, List.of(noQueue)).weightPercent());
        assertTrue(Availability.of(false, List.of(noQueue)).ready(), "maxQueue=0 with a free slot is not saturated");
    }

    @Test
    void aFullQueueWeighsNothingAndIsNotReady() {
        Availability a = Availability.of(false, List.of(app("blog", 4, 100), app("other", 0, 0)));
        assertEquals(State.UP, a.state());
        assertEquals(0, a.weightPercent());
        assertEquals(List.of("app [blog] is saturated (queued=100, maxQueue=100)"), a.reasons());
        assertEquals("up ready 0%\n", a.agentLine());
    }

    @Test
    void theEngineDrainingDrainsAndIsNotReady() {
        Availability a = Availability.of(true, List.of(app("blog", 0, 0)));
        assertEquals(State.DRAIN, a.state());
        assertFalse(a.ready());
        assertEquals(List.of("the engine is draining"), a.reasons());
        assertEquals("up drain\n", a.agentLine());
    }

    @Test
    void oneDrainingAppOfTwoMakesTheContainerUnreadyButKeepsItUpWithTheOtherAppsCapacity() {
        AppLoad drained = new AppLoad("old", true, 1, 0, 0, 1, 4, 1, 100, null);
        Availability both = Availability.of(false, List.of(drained, app("blog", 2, 0)));
        assertEquals(State.UP, both.state());
        assertEquals(55, both.weightPercent(), "the drained app's idle slots are no capacity");
        assertEquals(List.of("app [old] is draining"), both.reasons());
        Availability alone = Availability.of(false, List.of(drained));
        assertEquals(State.DRAIN, alone.state(), "asked about the drained app alone (agent-send)");
    }

    @Test
    void anAppThatCannotStartIsDownWithTheReasonOnOneLine() {
        AppLoad broken = new AppLoad("blog", false, 0, 0, 3, 1, 4, 1, 100, "spawn failed:\nexit status 1");
        Availability a = Availability.of(true, List.of(broken, app("other", 0, 0)));
        assertEquals(State.DOWN, a.state(), "down wins over drain");
        assertEquals("down#the engine is draining; app [blog] has no ready process (last error: spawn failed: exit status 1)\n",
                a.agentLine());
        assertFalse(a.ready());
    }

    @Test
    void anAppThatSpawnsOnDemandIsReadyWithNoProcess() {
        AppLoad onDemand = new AppLoad("lazy", false, 0, 0, 0, 0, 4, 1, 100, null);
        Availability a = Availability.of(false, List.of(onDemand));
        assertEquals(State.UP, a.state());
        assertEquals(100, a.weightPercent());
        assertTrue(a.ready());
    }

    @Test
    void aLongReasonIsCutToFitTheAgentsLine() {
        String reason = Availability.oneLine("x".repeat(1000));
        assertEquals(Availability.MAX_REASON, reason.length());
        assertTrue(reason.endsWith("..."));
    }
}
