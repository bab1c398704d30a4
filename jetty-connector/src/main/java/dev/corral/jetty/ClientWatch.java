package dev.corral.jetty;

import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;

/**
 * Notices an HTTP/1.1 client closing its connection while its request (without a body) waits
 * in Corral's queue. Jetty reads nothing from a connection whose request is being handled, so a
 * client that leaves would only be noticed when its response is written; this watch asks the
 * endpoint for read interest and, on end of stream, closes the connection, which fails the
 * request and so fires its failure listeners.
 *
 * <p>Readable data instead of end of stream is a pipelined next request: the watch has read it
 * and cannot give it back, so the connection is marked to close after this response (the client
 * resends what it pipelined, as RFC 9112 allows).
 *
 * <p>Thread-safety: all state changes under this object's monitor; the endpoint calls
 * {@link #succeeded()} from a selector or pool thread.
 */
final class ClientWatch implements Callback {
    private final EndPoint endPoint;
    private final Connection connection;
    private boolean stopped;
    private boolean registered;
    private boolean closeAfterResponse;

    private ClientWatch(EndPoint endPoint, Connection connection) {
        this.endPoint = endPoint;
        this.connection = connection;
    }

    /** Starts watching, or returns null when the endpoint cannot be watched. */
    static ClientWatch start(Connection connection) {
        EndPoint endPoint = connection.getEndPoint();
        if (!(endPoint instanceof AbstractEndPoint)) {
            return null;
        }
        ClientWatch watch = new ClientWatch(endPoint, connection);
        synchronized (watch) {
            watch.registered = endPoint.tryFillInterested(watch);
        }
        return watch.registered ? watch : null;
    }

    /** Stops watching before Jetty needs the endpoint's read interest again. Idempotent. */
    synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (registered) {
            registered = false;
            ((AbstractEndPoint) endPoint).getFillInterest().onFail(new CancellationException("request left the queue"));
        }
    }

    /** True when the watch consumed pipelined bytes, so the connection must not be reused. */
    synchronized boolean closeAfterResponse() {
        return closeAfterResponse;
    }

    @Override
    public void succeeded() {
        boolean gone;
        synchronized (this) {
            registered = false;
            if (stopped) {
                return;
            }
            ByteBuffer buffer = BufferUtil.allocate(512);
            int filled;
            try {
                filled = endPoint.fill(buffer);
            } catch (IOException e) {
                filled = -1;
            }
            if (filled == 0) {
                registered = endPoint.tryFillInterested(this);
                return;
            }
            gone = filled < 0;
            closeAfterResponse = !gone;
            stopped = true;
        }
        if (gone) {
            connection.close();
        }
    }

    @Override
    public void failed(Throwable cause) {
        synchronized (this) {
            registered = false;
        }
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }
}
