package dev.corral.tomcat;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;

import org.apache.catalina.connector.Request;
import org.apache.coyote.ActionCode;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where one {@link TomcatExchange} stands between its three parties: the connector thread that
 * took the request, the engine that serves it, and Tomcat's async cycle. It decides when the
 * request goes asynchronous, when the connector thread may return, whether a queued request may
 * be probed for a departed client, and makes sure the exchange ends exactly once.
 *
 * <p>A request starts on its connector thread. If the engine leaves it waiting in the queue, it
 * goes asynchronous ({@link #suspendIfWaiting}) and the thread returns; otherwise (rejected or
 * forwarded at once, or no async possible) the thread waits in {@link #awaitEnd()}. Either way
 * the thread has then "let go", and only from then on may the engine's probe read the socket.
 * Once the engine begins on the body or the response ({@link #engage()}) the socket is Tomcat's
 * again and is never probed. The exchange ends once: by the engine ({@link #end()}, then
 * {@link #finish()}), or by Tomcat ending the async cycle itself (an I/O error), which also tells
 * the engine's listener of a queued request that the client has gone.
 *
 * <p>Thread-safety: the connector thread, the engine's threads, the probe and Tomcat's async
 * callbacks all call in; the state is guarded by {@code lock}.
 */
final class TomcatCycle {
    private final Request request;
    /**
     * Whether the request may go asynchronous (a Context is mapped and the pipeline allows it).
     * It does so only when it is left waiting in the engine's queue: a request rejected or
     * forwarded at once stays on its connector thread, which saves Tomcat's async cycle (start,
     * complete, a second dispatch) on every such request.
     */
    private final boolean asyncPossible;
    /**
     * Whether the client's socket may be polled while queued: only for HTTP/1.x requests without
     * a body on an HTTP/1.1 connector. There the next byte on the socket can only be a pipelined
     * request or the end of the connection, and reading it leaves Tomcat's state as it was. Body
     * bytes would read as available, HTTP/2 streams share their socket, and on AJP a read asks
     * the front end for body chunks.
     */
    private final boolean pollable;
    private final CountDownLatch endedLatch = new CountDownLatch(1);
    /** Set (under lock) once the request went asynchronous; null while it runs on its connector thread. */
    private volatile AsyncContext async;
    /** Set once, by the engine's end or by Tomcat ending the async cycle. */
    private volatile boolean ended;

    // Guarded by lock.
    private final ReentrantLock lock = new ReentrantLock();
    /** The engine began on the body or the response: the client's socket is Tomcat's again. */
    private boolean engaged;
    /** The connector thread has let go of the request (async) or waits for its end: it may be probed. */
    private boolean released;
    /** Where the engine's listener goes once the request is queued. */
    private Runnable clientGone;
    private int availableInARow;

    TomcatCycle(Request request, boolean asyncPossible, boolean pollable) {
        this.request = request;
        this.asyncPossible = asyncPossible;
        this.pollable = pollable;
    }

    /**
     * Called on the connector thread once the engine's dispatch has returned: if the request is
     * still waiting (not ended, and no engine thread has started on its body or response), it
     * goes asynchronous and the connector thread is free to return. Otherwise (or in blocking
     * mode) the caller must {@link #awaitEnd()}: the exchange ended already, or an engine thread
     * took the request from the queue in the meantime and serves it while this thread waits.
     *
     * @return true if the request is now asynchronous
     */
    boolean suspendIfWaiting() {
        if (!asyncPossible) {
            return false;
        }
        lock.lock();
        try {
            if (ended || engaged) {
                return false;
            }
            AsyncContext started = request.startAsync();
            started.setTimeout(0);
            started.addListener(new ContainerEvents());
            async = started;
            released = true;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Blocking mode: waits until the engine ends the exchange (the engine's probe watches the client meanwhile). */
    void awaitEnd() {
        lock.lock();
        try {
            released = true;
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        while (true) {
            try {
                endedLatch.await();
                break;
            } catch (InterruptedException e) {
                // Returning early would let Tomcat recycle a response the engine still writes to:
                // keep waiting (the engine always ends the exchange), and keep the interrupt.
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The engine begins on the body or the response: the client's socket is no longer probed. */
    void engage() {
        lock.lock();
        try {
            engaged = true;
        } finally {
            lock.unlock();
        }
    }

    /** Where to report a client that leaves while the request is queued (ignored once engaged or ended). */
    void onClientGone(Runnable listener) {
        lock.lock();
        try {
            if (!ended && !engaged) {
                clientGone = listener;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The engine's probe: whether the client of a queued request has left (see {@link #clientLeftLocked()}). */
    boolean probeClientGone() {
        lock.lock();
        try {
            if (!pollable || !released || ended || engaged || clientGone == null) {
                return false;
            }
            return clientLeftLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Asks Tomcat for a non-blocking read of the socket. A closed or reset connection reads as
     * one available byte (Tomcat's way to make the next read fail), and so does a pipelined next
     * request, but that only once: its bytes then wait in Tomcat's buffer, which Tomcat does not
     * read again. So two reports in a row mean the client has gone.
     */
    private boolean clientLeftLocked() {
        assert lock.isHeldByCurrentThread();
        org.apache.coyote.Request coyoteRequest = request.getCoyoteRequest();
        coyoteRequest.action(ActionCode.AVAILABLE, Boolean.TRUE);
        if (coyoteRequest.getAvailable() > 0) {
            return ++availableInARow >= 2;
        }
        availableInARow = 0;
        return false;
    }

    boolean isEnded() {
        return ended;
    }

    /** Marks the exchange ended by the engine; false if it was already. Follow with {@link #finish()}. */
    boolean end() {
        lock.lock();
        try {
            if (ended) {
                return false;
            }
            ended = true;
            engaged = true;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Hands the request back to Tomcat: completes the async cycle, or releases the waiting connector thread. */
    void finish() {
        if (async == null) {
            endedLatch.countDown();
            return;
        }
        try {
            async.complete();
        } catch (IllegalStateException e) {
            // Tomcat already ends the cycle on its error path (after an abort or a failed write)
        }
    }

    /** Tomcat's callbacks on the async cycle; we set no timeout, so only errors end it early. */
    private final class ContainerEvents implements AsyncListener {
        @Override
        public void onComplete(AsyncEvent event) {
            endedByContainer();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            endedByContainer();
        }

        @Override
        public void onError(AsyncEvent event) {
            endedByContainer();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }

    /** Tomcat ended the cycle (normally after our own complete()); a queued request leaves the queue. */
    private void endedByContainer() {
        Runnable listener = null;
        lock.lock();
        try {
            if (ended) {
                return;
            }
            ended = true;
            if (!engaged) {
                listener = clientGone;
            }
        } finally {
            lock.unlock();
        }
        endedLatch.countDown();
        if (listener != null) {
            listener.run();
        }
    }
}
