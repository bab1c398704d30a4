package dev.corral.pool;

import dev.corral.client.AppClient;
import dev.corral.client.AppRequest;
import dev.corral.client.AppResponse;
import dev.corral.config.AppSettings;
import dev.corral.testing.TestApps;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code prefetch} with a real Python process and the real forwarder: the request taken beyond
 * the process's one slot goes out on a second connection and waits in the process's socket; it
 * is served right after the request ahead of it. After a request slower than the setting,
 * nothing waits behind a busy process.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PrefetchProcessTest {
    @TempDir
    Path tmp;
    private Corral corral;

    @AfterEach
    void stop() {
        if (corral != null) {
            corral.close();
        }
    }

    @Test
    void aBusyProcessFindsTheNextRequestWaitingUntilTheAppTurnsSlow() throws Exception {
        AppSettings settings = TestApps.wsgi("prefetch", TestApps.install(tmp.resolve("app")));
        settings.setMinProcesses("1");
        settings.setMaxProcesses("1");
        settings.setConcurrency("1");
        settings.setPrefetch("1s");
        corral = Corral.builder().runDir(tmp.resolve("run")).build();
        App app = corral.addApp(settings.toConfig());
        corral.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> app.status().ready() == 1);
        AppClient client = AppClient.named("prefetch");
        try (AppResponse warm = client.send(AppRequest.get("/sleep?ms=2"))) {
            assertEquals(200, warm.status());   // the app's service time is known now: a few ms, below the setting
        }

        CompletableFuture<AppResponse> slow = client.sendAsync(AppRequest.get("/sleep?ms=2500"));
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10)).until(() -> app.status().busy() == 1);
        CompletableFuture<AppResponse> next = client.sendAsync(AppRequest.get("/sleep?ms=1"));
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10))
                .until(() -> app.status().busy() == 2 && app.status().queued() == 0);
        try (AppResponse first = slow.get(10, TimeUnit.SECONDS); AppResponse second = next.get(10, TimeUnit.SECONDS)) {
            assertEquals(200, first.status());
            assertEquals(200, second.status());
            assertEquals(first.pid(), second.pid());
            assertEquals(Integer.parseInt(first.header("X-Sleep-Number")) + 1, Integer.parseInt(second.header("X-Sleep-Number")),
                    "served by the same process right after the request ahead of it");
        }

        // the app just took 2.5s for a request, more than prefetch=1s: a request waits for the slot
        CompletableFuture<AppResponse> slowAgain = client.sendAsync(AppRequest.get("/sleep?ms=2500"));
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10)).until(() -> app.status().busy() == 1);
        CompletableFuture<AppResponse> waits = client.sendAsync(AppRequest.get("/sleep?ms=1"));
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10)).until(() -> app.status().queued() == 1);
        assertEquals(1, app.status().busy(), "nothing was prefetched");
        try (AppResponse first = slowAgain.get(10, TimeUnit.SECONDS); AppResponse second = waits.get(10, TimeUnit.SECONDS)) {
            assertEquals(200, first.status());
            assertEquals(200, second.status());
        }
    }
}
