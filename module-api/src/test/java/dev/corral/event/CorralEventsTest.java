package dev.corral.event;

import dev.corral.client.AppClient;
import dev.corral.client.AppCrashedException;
import dev.corral.client.AppRequest;
import dev.corral.config.AppSettings;
import dev.corral.pool.App;
import dev.corral.pool.Corral;
import dev.corral.testing.TestApps;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's events as a {@link CorralEvents} listener sees them, from real processes: a
 * crash with the requests it cut short, restarts of both kinds, an app that cannot start, and
 * that the subscription's close ends the deliveries.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CorralEventsTest {
    @TempDir
    Path tmp;
    private Corral corral;
    private final List<CorralEvent> events = new CopyOnWriteArrayList<>();
    private CorralEvents.Subscription subscription;

    @BeforeEach
    void subscribe() {
        subscription = CorralEvents.subscribe("test", event -> {
            if (event.app().startsWith("events-")) {
                events.add(event);
            }
        });
    }

    @AfterEach
    void stop() {
        subscription.close();
        if (corral != null) {
            corral.close();
        }
    }

    private App start(String name, Consumer<AppSettings> settings) {
        AppSettings app = TestApps.wsgi(name, TestApps.install(tmp.resolve("app")));
        app.setMinProcesses("1");
        app.setMaxProcesses("1");
        settings.accept(app);
        corral = Corral.builder().runDir(tmp.resolve("run")).build();
        App added = corral.addApp(app.toConfig());
        corral.start();
        return added;
    }

    private <T extends CorralEvent> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    @Test
    void aCrashIsAnExitWithCauseCrashedThatNamesTheRequestItWasServing() throws Exception {
        App app = start("events-crash", s -> s.setRetries("0"));
        await().atMost(Duration.ofSeconds(20)).until(() -> of(ProcessReady.class).size() == 1);
        ProcessReady ready = of(ProcessReady.class).get(0);
        assertEquals(ready.processGroup(), of(ProcessSpawned.class).get(0).processGroup());
        assertThrows(AppCrashedException.class, () -> AppClient.of(app).send(AppRequest.get("/sleepcrash?ms=300")));
        await().atMost(Duration.ofSeconds(20)).until(() -> !of(ProcessExited.class).isEmpty());
        ProcessExited exited = of(ProcessExited.class).get(0);
        assertEquals(ready.pid(), exited.pid());
        assertTrue(exited.crashed(), exited.toString());
        assertEquals(3, exited.exitCode());
        assertEquals("exit code 3", exited.exitStatus());
        assertEquals(1, exited.interrupted().size(), exited.toString());
        assertTrue(exited.interrupted().get(0).startsWith("GET /sleepcrash?ms=300 (request "), exited.toString());
        // the replacement comes up on its own, and says so
        await().atMost(Duration.ofSeconds(20)).until(() -> of(ProcessReady.class).size() == 2);
    }

    @Test
    void restartsOfBothKindsAreReportedWhenTheNewGenerationServes() {
        App app = start("events-restart", s -> { });
        await().atMost(Duration.ofSeconds(20)).until(() -> of(ProcessReady.class).size() == 1);
        assertTrue(app.restart());
        await().atMost(Duration.ofSeconds(30)).until(() -> of(AppRestarted.class).size() == 1);
        AppRestarted rolling = of(AppRestarted.class).get(0);
        assertTrue(rolling.rolling());
        assertEquals(1, rolling.generation());
        assertTrue(of(ProcessReady.class).stream().anyMatch(r -> r.generation() == 1),
                "a process of the new generation was ready before the restart was done");
        assertTrue(app.restart(false));
        await().atMost(Duration.ofSeconds(30)).until(() -> of(AppRestarted.class).size() == 2);
        AppRestarted allAtOnce = of(AppRestarted.class).get(1);
        assertFalse(allAtOnce.rolling());
        assertEquals(2, allAtOnce.generation());
        await().atMost(Duration.ofSeconds(30)).until(() -> of(ProcessExited.class).size() == 2);
        List<String> causes = of(ProcessExited.class).stream().map(ProcessExited::cause).collect(Collectors.toList());
        assertEquals(List.of("recycled", "recycled"), causes);
    }

    @Test
    void anAppWhoseSpawnsKeepFailingIsUnableToStart() {
        start("events-broken", s -> {
            s.setEntryPoint("no_such_module:application");
            s.setSpawnTimeout("10s");
        });
        await().atMost(Duration.ofSeconds(40)).until(() -> !of(AppUnableToStart.class).isEmpty());
        AppUnableToStart unable = of(AppUnableToStart.class).get(0);
        assertFalse(unable.restart());
        assertEquals(3, unable.failedSpawns());
        assertTrue(unable.error().startsWith("spawn failed at step"), unable.error());
        assertTrue(of(ProcessReady.class).isEmpty());
        assertEquals(3, of(ProcessSpawned.class).size());
        assertTrue(of(ProcessExited.class).stream().allMatch(e -> e.cause().equals("spawn_failed")),
                of(ProcessExited.class).toString());
    }

    @Test
    void aClosedSubscriptionGetsNothingMore() {
        start("events-closed", s -> { });
        await().atMost(Duration.ofSeconds(20)).until(() -> of(ProcessReady.class).size() == 1);
        long delivered = subscription.delivered();
        subscription.close();
        corral.app("events-closed").orElseThrow().scale(2, 2);
        await().atMost(Duration.ofSeconds(20)).until(() -> corral.app("events-closed").orElseThrow().status().ready() == 2);
        assertEquals(delivered, subscription.delivered());
        assertEquals(1, of(ProcessReady.class).size());
    }
}
