package dev.corral.pool.internal;

import dev.corral.config.AppSettings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** maxPoolProcesses across apps: eviction of another app's idle process. In memory, on a manual clock. */
class PoolLimitsTest {
    @RegisterExtension
    final EngineHarness engine = new EngineHarness(2);

    @Test
    void anAppWithAWaitingRequestTakesTheLeastRecentlyUsedIdleProcessOfAnotherApp() {
        AppSettings first = engine.settings("first");
        first.setMinProcesses("2");
        first.setMaxProcesses("2");
        AppSettings second = engine.settings("second");
        second.setMinProcesses("0");
        Group a = engine.add(first);
        Group b = engine.add(second);
        engine.start();
        engine.readyAll();
        assertEquals(2, a.status().ready());
        FakeExchange used = engine.request(a, "/recent");
        engine.advance(Duration.ofMillis(100));
        FakeExchange usedAgain = engine.request(a, "/recent");
        assertEquals(used.responseHeader("X-Pid"), usedAgain.responseHeader("X-Pid"), "least recently used first: the same process");
        // the other process of the first app has been idle longer
        long idle = a.status().processList().stream().mapToLong(p -> p.pid())
                .filter(pid -> !Long.toString(pid).equals(used.responseHeader("X-Pid"))).findFirst().orElseThrow();

        FakeExchange waiting = engine.request(b, "/hello");
        assertFalse(waiting.ended(), "the pool is full: the request waits");
        engine.scheduler.runDue();   // the slot given back wakes the waiting app
        assertEquals(1, engine.launcher.pending().size(), "a process for the second app");
        FakeLauncher.Launch evictedLaunch = engine.launcher.launches.stream().filter(l -> l.os != null
                && l.os.pid() == idle).findFirst().orElseThrow();
        assertEquals("[TERM]", evictedLaunch.os.signals.toString(), "the idle one was stopped");
        engine.readyAll();
        engine.forwards.runAll();
        assertEquals(200, waiting.status);
        assertEquals(1, a.status().processes(), "the first app keeps one: the pool holds 2 in all");
        assertTrue(a.status().processList().stream().noneMatch(p -> p.pid() == idle));
    }

    @Test
    void oneEvictionPerSlotWhileTheEvictedProcessTakesItsTimeToExit() {
        AppSettings first = engine.settings("first");
        first.setMinProcesses("2");
        first.setMaxProcesses("2");
        AppSettings second = engine.settings("second");
        second.setMinProcesses("0");
        Group a = engine.add(first);
        Group b = engine.add(second);
        engine.start();
        engine.readyAll();
        engine.launcher.launches.forEach(launch -> launch.os.exitsOnTerm = false);   // slow to stop
        FakeExchange waiting = engine.request(b, "/hello");
        engine.advance(Duration.ofSeconds(3));   // maintenance ticks, and the app still needs its process
        long stopped = engine.launcher.launches.stream().filter(l -> l.os != null && l.os.signals.contains("TERM")).count();
        assertEquals(1, stopped, "one process evicted for the one slot the pool lacks, not both");
        assertEquals(1, a.status().ready());
        engine.launcher.launches.forEach(launch -> launch.os.exitsOnTerm = true);
        engine.launcher.launches.stream().filter(l -> l.os != null && l.os.signals.contains("TERM")).findFirst()
                .orElseThrow().os.exit(0);
        engine.scheduler.runDue();
        engine.readyAll();
        engine.forwards.runAll();
        assertEquals(200, waiting.status);
        assertEquals(1, a.status().ready(), "the first app keeps one");
    }

    @Test
    void keepingMinProcessesNeverTakesAProcessFromAnotherApp() {
        AppSettings first = engine.settings("first");
        first.setMinProcesses("2");
        first.setMaxProcesses("2");
        AppSettings second = engine.settings("second");
        second.setMinProcesses("1");
        Group a = engine.add(first);
        engine.start();
        engine.readyAll();
        Group b = engine.add(second);
        engine.advance(Duration.ofSeconds(5));
        assertEquals(0, b.status().processes(), "minProcesses alone waits for a free slot");
        assertEquals(2, a.status().ready());
    }
}
