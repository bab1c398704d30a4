package dev.corral.pool.internal;

import dev.corral.config.AppSettings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code prefetch}: a busy process takes one request more while the app is fast, never more,
 * never a request that may be long, and never ahead of an older waiting request. Requests that
 * arrive while a request is at the app are dispatched from inside the fake app's answer to it.
 */
class PrefetchTest {
    @RegisterExtension
    final EngineHarness engine = new EngineHarness(0);
    /** What the app's state was when each scripted arrival had been dispatched: busy and queued. */
    private final List<String> seen = new ArrayList<>();

    /** One process, concurrency 1, prefetch as given; a first request served so that the app's service time is known. */
    private Group app(String prefetch) {
        AppSettings settings = engine.settings("pf");
        settings.setMinProcesses("1");
        settings.setMaxProcesses("1");
        settings.setPrefetch(prefetch);
        settings.setBufferRequestBody("false");   // a fake request's body is announced, not sent
        Group app = engine.add(settings);
        engine.start();
        engine.readyAll();
        takesFor("/warm", WARM);
        assertEquals(200, engine.request(app, "/warm").status);
        return app;
    }

    /** A request of the app's usual length: above the floor below which prefetch stays off, far below the setting. */
    private static final Duration WARM = Duration.ofMillis(2);

    /** The fake app answers {@code path} after {@code time} on the engine's clock. */
    private void takesFor(String path, Duration time) {
        engine.app.answer(path, session -> {
            takes(time);
            return FakeForwarder.ok(session);
        });
    }

    /** The fake app takes {@code time} on the engine's clock. */
    private void takes(Duration time) {
        engine.clock.set(engine.clock.getAsLong() + time.toNanos());
    }

    private String state(Group app) {
        return "busy=" + app.status().busy() + " queued=" + app.status().queued();
    }

    /** While {@code path} is at the app, {@code arrivals} arrive (dispatched in order, the state noted after each). */
    private List<FakeExchange> whileServing(Group app, String path, FakeExchange... arrivals) {
        engine.app.answer(path, session -> {
            takes(WARM);
            for (FakeExchange arrival : arrivals) {
                app.dispatch(arrival);
                seen.add(arrival.rawPath() + ": " + state(app));
            }
            return FakeForwarder.ok(session);
        });
        return List.of(arrivals);
    }

    @Test
    void aBusyProcessTakesOneRequestMoreAtOnceAndTheNextWaitsInTheQueue() {
        Group app = app("50ms");
        FakeExchange b = new FakeExchange("/b");
        FakeExchange c = new FakeExchange("/c");
        // /b reaches the app while /a is there; /c arrives while both are
        whileServing(app, "/a", b);
        whileServing(app, "/b", c);
        FakeExchange a = engine.request(app, "/a");
        engine.forwards.runAll();
        // (the fake app answers /b at once; /b's freed place then takes /c, which goes out on an engine thread)
        assertEquals(List.of("/c: busy=2 queued=1", "/b: busy=2 queued=0"), seen,
                "/b went out to the busy process at once; /c, a second one more, waited in the queue");
        assertEquals(List.of(200, 200, 200), List.of(a.status, b.status, c.status));
        assertEquals(List.of("/warm", "/a", "/b", "/c"), forwardedPaths());
        assertEquals(0, app.status().busy());
    }

    @Test
    void anAppWhoseRequestsTakeLessThanTheFloorIsNotPrefetched() {
        Group app = app("50ms");
        // many sub-millisecond requests: the typical service time falls below the floor
        takesFor("/quick", Duration.ofNanos(Prefetch.FLOOR_NANOS / 5));
        for (int i = 0; i < 40; i++) {
            assertEquals(200, engine.request(app, "/quick").status);
        }
        FakeExchange b = new FakeExchange("/b");
        whileServing(app, "/a", b);
        engine.request(app, "/a");
        engine.forwards.runAll();
        assertEquals(List.of("/b: busy=1 queued=1"), seen, "sub-millisecond requests: prefetch would cost more than it saves");
        assertEquals(200, b.status);
    }

