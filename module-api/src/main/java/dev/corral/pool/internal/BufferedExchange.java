package dev.corral.pool.internal;

import dev.corral.pool.Exchange;
import dev.corral.pool.HttpHeader;
import dev.corral.pool.Tunnel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A client's exchange whose request body was read whole beforehand ({@link RequestBody}): the
 * engine reads the body from the buffer, with its exact length (a chunked upload reaches the app
 * with a {@code Content-Length}); everything else is the client's exchange. The buffer is
 * released when the exchange ends.
 *
 * <p>Lifetime and threads: the client's exchange's.
 */
final class BufferedExchange implements Exchange {
    private final Exchange client;
    private final RequestBody body;

    BufferedExchange(Exchange client, RequestBody body) {
        this.client = client;
        this.body = body;
    }

    @Override
    public long contentLength() {
        return body.length();
    }

    @Override
    public InputStream requestBody() {
        return body.open();
    }

    @Override
    public void succeed() {
        try {
            client.succeed();
        } finally {
            body.release();
        }
    }

    @Override
    public void fail(Throwable cause) {
        try {
            client.fail(cause);
        } finally {
            body.release();
        }
    }

    /** An upgrade ends the exchange too: the buffer goes. */
    @Override
    public void upgrade(int status, List<HttpHeader> headers, Tunnel tunnel) {
        try {
            client.upgrade(status, headers, tunnel);
        } finally {
            body.release();
        }
    }

    @Override
    public void respond(int status, List<HttpHeader> headers, byte[] content) {
        try {
            client.respond(status, headers, content);
        } finally {
            body.release();
        }
    }

    // ---------------------------------------------------------------- the client's, unchanged

    @Override
    public String method() {
        return client.method();
    }

    @Override
    public String rawTarget() {
        return client.rawTarget();
    }

    @Override
    public String rawPath() {
        return client.rawPath();
    }

    @Override
    public String protocol() {
        return client.protocol();
    }

    @Override
    public String scheme() {
        return client.scheme();
    }

    @Override
    public String host() {
        return client.host();
    }

    @Override
    public String remoteAddr() {
        return client.remoteAddr();
    }

    @Override
    public void forEachHeader(BiConsumer<String, String> action) {
        client.forEachHeader(action);
    }

    @Override
    public String header(String name) {
        return client.header(name);
    }

    @Override
    public void attribute(String name, Object value) {
        client.attribute(name, value);
    }

    @Override
    public boolean showsErrorDetails() {
        return client.showsErrorDetails();
    }

    @Override
    public String containerRefusal() {
        return client.containerRefusal();
    }

    @Override
    public void onClientGone(Runnable listener) {
        client.onClientGone(listener);
    }

    @Override
    public SocketAddress clientSocket() {
        return client.clientSocket();
    }

    @Override
    public SocketAddress serverSocket() {
        return client.serverSocket();
    }

    @Override
    public boolean probeClientGone() {
        return client.probeClientGone();
    }

    @Override
    public OutputStream commit(int status, List<HttpHeader> headers) throws IOException {
        return client.commit(status, headers);
    }

    @Override
    public boolean isCommitted() {
        return client.isCommitted();
    }

    @Override
    public boolean supportsUpgrade() {
        return client.supportsUpgrade();
    }

    @Override
    public boolean uncommit() {
        return client.uncommit();
    }
}
