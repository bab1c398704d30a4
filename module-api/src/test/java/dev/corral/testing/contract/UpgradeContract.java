package dev.corral.testing.contract;

import dev.corral.pool.AppStatus;
import dev.corral.testing.RawHttp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WebSockets (and any protocol an app switches to with a 101): the connection is tunnelled both
 * ways between client and process until either side closes; it is a session of its process
 * while it lives (concurrency applies, maxRequestTime does not, upgradeIdleTimeout does); when
 * its process retires, it is closed cleanly with 1001 going away; and a client that vanishes
 * frees its session. The app is {@code app.js}, whose WebSocket echo is hand-rolled on Node's
 * {@code upgrade} event; the client is the JDK's {@link java.net.http.WebSocket}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class UpgradeContract extends ContractSupport {

    private URI ws(String path) {
        return URI.create("ws://" + base.getHost() + ":" + base.getPort() + path);
    }

    /** The JVM's open sockets (client and server ends alike), from /proc. */
    private static long openSockets() throws IOException {
        long n = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    n += Files.readSymbolicLink(fd).toString().startsWith("socket:") ? 1 : 0;
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return n;
    }

    /** Threads that relay a tunnel (named so while they do). */
    private static List<String> tunnelThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("corral-tunnel")).toList();
    }

    private void awaitNothingLeft(String app) {
        awaitStatus(app, s -> s.busy() == 0);
        await().atMost(DEADLINE).until(() -> get("/ws-open").body().equals("0"));
        await().atMost(DEADLINE).until(() -> tunnelThreads().isEmpty());
    }

    @Test
    void echoesOverAWebSocketUntilTheClientCloses() throws Exception {
        startReady(1, node("echo").minProcesses(1).maxProcesses(1).concurrency(0));
        WsClient client = WsClient.connect(http, ws("/chat?room=1"));
        assertEquals("hello", client.ask("hello"));
        byte[] big = new byte[200_000];   // several frames' worth of reads both ways, a 64-bit length
        new Random(7).nextBytes(big);
        assertArrayEquals(big, client.ask(big));
        assertTrue(client.ask("pid").startsWith("pid "));
        AppStatus open = awaitStatus("echo", s -> s.busy() == 1);
        assertEquals(1, open.processes());
        assertEquals("1", get("/ws-open").body(), "the app holds one WebSocket while the client does");
        assertEquals("1000 bye", client.close(), "the app answers the client's close through Corral");
        awaitNothingLeft("echo");
        assertFalse(logs.matching("testapp: websocket /chat?room=1 closed by the peer with 1000").isEmpty(),
                "the app got the client's close frame: " + logs.lines());
        assertTrue(container.accessLog().stream().anyMatch(line -> line.startsWith("101 \"GET /chat?room=1 ")),
                "the access log has the upgrade: " + container.accessLog());
    }

    @Test
    void twoHundredSocketsShareOneNodeProcess() throws Exception {
        startReady(1, node("many").minProcesses(1).maxProcesses(1).concurrency(0));
        long socketsBefore = openSockets();
        List<WsClient> clients = new ArrayList<>();
        for (int wave = 0; wave < 4; wave++) {   // 50 handshakes at a time: each within its deadline on a loaded machine
            List<CompletableFuture<WsClient>> opening = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                opening.add(WsClient.open(http, ws("/many/" + (wave * 50 + i))));
            }
            for (CompletableFuture<WsClient> open : opening) {
                clients.add(open.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
            }
        }
        String pid = clients.get(0).ask("pid");
        for (int i = 0; i < clients.size(); i++) {
            assertEquals(pid, clients.get(i).ask("pid"), "socket " + i + " is on the one process");
            assertEquals("message " + i, clients.get(i).ask("message " + i));
        }
        AppStatus busy = awaitStatus("many", s -> s.busy() == 200);
        assertEquals(1, busy.processes());
        assertEquals("200", get("/ws-open").body());
        for (WsClient client : clients) {
            client.socket().sendClose(1000, "bye");
        }
        for (WsClient client : clients) {
            assertEquals("1000 bye", client.awaitClosed());
        }
        awaitNothingLeft("many");
        await().atMost(DEADLINE).until(() -> openSockets() <= socketsBefore + 10);
    }

    @Test
    void aRollingRestartClosesSocketsWithGoingAwayAndNewOnesLandOnTheNewProcess() throws Exception {
        startReady(1, node("rolling").minProcesses(1).maxProcesses(1).concurrency(0).shutdownTimeout("1s"));
        List<WsClient> old = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            old.add(WsClient.connect(http, ws("/old/" + i)));
        }
        String oldPid = old.get(0).ask("pid");
        assertTrue(app("rolling").restart());
        await().atMost(DEADLINE).until(() -> !logs.matching("rolling restart of app [rolling] done").isEmpty());
        WsClient fresh = WsClient.connect(http, ws("/new"));
        String newPid = fresh.ask("pid");
        assertNotEquals(oldPid, newPid, "a new socket lands on the new process");
        for (WsClient client : old) {
            assertEquals("1001 going away", client.awaitClosed(), "closed cleanly once shutdownTimeout passed");
        }
        String pid = oldPid.substring("pid ".length());
        assertEquals(1, logs.matching("closing 5 upgraded connections of process " + pid, "after shutdownTimeout=1s").size(),
                logs.lines().toString());
        await().atMost(DEADLINE).until(() -> logs.matching("closed by the peer with 1001").size() == 5);
        await().atMost(DEADLINE).until(() -> !pidsOf("rolling").contains(Long.parseLong(pid)));
        assertEquals("still here", fresh.ask("still here"));
        assertEquals(newPid, fresh.ask("pid"));
        assertEquals("1000 bye", fresh.close());
        awaitNothingLeft("rolling");
    }

    @Test
    void aClientThatVanishesFreesItsSession() throws Exception {
        startReady(1, node("vanish").minProcesses(1).maxProcesses(1).concurrency(1));
        WsClient client = WsClient.connect(http, ws("/vanishing"));
        assertEquals("x", client.ask("x"));
        awaitStatus("vanish", s -> s.busy() == 1);
        client.socket().abort();
        awaitStatus("vanish", s -> s.busy() == 0);
        await().atMost(DEADLINE).until(() -> !logs.matching("testapp: websocket /vanishing ended without a close frame").isEmpty());
        // concurrency=1: the one slot is free for the next socket
        WsClient next = WsClient.connect(http, ws("/next"));
        assertEquals("y", next.ask("y"));
        assertEquals("1000 bye", next.close());
        awaitNothingLeft("vanish");
    }

    @Test
    void aSocketTakesASlotAndTheNextOneWaitsInTheQueue() throws Exception {
        startReady(1, node("one").minProcesses(1).maxProcesses(1).concurrency(1));
        WsClient first = WsClient.connect(http, ws("/first"));
        assertEquals("a", first.ask("a"));
        CompletableFuture<WsClient> second = WsClient.open(http, ws("/second"));
        awaitStatus("one", s -> s.busy() == 1 && s.queued() == 1);
        assertFalse(second.isDone(), "concurrency=1: the second socket waits while the first one lives");
        assertEquals("1000 bye", first.close());
        WsClient next = second.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals("b", next.ask("b"));
        assertEquals("1000 bye", next.close());
        awaitNothingLeft("one");
    }

    @Test
    void detachingTheProcessClosesItsSocketsWithGoingAwayAfterShutdownTimeout() throws Exception {
        startReady(1, node("detach").minProcesses(1).maxProcesses(1).concurrency(0).shutdownTimeout("1s"));
        WsClient client = WsClient.connect(http, ws("/detached"));
        long pid = Long.parseLong(client.ask("pid").substring("pid ".length()));
        long detached = System.nanoTime();
        assertTrue(app("detach").detach(pid));
        assertEquals("1001 going away", client.awaitClosed());
        assertTrue(System.nanoTime() - detached >= TimeUnit.MILLISECONDS.toNanos(900), "after shutdownTimeout");
        assertEquals(1, logs.matching("closing 1 upgraded connection of process " + pid, "detached by an operator").size(),
                logs.lines().toString());
        await().atMost(DEADLINE).until(() -> !logs.matching("testapp: websocket /detached closed by the peer with 1001").isEmpty());
        await().atMost(DEADLINE).until(() -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        WsClient fresh = WsClient.connect(http, ws("/fresh"));
        assertNotEquals("pid " + pid, fresh.ask("pid"), "the replacement serves new sockets");
        assertEquals("1000 bye", fresh.close());
        awaitNothingLeft("detach");
    }

    @Test
    void anIdleSocketIsClosedAfterUpgradeIdleTimeoutButNotAfterMaxRequestTime() throws Exception {
        startReady(1, node("idle").minProcesses(1).maxProcesses(1).concurrency(0).maxRequestTime("300ms")
                .upgradeIdleTimeout("1500ms"));
        WsClient client = WsClient.connect(http, ws("/quiet"));
        long opened = System.nanoTime();
        String pid = client.ask("pid");
        // past maxRequestTime, and a message keeps it from being idle: it lives on, on the same process
        await().pollDelay(Duration.ofMillis(700)).atMost(DEADLINE).until(() -> true);
        assertEquals(pid, client.ask("pid"));
        assertEquals("1001 going away", client.awaitClosed());
        long lived = System.nanoTime() - opened;
        assertTrue(lived >= TimeUnit.MILLISECONDS.toNanos(2100), "closed " + lived / 1_000_000 + " ms after opening");
        assertFalse(logs.matching("closing upgraded connection GET /quiet", "upgradeIdleTimeout=1500ms").isEmpty(),
                logs.lines().toString());
        assertEquals(0, logs.matching("request_timeout").size(), "maxRequestTime does not apply");
        awaitNothingLeft("idle");
    }

    @Test
    void anAppThatDoesNotSwitchAnswersAsUsual() throws Exception {
        startReady(1, wsgi("plain").minProcesses(1).maxProcesses(1));
        try (RawHttp.Connection connection = RawHttp.connect(base, DEADLINE)) {
            connection.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
            RawHttp.Response response = connection.next();
            assertEquals(200, response.status(), "the app's own answer: " + response);
            connection.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, connection.next().status(), "and the connection serves the next request");
        }
        awaitStatus("plain", s -> s.busy() == 0);
    }
}
