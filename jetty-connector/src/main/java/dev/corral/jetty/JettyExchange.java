package dev.corral.jetty;

import dev.corral.pool.Exchange;
import dev.corral.pool.HttpHeader;
import dev.corral.pool.Tunnel;

import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.QuietException;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * A Jetty core request, response and callback seen as a Corral {@link Exchange}. Only
 * translates: no routing or queueing here. The engine ends it exactly once; the callback is
 * completed exactly once.
 */
final class JettyExchange implements Exchange {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile OutputStream body;
    private volatile boolean committed;
    /** Why reading the request body failed (a malformed chunked body is Jetty's 400), or null. */
    private volatile Throwable bodyFailure;

    JettyExchange(Request request, Response response, Callback callback) {
        this.request = request;
        this.response = response;
        this.callback = callback;
    }

    @Override
    public String method() {
        return request.getMethod();
    }

    @Override
    public String rawTarget() {
        String pathQuery = request.getHttpURI().getPathQuery();
        return pathQuery == null || pathQuery.isEmpty() ? "/" : pathQuery;
    }

    @Override
    public String rawPath() {
        String path = request.getHttpURI().getPath();
        return path == null || path.isEmpty() ? "/" : path;
    }

    @Override
    public String protocol() {
        return request.getConnectionMetaData().getProtocol();
    }

    @Override
    public String scheme() {
        return request.isSecure() ? "https" : "http";
    }

    @Override
    public String host() {
        String host = request.getHeaders().get(org.eclipse.jetty.http.HttpHeader.HOST);
        return host != null ? host : request.getHttpURI().getAuthority();
    }

    @Override
    public String remoteAddr() {
        return Request.getRemoteAddr(request);
    }

    @Override
    public void forEachHeader(BiConsumer<String, String> action) {
        for (HttpField field : request.getHeaders()) {
            action.accept(field.getName(), field.getValue());
        }
    }

    @Override
    public String header(String name) {
        return request.getHeaders().get(name);
    }

    @Override
    public void attribute(String name, Object value) {
        request.setAttribute(name, value);
    }

    @Override
    public long contentLength() {
        HttpFields headers = request.getHeaders();
        if (headers.contains(org.eclipse.jetty.http.HttpHeader.TRANSFER_ENCODING)) {
            return -1;
        }
        long length = request.getLength();
        return Math.max(0, length);
    }

    @Override
    public void onClientGone(Runnable listener) {
        try {
            request.addFailureListener(failure -> listener.run());
        } catch (IllegalStateException alreadyCompleted) {
            // the exchange was served and completed meanwhile (another thread took it from the
            // queue at once): there is no client left to watch
        }
    }

    @Override
    public InputStream requestBody() {
        return new FilterInputStream(Content.Source.asInputStream(request)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return in.read(b, off, len);
                } catch (IOException e) {
                    bodyFailure = e;
                    throw e;
                }
            }
        };
    }

    @Override
    public SocketAddress clientSocket() {
        return request.getConnectionMetaData().getRemoteSocketAddress();
    }

    @Override
    public SocketAddress serverSocket() {
        return request.getConnectionMetaData().getLocalSocketAddress();
    }

    @Override
    public OutputStream commit(int status, List<HttpHeader> headers) throws IOException {
        if (committed) {
            throw new IllegalStateException("response already committed");
        }
        committed = true;
        setHead(status, headers);
        OutputStream out = Content.Sink.asOutputStream(response);
        body = out;
        return out;
    }

    /** In one write, without blocking: Jetty completes the callback once the bytes are written. */
    @Override
    public void respond(int status, List<HttpHeader> headers, byte[] content) {
        if (committed) {
            throw new IllegalStateException("response already committed");
        }
        committed = true;
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        try {
            setHead(status, headers);
        } catch (RuntimeException e) {
            callback.failed(e);
            return;
        }
        response.write(true, ByteBuffer.wrap(content), callback);
    }

    /**
     * An HTTP/1.1 connection, which Jetty can hand over ({@link Connection.UpgradeFrom}); not
     * HTTP/2 or HTTP/3, whose streams share their connection.
     */
    @Override
    public boolean supportsUpgrade() {
        ConnectionMetaData connection = request.getConnectionMetaData();
        return connection.getHttpVersion() == HttpVersion.HTTP_1_1 && connection.getConnection() instanceof Connection.UpgradeFrom;
    }

    /**
     * Jetty core's connection upgrade: a {@link JettyTunnel} on the request's EndPoint, set as
     * {@link HttpStream#UPGRADE_CONNECTION_ATTRIBUTE}, replaces the HTTP connection once the 101
     * is written and the request's callback has succeeded; then it calls {@link Tunnel#opened}.
     */
    @Override
    public void upgrade(int status, List<HttpHeader> headers, Tunnel tunnel) {
        if (!ended.compareAndSet(false, true)) {
            tunnel.clientClosed(new IllegalStateException("the exchange has ended"));
            return;
        }
        committed = true;
        ConnectionMetaData connection = request.getConnectionMetaData();
        JettyTunnel upgraded = new JettyTunnel(connection.getConnection().getEndPoint(),
                connection.getConnector().getExecutor(), tunnel);
        try {
            setHead(status, headers);
            request.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, upgraded);
        } catch (RuntimeException e) {
            callback.failed(e);
            tunnel.clientClosed(e);
            return;
        }
        response.write(true, null, new Callback() {
            @Override
            public void succeeded() {
                callback.succeeded();   // Jetty switches the connection here
            }

            @Override
            public void failed(Throwable failure) {
                callback.failed(failure);
                tunnel.clientClosed(failure);
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }
        });
    }

    private void setHead(int status, List<HttpHeader> headers) {
        response.setStatus(status);
        HttpFields.Mutable fields = response.getHeaders();
        for (int i = 0; i < headers.size(); i++) {
            HttpHeader header = headers.get(i);
            if (HttpHeader.isFirstOfItsName(headers, i)) {
                fields.put(header.name(), header.value());
            } else {
                fields.add(header.name(), header.value());
            }
        }
    }

    @Override
    public boolean isCommitted() {
        return committed || response.isCommitted();
    }

    @Override
    public boolean uncommit() {
        if (!committed || ended.get() || response.isCommitted()) {
            return false;
        }
        try {
            response.reset();
        } catch (IllegalStateException e) {
            return false;   // committed meanwhile
        }
        committed = false;
        body = null;
        return true;
    }

    @Override
    public void succeed() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        OutputStream out = body;
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                callback.failed(e);
                return;
            }
        }
        callback.succeeded();
    }

    /**
     * Fails Jetty's callback: Jetty answers an uncommitted response with an error status from the
     * failure (500, or the 400 of a request body it could not parse) and closes the connection.
     * The engine fails an exchange only for what it expects (a client that left, an answer cut
     * off) and has logged it in one line: Jetty is given a {@link QuietException}, which it logs
     * at DEBUG, not as a WARN with a stack trace.
     */
    @Override
    public void fail(Throwable cause) {
        if (ended.compareAndSet(false, true)) {
            Throwable malformed = committed ? null : httpException(bodyFailure);
            callback.failed(malformed != null ? malformed : new QuietException.Exception(String.valueOf(cause.getMessage()), cause));
        }
    }

    /** The failure's {@link HttpException} (Jetty's status for what it could not parse), or null. */
    private static Throwable httpException(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpException) {
                return t;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return request.getMethod() + " " + request.getHttpURI();
    }
}
