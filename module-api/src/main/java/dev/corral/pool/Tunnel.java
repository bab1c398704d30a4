package dev.corral.pool;

import java.nio.ByteBuffer;

/**
 * The engine's end of a client connection that switched protocols (a WebSocket, say): once the
 * app answered {@code 101 Switching Protocols}, the engine relays raw bytes between the client
 * and the app's process until either side closes. The engine hands a {@code Tunnel} to
 * {@link Exchange#upgrade}; the adapter calls it as the container's connection changes.
 *
 * <p>Order: {@link #opened} once the container has switched the connection (it sent the 101),
 * then {@link #fromClient} for what the client sends, in order, then {@link #clientClosed}, which
 * may also come instead of {@code opened} when the switch failed. The engine ends the tunnel
 * itself (the app closed, {@code upgradeIdleTimeout}, its process retired) by closing the
 * {@link TunnelClient}; the adapter then still reports the close.
 *
 * <p>Thread-safety: {@code fromClient} is called by one thread at a time (the container's
 * reading thread); {@code clientClosed} may come from any thread, at any time, more than once.
 */
public interface Tunnel {

    /**
     * The container has switched the connection: from now on raw bytes go both ways, and the
     * engine writes to the client through {@code client}. Must not block: it is called on the
     * container's thread that completed the 101.
     */
    void opened(TunnelClient client);

    /**
     * Bytes the client sent, in order, consumed (position at limit) on return. Blocks while the
     * app does not take them, so the adapter reads no more from the client meanwhile
     * (back-pressure). Never throws: a tunnel that has ended drops them.
     */
    void fromClient(ByteBuffer bytes);

    /**
     * The client's side ended: closed ({@code cause} null) or failed, or the connection could
     * not be switched. The engine closes the app's side. Idempotent.
     */
    void clientClosed(Throwable cause);
}
