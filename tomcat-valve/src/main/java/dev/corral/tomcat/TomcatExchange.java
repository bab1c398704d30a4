package dev.corral.tomcat;

import dev.corral.pool.Exchange;
import dev.corral.pool.HttpHeader;
import dev.corral.pool.Tunnel;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
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
import java.util.List;
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
 * async callbacks run on other threads and meet in {@link TomcatCycle}, which holds the state
 * they share.
 */
final class TomcatExchange implements Exchange {
    private final RequestHead head;
    /** Why Tomcat refused the request as malformed before the valve ran, or null (see {@link #containerRefusal()}). */
    private final String refusal;

    // Tomcat's objects. The internal request and response only serve coyote actions (the client
    // poll, the content type, the abort), each made while the exchange is still open.
    private final Request request;
    private final Response response;
    private final HttpServletRequest clientToProxyRequest;
    private final HttpServletResponse proxyToClientResponse;
    private final TomcatCycle cycle;
    /** Touched by the engine's thread only. */
    private volatile boolean committed;
    private OutputStream body;
    /** The app's 101, which the connector thread answers with once the engine has ended the exchange; or null. */
    private volatile Switch switching;

    private record Switch(int status, List<HttpHeader> headers, Tunnel tunnel) {
    }

    TomcatExchange(Request request, Response response, boolean asyncPossible) {
        this.request = request;
        this.response = response;
        this.clientToProxyRequest = request.getRequest();
        this.proxyToClientResponse = response.getResponse();
        this.refusal = response.isError() ? describeRefusal(request, response) : null;
        this.head = RequestHead.read(request, refusal != null);
        boolean pollable = head.contentLength() == 0 && head.protocol() != null && head.protocol().startsWith("HTTP/1.")
                && request.getConnector().getProtocolHandler() instanceof AbstractHttp11Protocol<?>;
        // a request that may switch protocols stays on its connector thread: Tomcat switches a
        // connection only when the request's first dispatch returns, never from an async cycle
        this.cycle = new TomcatCycle(request, asyncPossible && !upgradeRequested(), pollable);
    }

    /** See {@link TomcatCycle#suspendIfWaiting()}. */
    boolean suspendIfWaiting() {
        return cycle.suspendIfWaiting();
    }

    /** See {@link TomcatCycle#awaitEnd()}. */
    void awaitEnd() {
        cycle.awaitEnd();
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
        cycle.engage();
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
        cycle.onClientGone(listener);
    }

    @Override
    public boolean probeClientGone() {
        return cycle.probeClientGone();
    }

    // ------------------------------------------------------------------ the response

    @Override
    public OutputStream commit(int status, List<HttpHeader> headers) throws IOException {
        cycle.engage();
        if (committed) {
            throw new IllegalStateException("response already committed");
        }
        if (cycle.isEnded()) {
            throw new IOException("the client connection was closed");
        }
        committed = true;
        try {
            proxyToClientResponse.setStatus(status);
            for (int i = 0; i < headers.size(); i++) {
                HttpHeader header = headers.get(i);
                String name = header.name();
                if (name.equalsIgnoreCase("content-length")) {
                    proxyToClientResponse.setContentLengthLong(Long.parseLong(header.value().trim()));
                } else if (name.equalsIgnoreCase("content-type")) {
                    // Tomcat's setContentType would re-spell the charset parameter; relay the app's bytes.
                    response.getCoyoteResponse().setContentTypeNoCharset(header.value());
                } else if (name.equalsIgnoreCase("connection") && header.value().equalsIgnoreCase("close")) {
                    // Corral answers before it read the whole body (413, 408, 503 ...) and closes the
                    // connection: Tomcat must not wait to drain the rest of that body first (it
                    // drains before it finishes the response), from a client that may trickle it
                    response.getCoyoteResponse().action(ActionCode.DISABLE_SWALLOW_INPUT, null);
                    proxyToClientResponse.setHeader(name, header.value());
                } else if (HttpHeader.isFirstOfItsName(headers, i)) {
                    proxyToClientResponse.setHeader(name, header.value());
                } else {
                    proxyToClientResponse.addHeader(name, header.value());
                }
            }
            body = new ClientStreams.Output(proxyToClientResponse.getOutputStream(), cycle::isEnded);
            return body;
        } catch (RuntimeException e) {
            throw new IOException("the response is no longer available: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isCommitted() {
        return committed;
    }

    /** An HTTP/1.1 request on an HTTP/1.1 connector (not HTTP/2 nor AJP, which cannot switch). */
    @Override
    public boolean supportsUpgrade() {
        return "HTTP/1.1".equals(head.protocol())
                && request.getConnector().getProtocolHandler() instanceof AbstractHttp11Protocol<?>;
    }

    /**
     * Ends the exchange and hands the app's 101 to the connector thread, which waits for the
     * end ({@link #awaitEnd()}) and then switches the connection ({@link #switchProtocols()}).
     */
    @Override
    public void upgrade(int status, List<HttpHeader> headers, Tunnel tunnel) {
        if (!cycle.end()) {
            tunnel.clientClosed(new IOException("the client connection was closed"));
            return;
        }
        committed = true;
        switching = new Switch(status, headers, tunnel);
        cycle.finish();
    }

    /**
     * On the connector thread, once the exchange has ended: if the app switched protocols, the
     * response becomes its 101 and Tomcat's {@code Request.upgrade} makes a {@link TomcatTunnel}
     * take the connection over once the valve returns.
     */
    void switchProtocols() {
        Switch app = switching;
        if (app == null) {
            return;
        }
        switching = null;
        try {
            List<HttpHeader> headers = app.headers();
            for (int i = 0; i < headers.size(); i++) {
                HttpHeader header = headers.get(i);
                if (HttpHeader.isFirstOfItsName(headers, i)) {
                    proxyToClientResponse.setHeader(header.name(), header.value());
                } else {
                    proxyToClientResponse.addHeader(header.name(), header.value());
                }
            }
            request.upgrade(TomcatTunnel.class).attach(app.tunnel());
        } catch (IOException | ServletException | RuntimeException e) {
            app.tunnel().clientClosed(e);
            abort(e);
        }
    }

    @Override
    public boolean uncommit() {
        if (!committed || cycle.isEnded() || proxyToClientResponse.isCommitted()) {
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
        if (!cycle.end()) {
            return;
        }
        try {
            if (body != null) {
                body.close();
            }
        } catch (IOException e) {
            abort(e);
        }
        cycle.finish();
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
        if (!cycle.end()) {
            return;
        }
        if (committed || !response.isError()) {
            abort(cause);
        }
        // else Tomcat has an error answer of its own, not sent yet, for a request (or a body) it
        // could not parse: it sends that 400 and closes the connection
        cycle.finish();
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

    @Override
    public String toString() {
        return head.method() + " " + head.rawTarget();
    }
}
