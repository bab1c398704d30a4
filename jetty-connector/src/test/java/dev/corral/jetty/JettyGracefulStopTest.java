package dev.corral.jetty;

import dev.corral.testing.ContainerFixture;
import dev.corral.testing.contract.ContractSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Jetty closes its connections before it stops its handlers: with a graceful stop (a
 * {@code stopTimeout}, as the distribution's graceful module sets), CorralHandler closes the
 * open WebSockets cleanly first, with 1001 going away to the client and to the app.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JettyGracefulStopTest extends ContractSupport {

    @Override
    public ContainerFixture newFixture() {
        return new JettyFixture(5000);
    }

    @Test
    void stoppingJettyClosesWebSocketsWithGoingAway() throws Exception {
        startReady(1, node("ws").minProcesses(1).maxProcesses(1).concurrency(0));
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        CompletableFuture<String> closed = new CompletableFuture<>();
        WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create("ws://" + base.getHost() + ":" + base.getPort()
                + "/stopping"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        received.add(data.toString());
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                        closed.complete(code + " " + reason);
                        return null;
                    }
                }).get(20, TimeUnit.SECONDS);
        socket.sendText("before the stop", true).get(20, TimeUnit.SECONDS);
        assertEquals("before the stop", received.poll(20, TimeUnit.SECONDS));
        container.close();
        assertEquals("1001 going away", closed.get(20, TimeUnit.SECONDS));
        assertEquals(1, logs.matching("closing 1 upgraded connection of app [ws]: the server is stopping").size(),
                logs.lines().toString());
        await().atMost(DEADLINE).until(() -> !logs.matching("testapp: websocket /stopping closed by the peer with 1001")
                .isEmpty());
    }
}