    @Test
    void withoutPrefetchARequestWaitsForAFreeSlot() {
        Group app = app("0");
        FakeExchange b = new FakeExchange("/b");
        whileServing(app, "/a", b);
        FakeExchange a = engine.request(app, "/a");
        engine.forwards.runAll();
        assertEquals(List.of("/b: busy=1 queued=1"), seen);
        assertEquals(List.of(200, 200), List.of(a.status, b.status));
    }

    @Test
    void aSlowRequestStopsPrefetchingUntilTheAppIsFastAgain() {
        Group app = app("50ms");
        takesFor("/slow", Duration.ofMillis(100));
        assertEquals(200, engine.request(app, "/slow").status);
        FakeExchange b = new FakeExchange("/b");
        whileServing(app, "/a", b);
        engine.request(app, "/a");
        engine.forwards.runAll();
        assertEquals(List.of("/b: busy=1 queued=1"), seen, "the app took 100ms a moment ago: nothing may wait behind it");

        // the peak decays with each fast request: 100ms x (7/8)^6 < 50ms
        for (int i = 0; i < 5; i++) {
            engine.request(app, "/fast");
        }
        seen.clear();
        FakeExchange b2 = new FakeExchange("/b2");
        whileServing(app, "/a2", b2);
        engine.request(app, "/a2");
        engine.forwards.runAll();
        assertEquals(List.of("/b2: busy=1 queued=0"), seen, "fast again: prefetched (and answered at once by the fake app)");
        assertEquals(200, b2.status);
    }

    @Test
    void aRequestWithABodyOrAnUpgradeIsNeverPrefetchedAndWhatCameAfterItWaitsBehindIt() {
        Group app = app("50ms");
        FakeExchange post = new FakeExchange("/post");
        post.method = "POST";
        post.contentLength = 10;
        FakeExchange ws = new FakeExchange("/ws", "Upgrade: websocket", "Connection: Upgrade");
        ws.upgradable = true;
        FakeExchange get = new FakeExchange("/get");
        whileServing(app, "/a", post, ws, get);
        FakeExchange a = engine.request(app, "/a");
        engine.forwards.runAll();
        assertEquals(List.of("/post: busy=1 queued=1", "/ws: busy=1 queued=2", "/get: busy=1 queued=3"), seen,
                "a GET that could be prefetched still waits behind older requests: the queue is oldest first");
        assertEquals(List.of("/warm", "/a", "/post", "/ws", "/get"), forwardedPaths());
        assertEquals(List.of(200, 200, 200, 200), List.of(a.status, post.status, ws.status, get.status));
    }

    @Test
    void aProcessThatDiesCostsOnlyTheRequestsItHadTaken() {
        Group app = app("50ms");
        FakeExchange b = new FakeExchange("/b");
        FakeExchange c = new FakeExchange("/c");
        whileServing(app, "/a", b);
        engine.app.answer("/b", session -> {
            app.dispatch(c);   // arrives while /a and /b are at the process: waits in the queue
            seen.add("/c: " + state(app));
            session.requestDelivered = true;
            engine.launcher.launches.get(0).os.exit(137);   // the process dies with both
            return new Outcome.Cut(0, "end of stream");
        });
        engine.app.answer("/a", session -> {
            app.dispatch(b);
            session.requestDelivered = true;
            return new Outcome.Cut(0, "end of stream");
        });
        FakeExchange a = engine.request(app, "/a");
        assertEquals(List.of("/c: busy=2 queued=1"), seen);
        engine.advance(Duration.ofSeconds(1));
        engine.readyAll();
        engine.forwards.runAll();
        assertEquals(502, a.status, "in flight when its process died");
        assertEquals(502, b.status, "prefetched: delivered to the process that died");
        assertEquals(200, c.status, "the queue is not lost: a new process serves it");
        assertTrue(engine.launcher.launches.size() >= 2);
    }

    private List<String> forwardedPaths() {
        return engine.app.forwarded.stream().map(s -> s.request.exchange.rawPath()).toList();
    }
}
