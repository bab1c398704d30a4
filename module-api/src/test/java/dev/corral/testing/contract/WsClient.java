package dev.corral.testing.contract;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client of the JDK ({@link java.net.http.WebSocket}) that keeps what it receives:
 * whole text and binary messages in order, and how the server closed it. For the contract
 * tests; the listener runs on the HTTP client's threads, the test reads from its own.
 */
final class WsClient implements WebSocket.Listener {
    /** The bound on one wait for a message or the close. */
    static final Duration DEADLINE = Duration.ofSeconds(20);

    /** Whole messages received: text as it came, binary as {@code byte[]}. */
    private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    /** Completes with the server's close code and reason ({@code 1001 going away}), or with the connection's failure. */
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private volatile WebSocket socket;

    private WsClient() {
    }

    /** Opens a WebSocket to {@code uri} ({@code ws://...}), without waiting. */
    static CompletableFuture<WsClient> open(HttpClient http, URI uri) {
        WsClient client = new WsClient();
        return http.newWebSocketBuilder().connectTimeout(DEADLINE).buildAsync(uri, client).thenApply(socket -> {
            client.socket = socket;
            return client;
        });
    }

    /** Opens a WebSocket to {@code uri} and waits for it. */
    static WsClient connect(HttpClient http, URI uri) throws Exception {
        return open(http, uri).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    WebSocket socket() {
        return socket;
    }

    /** Sends a text message and waits for the next message back, which must be text. */
    String ask(String message) throws Exception {
        socket.sendText(message, true).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        return (String) next();
    }

    /** Sends a binary message and waits for the next message back, which must be binary. */
    byte[] ask(byte[] message) throws Exception {
        socket.sendBinary(ByteBuffer.wrap(message), true).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        return (byte[]) next();
    }

    private Object next() throws InterruptedException {
        Object message = messages.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        if (message == null) {
            throw new AssertionError("no message within " + DEADLINE + (closed.isDone() ? "; closed: " + closed.join() : ""));
        }
        return message;
    }

    /** Closes with {@code 1000} and waits for the server's close: its code and reason. */
    String close() throws Exception {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        return awaitClosed();
    }

    /** Waits for the server's close: its code and reason, e.g. {@code 1001 going away}. */
    String awaitClosed() throws Exception {
        return closed.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            messages.add(text.toString());
            text.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        binary.writeBytes(bytes);
        if (last) {
            messages.add(binary.toByteArray());
            binary.reset();
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode + " " + reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }
}
