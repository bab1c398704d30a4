package dev.corral.testing.contract;

import dev.corral.pool.AppStatus;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restarting an app: a rolling restart under load, touching {@code tmp/restart.txt}, and a new
 * version that cannot start while the old processes keep serving.
 */
public abstract class RestartContract extends ContractSupport {

    /** Sends requests from {@code clients} loops until stopped; records every status and pid. */
    private static final class SteadyLoad implements AutoCloseable {
        final List<Integer> statuses = new CopyOnWriteArrayList<>();
        final Set<String> pids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private volatile boolean running = true;
        private final List<Thread> threads = new ArrayList<>();

        SteadyLoad(HttpClient http, URI base, int clients) {
            for (int i = 0; i < clients; i++) {
                Thread thread = new Thread(() -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (running && System.nanoTime() - deadline < 0) {
                        try {
                            HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/sleep?ms=20"))
                                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                            statuses.add(response.statusCode());
                            response.headers().firstValue("X-Pid").ifPresent(pids::add);
                        } catch (IOException e) {
                            statuses.add(-1);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "steady-load-" + i);
                thread.start();
                threads.add(thread);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(40));
            }
        }
    }

    @Test
    void rollingRestartUnderSteadyLoadLosesNothing() throws Exception {
        startReady(2, wsgi("rolling").minProcesses(2).maxProcesses(2));
        Set<Long> before = pidsOf("rolling");
        SteadyLoad load = new SteadyLoad(http, base, 4);
        try {
            await().atMost(DEADLINE).until(() -> load.statuses.size() > 20);
            assertTrue(app("rolling").restart());
            assertFalse(app("rolling").restart(), "one rolling restart at a time");
            await().atMost(Duration.ofSeconds(40)).until(() -> !logs.matching("rolling restart of app [rolling] done").isEmpty());
            AppStatus after = awaitStatus("rolling", s -> s.ready() == 2 && s.processes() == 2);
            after.processList().forEach(p -> assertFalse(before.contains(p.pid()), "old process " + p.pid() + " retired"));
            int served = load.statuses.size();
            await().atMost(DEADLINE).until(() -> load.statuses.size() > served + 20);
        } finally {
            load.close();
        }
        assertTrue(load.statuses.stream().allMatch(status -> status == 200),
                "every request during the restart succeeded: " + load.statuses.stream().filter(st -> st != 200).toList());
        assertEquals(2, logs.matching("recycling process", "replaced by a rolling restart").size(), logs.lines().toString());
    }

    @Test
    void touchingRestartTxtRestartsTheApp() throws Exception {
        startReady(1, wsgi("touched"));
        Set<Long> before = pidsOf("touched");
        await().atMost(DEADLINE).until(() -> !logs.matching("process", "of app touched is ready").isEmpty());
        Path restart = Files.createDirectories(appRoot.resolve("tmp")).resolve("restart.txt");
        Files.writeString(restart, "");
        await().atMost(DEADLINE).until(() -> !logs.matching("rolling restart of app [touched] done").isEmpty());
        awaitStatus("touched", s -> s.processes() == 1 && s.ready() == 1);
        Set<Long> after = pidsOf("touched");
        assertFalse(after.isEmpty());
        after.forEach(pid -> assertFalse(before.contains(pid), "restarted: " + before + " -> " + after));
        assertEquals(200, get("/hello").statusCode());
    }

    @Test
    void brokenNewVersionKeepsTheOldProcessesServing() throws Exception {
        startReady(2, wsgi("deploy").minProcesses(2).maxProcesses(2));
        Set<Long> before = pidsOf("deploy");
        Files.writeString(appRoot.resolve("BROKEN"), "a bad deploy");
        assertTrue(app("deploy").restart());
        await().atMost(DEADLINE).until(() -> !logs.matching("rolling restart of app [deploy] failed").isEmpty());
        assertFalse(logs.matching("app [deploy]", "this version is broken").isEmpty(), "the app's error is logged");
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> response = get("/hello");
            assertEquals(200, response.statusCode());
            assertTrue(before.contains(Long.parseLong(response.headers().firstValue("X-Pid").orElseThrow())),
                    "served by an old process");
        }
        assertEquals(before, pidsOf("deploy"));
    }
}
