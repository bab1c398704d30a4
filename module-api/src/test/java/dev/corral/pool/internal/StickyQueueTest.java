package dev.corral.pool.internal;

import dev.corral.config.AppSettings;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Sticky sessions' own queues: oldest first across both queues, and handed over when their process goes. */
class StickyQueueTest {
    @RegisterExtension
    final EngineHarness engine = new EngineHarness(0);
    private Group app;

    @BeforeEach
    void setUp() {
        AppSettings settings = engine.settings("sticky");
        settings.setMinProcesses("0");
        settings.setMaxProcesses("2");
        settings.setStickySessions("true");
        app = engine.add(settings);
        engine.start();
    }

    /** Two processes, each busy with one request (held in flight); returns the first's. */
    private FakeExchange twoBusyProcesses() {
        FakeExchange first = engine.request(app, "/busy-1");
        engine.readyAll();
        engine.advance(Duration.ofMillis(1));
        engine.request(app, "/busy-2");
        engine.readyAll();
        engine.advance(Duration.ofMillis(1));
        assertEquals(2, app.status().busy());
        return first;
    }

    private String cookieOf(int launch) {
        return "Cookie: corral_route=" + engine.launcher.launches.get(launch).process.route;
    }

    @Test
    void requestsWaitingForAProcessThatDiesGoToTheOtherProcessOldestFirst() {
        FakeExchange busy1 = twoBusyProcesses();
        FakeExchange plain = engine.request(app, "/plain");
        engine.advance(Duration.ofMillis(1));
        FakeExchange stuck1 = engine.request(app, "/stuck-1", cookieOf(0));
        engine.advance(Duration.ofMillis(1));
        FakeExchange stuck2 = engine.request(app, "/stuck-2", cookieOf(0));
        assertEquals(3, app.status().queued());

        AppProcess dead = engine.launcher.launches.get(0).process;
        engine.launcher.launches.get(0).os.exit(1);   // the first process dies with its request
        assertEquals(3, app.status().queued(), "what waited for it alone waits on, for any process");
        engine.app.answer("/busy-1", session -> session.process == dead ? new Outcome.Cut(0, "end of stream")
                : FakeForwarder.ok(session));
        engine.forwards.runAll();
        long survivor = engine.launcher.launches.get(1).os.pid();
        assertEquals(200, busy1.status, "the GET the dead process never answered is sent again");
        assertEquals(200, plain.status);
        assertEquals(200, stuck1.status);
        assertEquals(200, stuck2.status);
        assertEquals(Long.toString(survivor), stuck1.responseHeader("X-Pid"), "served by the other process");
        assertEquals(java.util.List.of("/busy-2", "/busy-1", "/plain", "/stuck-1", "/stuck-2"), engine.app.forwarded.stream()
                .filter(s -> s.process.pgid() == survivor).map(s -> s.request.exchange.rawPath()).toList(), "oldest first");
    }

    @Test
    void aFreedSlotTakesTheOlderOfItsOwnQueueAndTheAppQueue() {
        twoBusyProcesses();
        FakeExchange stuck = engine.request(app, "/stuck", cookieOf(0));
        engine.advance(Duration.ofMillis(1));
        FakeExchange plain = engine.request(app, "/plain");
        engine.advance(Duration.ofMillis(1));
        FakeExchange stuckLater = engine.request(app, "/stuck-later", cookieOf(0));
        // the first process frees its slot first (its in-flight request is the oldest task)
        engine.forwards.runNext();
        long first = engine.launcher.launches.get(0).os.pid();
        assertEquals(Long.toString(first), stuck.responseHeader("X-Pid"));
        assertEquals(Long.toString(first), plain.responseHeader("X-Pid"), "the app queue's head was older than its own next");
        assertEquals(Long.toString(first), stuckLater.responseHeader("X-Pid"));
        assertFalse(engine.forwards.pending() == 0, "the second process is still busy");
    }

    @Test
    void aStickyRequestWhoseProcessIsGoneIsRoutedNormally() {
        engine.request(app, "/first");
        engine.readyAll();
        engine.forwards.runAll();
        String cookie = cookieOf(0);
        engine.launcher.launches.get(0).os.exit(1);
        FakeExchange rerouted = engine.request(app, "/again", cookie);
        engine.advance(Duration.ofSeconds(1));
        engine.readyAll();
        engine.forwards.runAll();
        assertEquals(200, rerouted.status);
        assertNotEquals(engine.launcher.launches.get(0).os.pid(), Long.parseLong(rerouted.responseHeader("X-Pid")));
    }
}
