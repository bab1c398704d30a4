package dev.corral.testing.contract;

import dev.corral.pool.AppStatus;
import dev.corral.pool.ProcessStatus;
import dev.corral.testing.RawHttp;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Serving and routing: WSGI and Node apps from pooled processes, path prefixes and virtual hosts,
 * the {@code concurrency} limit per process, TCP-listening apps, keep-alive connections to the
 * app, and sticky sessions.
 */
public abstract class RoutingContract extends ContractSupport {

    @Test
    void servesWsgiAppFromMinProcessesPooledProcesses() throws Exception {
        AppStatus status = startReady(2, wsgi("demo").minProcesses(2).maxProcesses(3));
        Set<String> pids = new HashSet<>();
        for (ProcessStatus process : status.processList()) {
            pids.add(Long.toString(process.pid()));
        }
        HttpResponse<String> response = get("/hello");
        assertEquals(200, response.statusCode());
        assertTrue(response.body().startsWith("hello from demo pid "), response.body());
        // Corral reports the pid of the Python process that answered, and the process group it runs in
        String appPid = response.headers().firstValue("X-Pid").orElseThrow();
        assertTrue(pids.contains(appPid), "the answering pid " + appPid + " is one Corral reports: " + pids);
        long group = Long.parseLong(Files.readString(Path.of("/proc/" + appPid + "/stat")).split(" ")[4]);
        assertTrue(status.processList().stream().anyMatch(p -> p.processGroup() == group), "process group " + group);
    }

    @Test
    void servesNodeAppThatListensOnItsOwnPortThroughTheBundledLoader() throws Exception {
        start(node("nodeapp").maxProcesses(2));
        HttpResponse<String> response = get("/hi?x=1");
        assertEquals(200, response.statusCode());
        assertTrue(response.body().startsWith("hello from node nodeapp pid "), response.body());
        assertTrue(response.body().trim().endsWith("/hi?x=1"), response.body());
        String pid = response.headers().firstValue("X-Pid").orElseThrow();
        assertTrue(app("nodeapp").status().processList().stream().anyMatch(p -> Long.toString(p.pid()).equals(pid)),
                "Corral reports the node process " + pid);
    }

    @Test
    void aKeepAliveConnectionTheAppClosedWhileIdleIsNotReused() throws Exception {
        // Corral checks an idle connection before reuse only once it has been idle for a second
        // (the check costs a third of a small request); this app closes idle ones after 1.2 s
        start(node("closer").maxProcesses(1).env("TESTAPP_KEEPALIVE_MS=1200"));
        HttpResponse<String> first = get("/one");
        assertEquals(200, first.statusCode());
        assertFalse(logs.awaitMatching("testapp: closed an idle connection after /one").isEmpty(), logs.lines().toString());
        HttpResponse<String> second = get("/two");
        assertEquals(200, second.statusCode(), second.body());
        assertEquals(first.headers().firstValue("X-Pid"), second.headers().firstValue("X-Pid"), "the same process serves on");
        assertTrue(logs.matching("request failed").isEmpty(), logs.lines().toString());
    }

    @Test
    void routesByPathPrefixAndVirtualHostAndPassesOtherRequestsOn() throws Exception {
        start(wsgi("blog").pathPrefix("/blog"), wsgi("shop").virtualHosts("shop.example"));
        assertTrue(get("/blog/hello").body().startsWith("hello from blog"));
        String seen = get("/blog/x/headers?a=b").body();
        assertTrue(seen.contains("\"SCRIPT_NAME\": \"/blog\"") && seen.contains("\"PATH_INFO\": \"/x/headers\""),
                "a WSGI app under a prefix sees it as SCRIPT_NAME: " + seen);
        assertEquals(404, get("/other").statusCode(), "a path no app serves goes to the container");
        RawHttp.Response viaHost = RawHttp.exchange(base, "GET", "/x", "Host: shop.example");
        assertTrue(viaHost.body().startsWith("hello from shop"), viaHost.body());
        RawHttp.Response blogViaHost = RawHttp.exchange(base, "GET", "/blog/x", "Host: shop.example");
        assertTrue(blogViaHost.body().startsWith("hello from blog"), "the longer matching prefix wins");
    }

