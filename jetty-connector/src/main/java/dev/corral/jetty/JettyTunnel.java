package dev.corral.jetty;

import dev.corral.pool.TunnelClient;

import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.BufferUtil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

/**
 * A client connection after the app switched protocols: the Jetty {@link Connection} that takes
 * the place of the HTTP/1.1 connection on its {@link EndPoint} (Jetty core's connection upgrade:
 * set as the request's {@code HttpStream.UPGRADE_CONNECTION_ATTRIBUTE}, it replaces the
 * HTTP connection once the 101 is written, as in Jetty's {@code ConnectHandler} and WebSocket
 * handshake), relaying raw bytes between the EndPoint and the engine's
 * {@link dev.corral.pool.Tunnel}. Only translates.
 *
 * <p>Reading: bytes the client sent right after its request (handed over by the HTTP
 * connection, {@link #onUpgradeTo}) go first, then whatever the EndPoint has; when it has
 * nothing, fill interest brings Jetty back ({@link #onFillable}, on a pool thread: the read
 * callback of an {@link AbstractConnection} is blocking). {@code Tunnel.fromClient} blocks
 * while the app does not take the bytes, and no more is read meanwhile. Writing: the engine's relay
 * thread blocks on each write until Jetty has flushed it; closing the EndPoint fails a pending
 * write, so no thread stays blocked. The EndPoint's idle timeout is off: the engine closes idle
 * tunnels itself ({@code upgradeIdleTimeout}).
 *
 * <p>Thread-safety: Jetty calls one {@code onFillable} at a time; {@link #write} comes from the
 * engine's relay thread, {@link #close} from any thread.
 */
final class JettyTunnel extends AbstractConnection implements Connection.UpgradeTo, TunnelClient {
    private static final int BUFFER_SIZE = 16 * 1024;

    /** The engine's end (spelt out: Jetty's {@code Connection.Tunnel} is in scope here). */
    private final dev.corral.pool.Tunnel tunnel;
    /** What the client sent and the engine has not taken yet, in Jetty's flush mode; used by the reading thread. */
    private ByteBuffer buffer = BufferUtil.allocate(BUFFER_SIZE);

    JettyTunnel(EndPoint endPoint, Executor executor, dev.corral.pool.Tunnel tunnel) {
        super(endPoint, executor);
        this.tunnel = tunnel;
    }

    /** The bytes that came after the request's head, before the switch (the client's first frames). */
    @Override
    public void onUpgradeTo(ByteBuffer leftover) {
        buffer = BufferUtil.allocate(Math.max(BUFFER_SIZE, leftover.remaining()));
        BufferUtil.append(buffer, leftover);
    }

    /** On the thread that completed the 101, which must not block: the reading starts on a pool thread. */
    @Override
    public void onOpen() {
        super.onOpen();
        getEndPoint().setIdleTimeout(0);
        tunnel.opened(this);
        getExecutor().execute(this::onFillable);
    }

    @Override
    public void onFillable() {
        try {
            while (true) {
                if (buffer.hasRemaining()) {
                    tunnel.fromClient(buffer);
                }
                BufferUtil.clear(buffer);
                int n = getEndPoint().fill(buffer);
                if (n == 0) {
                    fillInterested();
                    return;
                }
                if (n < 0) {
                    tunnel.clientClosed(null);   // the client closed its side; the engine closes the rest
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            tunnel.clientClosed(e);
            getEndPoint().close(e);
        }
    }

    @Override
    public void onFillInterestedFailed(Throwable cause) {
        tunnel.clientClosed(cause);
        getEndPoint().close(cause);
    }

    @Override
    public boolean onIdleExpired(TimeoutException timeout) {
        tunnel.clientClosed(timeout);
        return true;
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        tunnel.clientClosed(cause);
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
        try (Blocker.Callback blocker = Blocker.callback()) {
            getEndPoint().write(blocker, bytes);
            blocker.block();
        }
    }

    @Override
    public void close() {
        getEndPoint().close();
    }
}
