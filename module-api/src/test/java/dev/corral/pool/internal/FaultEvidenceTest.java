package dev.corral.pool.internal;

import dev.corral.config.AppSettings;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fault is evidence against a process, not a verdict, and never takes the app down: a refused
 * connect or an unanswered request costs a retry on another process (counted towards errorLimit,
 * with a health check at once); a process is retired only when it is really gone; an exit Corral
 * caused is never a crash, whatever its status; and a process that dies after it has served is
 * replaced at once, without crash-loop damping. In memory, on a manual clock.
 */
class FaultEvidenceTest {
    @RegisterExtension
    final EngineHarness engine = new EngineHarness(0);
    private Group app;

    @BeforeEach
    void setUp() {
        AppSettings settings = engine.settings("suspect");
        settings.setMinProcesses("2");
        settings.setMaxProcesses("2");
        settings.setHealthPath("/health");
        settings.setHealthRise("1");
        settings.setHealthInterval("10s");
        app = engine.add(settings);
        engine.start();
        engine.readyAll();
        engine.scheduler.runDue();
        assertEquals(2, app.status().ready());
    }

    private AppProcess process(int launch) {
        return engine.launcher.launches.get(launch).process;
    }

    /** The first forward of {@code path} to a process fails with {@code failure}; the rest are answered. */
    private void failOnce(String path, Outcome failure) {
        AtomicInteger calls = new AtomicInteger();
        engine.app.answer(path, session -> calls.getAndIncrement() == 0 ? failure : FakeForwarder.ok(session));
    }

    @Test
    void aRefusedConnectToALiveProcessCostsARetryNotTheProcess() {
        failOnce("/x", new Outcome.ConnectFailed("Connection refused"));
        long checksBefore = engine.probe.checked.size();
        FakeExchange exchange = engine.request(app, "/x");
        engine.forwards.runAll();   // the retry runs on an engine thread
        assertEquals(200, exchange.status);
        Session first = engine.app.forwarded.get(0);
        Session retry = engine.app.forwarded.get(1);
        assertNotEquals(first.process, retry.process, "the retry goes to the other process");
        assertEquals(2, app.status().ready(), "both processes still take requests");
        assertEquals(2, engine.launcher.launches.size(), "nothing replaced");
        assertEquals(1, first.process.consecutiveErrors, "counted towards errorLimit");
        assertEquals(checksBefore + 1, engine.probe.checked.size(), "and checked at once");
    }

    @Test
    void aRefusedConnectToAProcessWhoseSocketIsGoneRetiresItWithoutACrash() throws Exception {
        AppProcess gone = process(0);
        Files.deleteIfExists(gone.socket);
        engine.app.answer("/x", session -> session.process == gone ? new Outcome.ConnectFailed("No such file")
                : FakeForwarder.ok(session));
        FakeExchange exchange = engine.request(app, "/x");
        FakeExchange again = engine.request(app, "/x");
        engine.forwards.runAll();
        assertEquals(200, exchange.status);
        assertEquals(200, again.status);
        assertFalse(engine.launcher.launches.get(0).os.isAlive(), "Corral stopped it");
        assertEquals(0, app.status().crashes(), "an exit Corral caused is no crash");
        assertEquals(3, engine.launcher.launches.size(), "replaced");
    }

    @Test
    void anUnansweredGetGoesToAnotherProcessAndAnUnansweredPostIs502() {
        failOnce("/get", new Outcome.Cut(0, "end of stream"));
        FakeExchange get = engine.request(app, "/get");
        engine.forwards.runAll();
        assertEquals(200, get.status, "an idempotent request without a body is sent again");
        assertEquals(2, app.status().ready(), "the process that closed is alive: still in service");

        failOnce("/post", new Outcome.Cut(0, "end of stream"));
        FakeExchange post = engine.requestWith(app, "POST", "/post");
        assertEquals(502, post.status, "a POST is never sent twice");
        assertEquals("app_crashed", post.responseHeader("X-Corral-Reason"));
    }

    @Test
    void aRequestWhoseProcessDiedWithItIsNotSentToAnotherProcess() {
        // a "query of death": the process had the request and died without answering
        engine.app.answer("/qod", session -> {
            session.requestDelivered = true;
            engine.launcher.launches.stream().filter(l -> l.process == session.process).findFirst().orElseThrow()
                    .os.dying = true;
            return new Outcome.Cut(0, "end of stream");
        });
        FakeExchange exchange = engine.request(app, "/qod");
        engine.forwards.runAll();
        assertEquals(502, exchange.status);
        assertEquals("app_crashed", exchange.responseHeader("X-Corral-Reason"));
        assertEquals(1, engine.app.forwarded.size(), "one process lost, not two");
        AppProcess died = engine.app.forwarded.get(0).process;
        assertEquals(1, app.status().ready(), "the dying process takes no more requests");
        engine.launcher.launches.stream().filter(l -> l.process == died).findFirst().orElseThrow().os.exit(3);
        assertEquals(1, app.status().crashes(), "it died on its own: a crash, although Corral had retired it");
    }

    @Test
    void aRequestThatNeverReachedADeadProcessGoesToAnother() {
        // a kept-alive connection to a process that had died meanwhile: the write failed (EPIPE)
        AtomicInteger calls = new AtomicInteger();
        engine.app.answer("/x", session -> {
            if (calls.getAndIncrement() > 0) {
                return FakeForwarder.ok(session);
            }
            engine.launcher.launches.stream().filter(l -> l.process == session.process).findFirst().orElseThrow()
                    .os.dying = true;
            return new Outcome.Cut(0, "Broken pipe");
        });
        FakeExchange exchange = engine.request(app, "/x");
        engine.forwards.runAll();
        assertEquals(200, exchange.status);
        assertNotEquals(engine.app.forwarded.get(0).process, engine.app.forwarded.get(1).process);
    }

    @Test
    void anExitCorralCausedIsNoCrashWhateverItsStatus() {
        FakeLauncher.FakeProcess os = engine.launcher.launches.get(0).os;
        os.exitsOnTerm = false;
        assertTrue(app.detach(os.pid()));
        os.exit(1);   // it exits with 1 on SIGTERM
        assertEquals(0, app.status().crashes());
        assertEquals(3, engine.launcher.launches.size(), "replaced at once");
    }

    @Test
    void aProcessThatDiesAfterServingIsReplacedAtOnceWithoutDamping() {
        assertEquals(200, engine.request(app, "/a").status);
        assertEquals(200, engine.request(app, "/b").status);
        for (int round = 0; round < 5; round++) {
            int launches = engine.launcher.launches.size();
            AppProcess served = engine.app.forwarded.get(engine.app.forwarded.size() - 1).process;
            engine.launcher.launches.stream().filter(l -> l.process == served).findFirst().orElseThrow().os.exit(1);
            assertEquals(launches + 1, engine.launcher.launches.size(), "round " + round + ": replaced at once");
            engine.readyAll();
            engine.scheduler.runDue();
            assertEquals(200, engine.request(app, "/c").status);
        }
        assertEquals(5, app.status().crashes(), "each counted as a crash");
    }

    @Test
    void aProcessThatDiesBeforeServingAnythingIsStillDamped() {
        engine.launcher.launches.get(0).os.exit(1);
        assertEquals(2, engine.launcher.launches.size(), "a crash right after readiness, nothing served: spawning waits");
    }
}
