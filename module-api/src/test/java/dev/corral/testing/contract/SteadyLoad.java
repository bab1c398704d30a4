package dev.corral.testing.contract;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Sends {@code GET target} from {@code clients} loops until stopped (60 s at most); records every status and pid. */
public final class SteadyLoad implements AutoCloseable {
    public final List<Integer> statuses = new CopyOnWriteArrayList<>();
    public final Set<String> pids = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;
    private final List<Thread> threads = new ArrayList<>();

    public SteadyLoad(HttpClient http, URI target, int clients) {
        for (int i = 0; i < clients; i++) {
            Thread thread = new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (running && System.nanoTime() - deadline < 0) {
                    try {
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(target)
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
