package dev.corral.tomcat;

import dev.corral.pool.Tunnel;
import dev.corral.pool.TunnelClient;

import jakarta.servlet.http.WebConnection;

import org.apache.coyote.http11.upgrade.InternalHttpUpgradeHandler;
import org.apache.tomcat.util.net.AbstractEndpoint.Handler.SocketState;
import org.apache.tomcat.util.net.SSLSupport;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A client connection after the app switched protocols: the upgrade handler Tomcat runs the
 * connection with once the valve has called {@code Request.upgrade} and Tomcat has written the
 * 101, relaying raw bytes between Tomcat's socket and the engine's {@link Tunnel}. Only
 * translates. Tomcat creates it ({@code Request.upgrade(TomcatTunnel.class)}: hence public, with
 * a public constructor); the valve then {@link #attach}es the engine's tunnel before the
 * connection switches.
 *
 * <p>It is one of Tomcat's internal upgrade handlers ({@link InternalHttpUpgradeHandler}, as
 * Tomcat's own WebSocket handler is), for three reasons: Tomcat creates one without a Context
 * (a plain {@code HttpUpgradeHandler} comes from the Context's InstanceManager, so a valve at
 * Host level could not switch at all); its socket can really be closed (closing a
 * {@code WebConnection} only marks its streams, the socket stays open until the next socket
 * event); and reads come as socket events instead of a thread blocked on every idle tunnel.
 *
 * <p>Reading: non-blocking, on Tomcat's threads. What came right after the request (Tomcat put
 * it back into the socket's buffer) is read in {@link #init}, then on each read event until
 * nothing is left; {@link SocketState#UPGRADED} has Tomcat wait for the next. {@code fromClient}
 * blocks while the app does not take the bytes. Writing: the engine's relay thread writes and
 * flushes with blocking calls. Tomcat's blocking writes wait without a timeout (upgraded
 * connections have none) and closing the socket does not wake them, so {@link #close}
 * interrupts a write blocked at that moment, which then fails: no thread stays behind.
 *
 * <p>Thread-safety: Tomcat dispatches one event at a time per connection; {@link #write} comes
 * from the engine's relay thread, {@link #close} from any thread. The writer and the closed flag
 * are guarded by {@code lock}.
 */
public final class TomcatTunnel implements InternalHttpUpgradeHandler, TunnelClient {
    private static final int BUFFER_SIZE = 16 * 1024;

    private volatile Tunnel tunnel;
    private volatile SocketWrapperBase<?> socket;
    /** What Tomcat has read from the client, used by the event's thread. */
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);

    private final Object lock = new Object();
    /** The thread in {@link #write} now, or null. */
    private Thread writer;
    /** {@link #close} interrupted the writer: its write clears the interrupt when it ends. */
    private boolean writerInterrupted;
    private boolean closed;

    /** Tomcat creates it in {@code Request.upgrade}. */
    public TomcatTunnel() {
    }

    /** The engine's end of the tunnel; set on the connector thread before Tomcat switches the connection. */
    void attach(Tunnel engineSide) {
        this.tunnel = engineSide;
    }

    @Override
    public void setSocketWrapper(SocketWrapperBase<?> wrapper) {
        this.socket = wrapper;
    }

    /** The connection has switched (on the connector thread, after the 101 went out). */
    @Override
    public void init(WebConnection connection) {
        tunnel.opened(this);
        if (read() == SocketState.CLOSED) {
            close();
        }
    }

    @Override
    public SocketState upgradeDispatch(SocketEvent status) {
        if (status == SocketEvent.OPEN_READ) {
            return read();
        }
        if (status == SocketEvent.OPEN_WRITE) {
            return SocketState.UPGRADED;   // writes block; none waits for this
        }
        // STOP (Tomcat is stopping), DISCONNECT, ERROR, TIMEOUT
        tunnel.clientClosed(new IOException("Tomcat ended the connection: " + status));
        return SocketState.CLOSED;
    }

    /** Reads what the client sent until nothing is left, handing it to the engine; CLOSED once the client has gone. */
    private SocketState read() {
        try {
            while (true) {
                buffer.clear();
                int n = socket.read(false, buffer);
                buffer.flip();
                if (buffer.hasRemaining()) {
                    tunnel.fromClient(buffer);
                }
                if (n == 0) {
                    return SocketState.UPGRADED;
                }
                if (n < 0) {
                    tunnel.clientClosed(null);
                    return SocketState.CLOSED;
                }
            }
        } catch (EOFException e) {
            tunnel.clientClosed(null);   // the client closed its side
            return SocketState.CLOSED;
        } catch (IOException | RuntimeException e) {
            tunnel.clientClosed(e);
            return SocketState.CLOSED;
        }
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new IOException("the client connection is closed");
            }
            writer = Thread.currentThread();
        }
        try {
            socket.write(true, bytes);
            socket.flush(true);
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        } finally {
            synchronized (lock) {
                writer = null;
                if (writerInterrupted) {
                    writerInterrupted = false;
                    Thread.interrupted();   // close()'s interrupt was for this write alone
                }
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        SocketWrapperBase<?> open = socket;
        if (open != null) {
            open.close();
        }
        synchronized (lock) {
            if (writer != null) {
                writerInterrupted = true;
                writer.interrupt();   // a blocked write waits on a monitor that closing does not notify
            }
        }
    }

    /** Tomcat released the connection (closed by either side, or Tomcat stopping). */
    @Override
    public void destroy() {
        Tunnel engineSide = tunnel;
        if (engineSide != null) {
            engineSide.clientClosed(null);
        }
    }

    @Override
    public void timeoutAsync(long now) {
        // no async timeouts: the engine closes idle tunnels itself (upgradeIdleTimeout)
    }

    @Override
    public void setSslSupport(SSLSupport sslSupport) {
        // raw bytes: nothing to know about TLS
    }

    @Override
    public void pause() {
        // Tomcat pauses its connector before it stops: the engine closes tunnels as the app stops
    }
}