    @Test
    void concurrencyOneNeverSendsAProcessTwoRequestsAtOnce() throws Exception {
        Path state = stateDir();
        start(threaded("threaded").maxProcesses(3).concurrency(1).env("TESTAPP_STATE_DIR=" + state));
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            responses.add(getAsync("/sleep?ms=20"));
        }
        Set<String> servedBy = new HashSet<>();
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            assertEquals(200, response.get(60, TimeUnit.SECONDS).statusCode());
            servedBy.add(response.get().body());
        }
        try (Stream<Path> files = Files.list(state)) {
            List<Path> maxima = files.filter(f -> f.getFileName().toString().startsWith("max-")).toList();
            assertFalse(maxima.isEmpty());
            for (Path max : maxima) {
                assertEquals("1", Files.readString(max), max.getFileName() + ": requests at once in one process");
            }
        }
        assertTrue(servedBy.size() <= 3, "at most maxProcesses processes: " + servedBy);
        assertTrue(servedBy.size() >= 2, "a busy pool grows past one process: " + servedBy);
    }

    @Test
    void unlimitedConcurrencySendsManyRequestsToOneProcess() throws Exception {
        Path state = stateDir();
        startReady(1, threaded("threaded").maxProcesses(1).concurrency(0).env("TESTAPP_STATE_DIR=" + state));
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            responses.add(getAsync("/sleep?ms=300"));
        }
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            assertEquals(200, response.get(60, TimeUnit.SECONDS).statusCode());
        }
        try (Stream<Path> files = Files.list(state)) {
            int max = Integer.parseInt(Files.readString(files.filter(f -> f.getFileName().toString().startsWith("max-"))
                    .findFirst().orElseThrow()));
            assertTrue(max > 1, "concurrency=0 lets one process take several requests at once, saw " + max);
        }
    }

    @Test
    void eachAppNumbersItsProcessesFromOne() throws Exception {
        // CORRAL_PROCESS_NUMBER seeds an app's own faults: another app's spawns must not shift it
        start(wsgi("busy").minProcesses(2).maxProcesses(2),
                wsgi("later").pathPrefix("/later").minProcesses(0).maxProcesses(1));
        awaitStatus("busy", s -> s.ready() == 2);
        HttpResponse<String> later = get("/later/hello");
        assertEquals(200, later.statusCode(), later.body());
        assertEquals("1", later.headers().firstValue("X-Process-Number").orElse(null));
        assertEquals(Set.of("1", "2"), Set.of(get("/hello").headers().firstValue("X-Process-Number").orElseThrow(),
                get("/hello").headers().firstValue("X-Process-Number").orElseThrow()));
    }

    @Test
    void tcpListeningAppsAreServedToo() throws Exception {
        start(wsgi("tcp").listen("tcp"));
        HttpResponse<String> response = get("/hello");
        assertEquals(200, response.statusCode());
        assertTrue(app("tcp").status().processList().get(0).address().startsWith("127.0.0.1:"));
    }

    @Test
    void stickyRequestsReturnToTheirProcessUntilItIsGone() throws Exception {
        startReady(3, wsgi("sticky").minProcesses(3).maxProcesses(3).stickySessions(true));
        HttpResponse<String> first = getWithCookie("/hello", null);
        String cookie = routeCookie(first);
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> again = getWithCookie("/hello", cookie);
            assertEquals(pid(first), pid(again), "sticky to its process");
            assertTrue(again.headers().firstValue("Set-Cookie").isEmpty(), "a valid cookie is not set again");
        }
        assertEquals(502, getWithCookie("/crash", cookie).statusCode());
        HttpResponse<String> rerouted = getWithCookie("/hello", cookie);
        assertEquals(200, rerouted.statusCode(), "its process is gone: routed normally");
        assertFalse(pid(first).equals(pid(rerouted)));
        assertFalse(cookie.equals(routeCookie(rerouted)), "with a new cookie");
    }
}
