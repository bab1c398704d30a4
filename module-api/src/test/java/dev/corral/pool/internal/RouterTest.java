package dev.corral.pool.internal;

import dev.corral.pool.internal.ProcessLifecycle.Life;
import dev.corral.pool.internal.ProcessLifecycle.Routing;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The choice of a process: pure, on processes made by hand and a seeded random source. */
class RouterTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();
    @RegisterExtension
    final EngineHarness engine = new EngineHarness(0);
    private Group group;
    private int seq;

    @BeforeEach
    void setUp() {
        group = engine.add(engine.settings("routed"));
    }

    private AppProcess ready(int sessions, long lastUsed, long readyAt) {
        AppProcess process = new AppProcess(group, ++seq, 0, null, 0, 0, 0, 0, "r" + seq);
        process.moveTo(Life.RUNNING);
        process.routeTo(Routing.ENABLED);
        process.sessions = sessions;
        process.lastUsedNanos = lastUsed;
        process.readyNanos = readyAt;
        return process;
    }

    @Test
    void theProcessWithTheMostFreeSlotsWinsAndTiesGoToTheLeastRecentlyUsed() {
        Router router = new Router(new Random(1));
        AppProcess busy = ready(3, 0, 0);
        AppProcess recent = ready(1, 20, 0);
        AppProcess older = ready(1, 10, 0);
        assertSame(older, router.choose(List.of(busy, recent, older), 4, null, 0, 100));
        assertSame(recent, router.choose(List.of(busy, recent, older), 4, older, 0, 100), "not the excluded one");
        assertNull(router.choose(List.of(busy), 3, null, 0, 100), "no free slot: no choice");
    }

    @Test
    void aProcessThatTakesNoRequestsIsNeverChosen() {
        Router router = new Router(new Random(1));
        AppProcess draining = ready(0, 0, 0);
        draining.routeTo(Routing.DRAINING);
        AppProcess retiring = ready(0, 5, 0);
        retiring.routeTo(Routing.RETIRING);
        assertSame(retiring, router.choose(List.of(draining, retiring), 1, null, 0, 100), "retiring still serves");
        assertNull(router.sticky(List.of(draining), draining.route), "a sticky route to a draining process is void");
        assertSame(retiring, router.sticky(List.of(draining, retiring), retiring.route));
    }

    @Test
    void duringSlowStartANewProcessGetsTheShareOfTheRampItHasBeenUp() {
        Router router = new Router(new Random(42));
        long now = 100 * SECOND;
        AppProcess old = ready(0, 1, 0);
        AppProcess fresh = ready(0, 0, now - SECOND);   // a quarter into a 4 s ramp; least recently used, so
        int freshPicks = 0;                             // without slowStart it would take every request
        assertSame(fresh, router.choose(List.of(old, fresh), 1, null, 0, now));
        for (int i = 0; i < 4000; i++) {
            AppProcess chosen = router.choose(List.of(old, fresh), 1, null, 4 * SECOND, now);
            if (chosen == fresh) {
                freshPicks++;
            }
        }
        assertTrue(freshPicks > 800 && freshPicks < 1200, "about a quarter of its turns: " + freshPicks + " of 4000");
        AppProcess alone = ready(0, 0, now - SECOND);
        assertSame(alone, router.choose(List.of(alone), 1, null, 4 * SECOND, now), "never skipped when it is the only one");
    }
}
