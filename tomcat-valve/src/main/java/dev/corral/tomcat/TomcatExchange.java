package dev.corral.tomcat;

import dev.corral.pool.Exchange;
import dev.corral.pool.HttpHeader;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.coyote.ActionCode;
import org.apache.coyote.ContinueResponseTiming;
import org.apache.coyote.http11.AbstractHttp11Protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * A Tomcat request and response seen as a Corral {@link Exchange}. Only translates: no routing
 * or queueing here. The engine ends it exactly once; then the async cycle is completed
 * ({@link AsyncContext#complete()}) or, in blocking mode, the connector thread waiting in
 * {@link #awaitEnd()} is released.
 *
 * <p>Lifetime: created by {@link CorralValve#invoke} on the connector thread, which also reads
 * everything the engine may ask about the request head, so that other threads never touch
 * Tomcat's request object for it. The body streams and the response go through Tomcat's facades:
 * once Tomcat recycles a request (after the exchange ended, or after Tomcat itself ended the
 * async cycle on an I/O error), a late call fails with an exception instead of touching the
 * connection's next request.
 *
 * <p>Noticing a client that leaves while queued: nothing reads the socket of a request that
 * waits in the queue, so Tomcat does not notice the close by itself. For HTTP/1.x requests
 * without a body, {@link #probeClientGone} asks Tomcat for a non-blocking read of the socket
 * when the engine's probe asks (about every 200 ms while the request is queued), once the
 * connector thread has let go of the request (async) or waits for it (blocking mode).
 *
 * <p>Thread-safety: the engine calls from one thread at a time; the engine's probe and Tomcat's
 * async callbacks run on other threads and share the fields guarded by {@code lock}.
 */
final class TomcatExchange implements Exchange {
    private final RequestHead head;
    /** Why Tomcat refused the request as malformed before the valve ran, or null (see {@link #containerRefusal()}). */
    private final String refusal;
    /**
     * Whether the client's socket may be polled while queued: only for HTTP/1.x requests without
     * a body on an HTTP/1.1 connector. There the next byte on the socket can only be a pipelined
     * request or the end of the connection, and reading it leaves Tomcat's state as it was. Body
     * bytes would read as available, HTTP/2 streams share their socket, and on AJP a read asks
     * the front end for body chunks.
     */
    private final boolean pollable;

    // Tomcat's objects. The internal request and response only serve coyote actions (the client
    // poll, the content type, the abort), each made while the exchange is still open.
    private final Request request;
    private final Response response;
    private final HttpServletRequest clientToProxyRequest;
    private final HttpServletResponse proxyToClientResponse;
    /**
     * Whether the request may go asynchronous (a Context is mapped and the pipeline allows it).
     * It does so only when it is left waiting in the engine's queue ({@link #suspendIfWaiting}):
     * a request rejected or forwarded at once stays on its connector thread, which saves Tomcat's
     * async cycle (start, complete, a second dispatch) on every such request.
     */
    private final boolean asyncPossible;
    /** Set (under lock) once the request went asynchronous; null while it runs on its connector thread. */
    private volatile AsyncContext async;
    private final CountDownLatch endedLatch = new CountDownLatch(1);

    // Guarded by lock.
    private final ReentrantLock lock = new ReentrantLock();
    /** The engine began on the body or the response: the client's socket is Tomcat's again. */
    private boolean engaged;
    /** The connector thread has let go of the request (async) or waits for its end: it may be probed. */
    private boolean released;
    /** Where the engine's listener goes once the request is queued. */
    private Runnable clientGone;
    private int availableInARow;

    /** Set once by {@link #end()}: succeed, fail, or Tomcat ended the async cycle itself. */
    private volatile boolean ended;
    /** Touched by the engine's thread only. */
    private volatile boolean committed;
    private OutputStream body;

    TomcatExchange(Request request, Response response, boolean asyncPossible) {
        this.request = request;
        this.response = response;
        this.clientToProxyRequest = request.getRequest();
        this.proxyToClientResponse = response.getResponse();
        this.asyncPossible = asyncPossible;
        this.refusal = response.isError() ? describeRefusal(request, response) : null;
        this.head = RequestHead.read(request, refusal != null);
        this.pollable = head.contentLength() == 0 && head.protocol() != null && head.protocol().startsWith("HTTP/1.")
                && request.getConnector().getProtocolHandler() instanceof AbstractHttp11Protocol<?>;
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

    @Override
    public String method() {
        return head.method();
    }

    @Override
    public String rawTarget() {
        return head.rawTarget();
    }

    @Override
    public String rawPath() {
        return head.rawPath();
    }

    @Override
    public String protocol() {
        return head.protocol();
    }

    @Override
    public String scheme() {
        return head.scheme();
    }

    @Override
    public String host() {
        return head.host();
    }

    @Override
    public String remoteAddr() {
        return head.remoteAddr();
    }

    @Override
    public void forEachHeader(BiConsumer<String, String> action) {
        for (HttpHeader header : head.headers()) {
            action.accept(header.name(), header.value());
        }
    }

    /** Set on the request, for the AccessLogValve ({@code %{corral.pid}r}); only while the exchange is open. */
    @Override
    public void attribute(String name, Object value) {
        request.setAttribute(name, value);
    }

    @Override
    public long contentLength() {
        return head.contentLength();
    }

    /**
     * Tomcat answers a request it could not parse (a bad header line, conflicting lengths, an
     * unknown transfer coding) with its own error status, but still runs the Host's valves with
     * it, and the request's head as far as Tomcat got.
     */
    private static String describeRefusal(Request request, Response response) {
        Object cause = request.getCoyoteRequest().getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        return "Tomcat answers " + response.getStatus()
                + (cause instanceof Throwable t && t.getMessage() != null ? " (" + t.getMessage() + ")" : "");
    }

    @Override
    public String containerRefusal() {
        return refusal;
    }

    @Override
    public InputStream requestBody() throws IOException {
        engage();
        try {
            // Tomcat sends 100 Continue when a request enters its Context (StandardContextValve,
            // with the default continueResponseTiming=immediately), but the valve serves the
            // request before that: without this a client that waits for 100 Continue would wait
            // for nothing. The engine asks for the body when it forwards the request: now is the time.
            response.sendAcknowledgement(ContinueResponseTiming.ALWAYS);
            return new ClientStreams.Input(clientToProxyRequest.getInputStream());
        } catch (RuntimeException e) {
            throw new IOException("the request is no longer available: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ the client leaving

    @Override
    public void onClientGone(Runnable listener) {
        lock.lock();
        try {
            if (!ended && !engaged) {
                clientGone = listener;
            }
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

    @Override
    public boolean probeClientGone() {
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

    private void engage() {
        lock.lock();
        try {
            engaged = true;
        } finally {
            lock.unlock();
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

    // ------------------------------------------------------------------ the response

    @Override
    public OutputStream commit(int status, List<HttpHeader> headers) throws IOException {
        engage();
        if (committed) {
            throw new IllegalStateException("response already committed");
        }
        if (ended) {
            throw new IOException("the client connection was closed");
        }
        committed = true;
        try {
            proxyToClientResponse.setStatus(status);
            Set<String> seen = new HashSet<>();
            for (HttpHeader header : headers) {
                String lower = header.name().toLowerCase(Locale.ROOT);
                if (lower.equals("content-length")) {
                    proxyToClientResponse.setContentLengthLong(Long.parseLong(header.value().trim()));
                } else if (lower.equals("content-type")) {
                    // Tomcat's setContentType would re-spell the charset parameter; relay the app's bytes.
                    response.getCoyoteResponse().setContentTypeNoCharset(header.value());
                } else if (seen.add(lower)) {
                    proxyToClientResponse.setHeader(header.name(), header.value());
                } else {
                    proxyToClientResponse.addHeader(header.name(), header.value());
                }
            }
            body = new ClientStreams.Output(proxyToClientResponse.getOutputStream(), () -> ended);
            return body;
        } catch (RuntimeException e) {
            throw new IOException("the response is no longer available: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isCommitted() {
        return committed;
    }

    @Override
    public boolean uncommit() {
        if (!committed || ended || proxyToClientResponse.isCommitted()) {
            return false;
        }
        try {
            proxyToClientResponse.reset();
        } catch (IllegalStateException e) {
            return false;   // flushed meanwhile
        }
        committed = false;
        body = null;
        return true;
    }

    @Override
    public void succeed() {
        if (!end()) {
            return;
        }
        try {
            if (body != null) {
                body.close();
            }
        } catch (IOException e) {
            abort(e);
        }
        finish();
    }

    /**
     * The engine ends an exchange this way only when its response can no longer be answered
     * (committed and sent, or the client is gone): the connection is closed, so the client sees
     * the response cut short. Corral's own error responses go through {@link #respond}. The one
     * exception: a request Tomcat refused ({@link #containerRefusal()}) or whose body it could not
     * read gets Tomcat's own error answer.
     */
    @Override
    public void fail(Throwable cause) {
        if (!end()) {
            return;
        }
        if (committed || !response.isError()) {
            abort(cause);
        }
        // else Tomcat has an error answer of its own, not sent yet, for a request (or a body) it
        // could not parse: it sends that 400 and closes the connection
        finish();
    }

    /** Marks the exchange ended; false if it was already. */
    private boolean end() {
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

    /**
     * Closes the connection without finishing the response, so the client sees it cut short.
     * In async mode Tomcat then runs its error path and ends the cycle itself.
     */
    private void abort(Throwable cause) {
        try {
            response.getCoyoteResponse().action(ActionCode.CLOSE_NOW, cause);
        } catch (RuntimeException e) {
            // already recycled: the connection is gone anyway
        }
    }

    private void finish() {
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

    @Override
    public String toString() {
        return head.method() + " " + head.rawTarget();
    }
}
