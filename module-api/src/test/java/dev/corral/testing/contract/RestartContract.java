package dev.corral.testing.contract;

import dev.corral.pool.AppStatus;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restarting an app: a rolling restart under load, touching {@code tmp/restart.txt}, and a new
 * version that cannot start while the old processes keep serving.
 */
public abstract class RestartContract extends ContractSupport {

    @Test
    void rollingRestartUnderSteadyLoadLosesNothing() throws Exception {
        startReady(2, wsgi("rolling").minProcesses(2).maxProcesses(2));
        Set<Long> before = pidsOf("rolling");
        SteadyLoad load = new SteadyLoad(http, base.resolve("/sleep?ms=20"), 4);
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
