package dev.corral.cdi;

import dev.corral.client.AppClient;
import dev.corral.client.AppRequest;
import dev.corral.client.AppResponse;
import dev.corral.client.QueueFullException;
import dev.corral.config.AppSettings;
import dev.corral.event.CorralEvent;
import dev.corral.event.ProcessExited;
import dev.corral.event.ProcessReady;
import dev.corral.event.ProcessSpawned;
import dev.corral.event.QueueFull;
import dev.corral.pool.App;
import dev.corral.pool.Corral;
import dev.corral.testing.TestApps;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.jboss.weld.junit5.EnableWeld;
import org.jboss.weld.junit5.WeldInitiator;
import org.jboss.weld.junit5.WeldSetup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CDI extension on Weld SE, against a real engine with real Python processes: what a webapp
 * injects, the deployment check of app names, the engine's events as CDI events, and that an
 * observer cannot hurt the engine.
 */
@EnableWeld
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CorralExtensionTest {
    @TempDir
    static Path tmp;
    private static Corral corral;
    private static App served;

    @WeldSetup
    WeldInitiator weld = WeldInitiator.from(WeldInitiator.createWeld()
            .addExtension(new CorralExtension())
            .addBeanClasses(Caller.class, Recorder.class, Thrower.class, Blocker.class)).build();

    @Inject
    Caller caller;
    @Inject
    Recorder recorder;
    @Inject
    Blocker blocker;

    @BeforeAll
    static void startEngine() {
        corral = Corral.builder().runDir(tmp.resolve("run")).build();
        AppSettings app = TestApps.wsgi("cdi-app", TestApps.install(tmp.resolve("app")));
        app.setMinProcesses("1");
        app.setMaxProcesses("1");
        app.setMaxQueue("0");
        served = corral.addApp(app.toConfig());
        corral.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> served.status().ready() == 1);
    }

    @AfterAll
    static void stopEngine() {
        corral.close();
    }

    /** A bean of the webapp that calls the app. */
    @ApplicationScoped
    static class Caller {
        @Inject
        @CorralApp("cdi-app")
        AppClient app;
        @Inject
        CorralView view;

        AppClient app() {
            return app;
        }

        CorralView view() {
            return view;
        }
    }

    /** Records every event of the apps these tests add. */
    @ApplicationScoped
    static class Recorder {
        final List<CorralEvent> events = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();

        void on(@Observes CorralEvent event) {
            if (event.app().startsWith("cdi-")) {
                events.add(event);
                threads.add(Thread.currentThread());
            }
        }

        List<Thread> threads() {
            return threads;
        }

        List<CorralEvent> of(String app) {
            return events.stream().filter(e -> e.app().equals(app)).collect(Collectors.toList());
        }
    }

    /** An observer that fails on every process that becomes ready. */
    @ApplicationScoped
    static class Thrower {
        void on(@Observes ProcessReady ready) {
            if (ready.app().equals("cdi-thrown")) {
                throw new IllegalStateException("an observer that fails on purpose");
            }
        }
    }

    /** An observer that holds the delivery thread while its latch is closed. */
    @ApplicationScoped
    static class Blocker {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch blocked = new CountDownLatch(1);

        void on(@Observes ProcessSpawned spawned) throws InterruptedException {
            if (spawned.app().equals("cdi-slow")) {
                blocked.countDown();
                release.await(30, TimeUnit.SECONDS);
            }
        }

        CountDownLatch release() {
            return release;
        }

        CountDownLatch blocked() {
            return blocked;
        }
    }

    @Test
    void anInjectedClientCallsTheAppThroughAPooledProcess() throws Exception {
        try (AppResponse response = caller.app().send(AppRequest.get("/hello"))) {
            assertEquals(200, response.status());
            assertTrue(response.bodyAsString().startsWith("hello from cdi-app pid " + response.pid()));
            assertTrue(caller.view().isProcessOf("cdi-app", response.pid()), "the pid is a live Corral process");
        }
        assertEquals("cdi-app", caller.app().app());
        assertTrue(caller.view().appNames().contains("cdi-app"));
        assertEquals(1, caller.view().app("cdi-app").orElseThrow().ready());
    }

    @Test
    void aFullQueueReachesTheInjectedClientAsAQueueFullException() throws Exception {
        CompletableFuture<AppResponse> busy = caller.app().sendAsync(AppRequest.get("/sleep?ms=1500"));
        await().atMost(Duration.ofSeconds(5)).until(() -> served.status().busy() == 1);
        QueueFullException full = assertThrows(QueueFullException.class, () -> caller.app().send(AppRequest.get("/hello")));
        assertEquals("queue_full", full.reason());
        assertEquals(200, busy.get(10, TimeUnit.SECONDS).status());
    }

    @Test
    void anAppNameThatDoesNotRunFailsTheDeploymentNamingIt() {
        Weld bad = WeldInitiator.createWeld().addExtension(new CorralExtension()).addBeanClasses(BadCaller.class);
        RuntimeException failure = assertThrows(RuntimeException.class, () -> {
            try (WeldContainer ignored = bad.initialize()) {
                // deployment must fail before this
            }
        });
        String messages = messages(failure);
        assertTrue(messages.contains("@CorralApp(\"no-such-app\"): no Corral app named [no-such-app] runs in this JVM"
                + " (used by " + BadCaller.class.getName() + ".app); apps running: [cdi-app"), messages);
    }

    @ApplicationScoped
    static class BadCaller {
        @Inject
        @CorralApp("no-such-app")
        AppClient app;
    }

    @Test
    void processEventsArriveInOrderOffTheEngineThreads() throws Exception {
        App app = add("cdi-events", 1);
        long pid = app.status().processList().get(0).pid();
        assertTrue(app.detach(pid));
        await().atMost(Duration.ofSeconds(20)).until(() -> recorder.of("cdi-events").stream()
                .anyMatch(e -> e instanceof ProcessExited exited && exited.pid() == pid));
        List<CorralEvent> events = recorder.of("cdi-events");
        ProcessReady ready = events.stream().filter(e -> e instanceof ProcessReady r && r.pid() == pid)
                .map(ProcessReady.class::cast).findFirst().orElseThrow();
        long group = ready.processGroup();
        List<String> ofThatProcess = events.stream().filter(e -> processGroup(e) == group)
                .map(e -> e.getClass().getSimpleName()).collect(Collectors.toList());
        assertEquals(List.of("ProcessSpawned", "ProcessReady", "ProcessExited"), ofThatProcess);
        ProcessExited exited = (ProcessExited) events.stream()
                .filter(e -> e instanceof ProcessExited x && x.pid() == pid).findFirst().orElseThrow();
        assertEquals("detached", exited.cause());
        assertTrue(recorder.threads().stream().allMatch(t -> t.getName().startsWith("corral-events-cdi@")),
                "delivered on the subscription's thread: " + recorder.threads);
        corral.removeApp(app).get(20, TimeUnit.SECONDS);
    }

    @Test
    void anObserverThatThrowsDoesNotStopTheEngineNorLaterEvents() throws Exception {
        App app = add("cdi-thrown", 1);
        long pid = app.status().processList().get(0).pid();
        assertEquals(200, AppClient.of(app).send(AppRequest.get("/hello")).status(), "the engine serves on");
        assertTrue(app.detach(pid));
        await().atMost(Duration.ofSeconds(20)).until(() -> recorder.of("cdi-thrown").stream()
                .anyMatch(e -> e instanceof ProcessExited exited && exited.pid() == pid));
        await().atMost(Duration.ofSeconds(5)).until(() -> weld.select(CorralExtension.class).get().subscription().failed() > 0);
        corral.removeApp(app).get(20, TimeUnit.SECONDS);
    }

    @Test
    void aSlowObserverDoesNotStallTheEngine() throws Exception {
        App app = add("cdi-slow", 0);
        app.scale(1, 1);
        assertTrue(blocker.blocked().await(20, TimeUnit.SECONDS), "the observer got the spawn and holds its thread");
        // while the observer is held, the process still becomes ready and serves
        await().atMost(Duration.ofSeconds(20)).until(() -> app.status().ready() == 1);
        assertEquals(200, AppClient.of(app).send(AppRequest.get("/hello")).status());
        assertTrue(recorder.of("cdi-slow").stream().noneMatch(e -> e instanceof ProcessReady),
                "the events behind the held one wait for it");
        blocker.release().countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.of("cdi-slow").stream()
                .anyMatch(e -> e instanceof ProcessReady));
        corral.removeApp(app).get(20, TimeUnit.SECONDS);
    }

    @Test
    void queueFullEventsAreRateLimitedAndCountTheRejections() throws Exception {
        App app = add("cdi-full", 1);
        app.change(java.util.Map.of("maxQueue", "0"));
        AppClient client = AppClient.of(app);
        CompletableFuture<AppResponse> busy = client.sendAsync(AppRequest.get("/sleep?ms=1500"));
        await().atMost(Duration.ofSeconds(5)).until(() -> app.status().busy() == 1);
        for (int i = 0; i < 20; i++) {
            assertThrows(QueueFullException.class, () -> client.send(AppRequest.get("/hello")));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> recorder.of("cdi-full").stream().anyMatch(e -> e instanceof QueueFull));
        List<QueueFull> full = recorder.of("cdi-full").stream().filter(e -> e instanceof QueueFull)
                .map(QueueFull.class::cast).collect(Collectors.toList());
        assertTrue(full.size() <= 2, "at most one a second: " + full);
        assertEquals(1, full.get(0).rejected(), "the first rejection is reported at once");
        assertEquals(0, full.get(0).maxQueue());
        assertEquals(200, busy.get(10, TimeUnit.SECONDS).status());
        corral.removeApp(app).get(20, TimeUnit.SECONDS);
    }

    private App add(String name, int processes) {
        AppSettings settings = TestApps.wsgi(name, TestApps.install(tmp.resolve(name)));
        settings.setMinProcesses(Integer.toString(processes));
        settings.setMaxProcesses("1");
        App app = corral.addApp(settings.toConfig());
        if (processes > 0) {
            await().atMost(Duration.ofSeconds(20)).until(() -> app.status().ready() == processes);
        }
        return app;
    }

    private static long processGroup(CorralEvent event) {
        if (event instanceof ProcessSpawned spawned) {
            return spawned.processGroup();
        } else if (event instanceof ProcessReady ready) {
            return ready.processGroup();
        } else if (event instanceof ProcessExited exited) {
            return exited.processGroup();
        }
        return -1;
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
