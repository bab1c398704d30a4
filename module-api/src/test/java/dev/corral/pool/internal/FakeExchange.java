package dev.corral.pool.internal;

import dev.corral.pool.Exchange;
import dev.corral.pool.HttpHeader;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** A client request in memory: records the response the engine gives it, and how it ended. */
final class FakeExchange implements Exchange {
    private final String target;
    private final List<HttpHeader> requestHeaders = new ArrayList<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private Runnable clientGone;
    int status;
    List<HttpHeader> responseHeaders = List.of();
    /** "succeeded", "failed: ..." or null while open. */
    String end;
    int ends;
    /** The request body's announced length: none (0) unless a test sets it before dispatching. */
    long contentLength;
    /** Whether the "container" could hand the connection over (an upgrade); false unless a test sets it. */
    boolean upgradable;
    /** The request method: GET unless a test sets it before dispatching. */
    String method = "GET";
    /** What the engine set with {@link #attribute}. */
    final java.util.Map<String, Object> attributes = new java.util.concurrent.ConcurrentHashMap<>();

    FakeExchange(String target, String... headers) {
        this.target = target;
        for (String header : headers) {
            int colon = header.indexOf(':');
            requestHeaders.add(new HttpHeader(header.substring(0, colon).trim(), header.substring(colon + 1).trim()));
        }
    }

    /** The client goes away (while queued, the engine drops the request). */
    void leave() {
        if (clientGone != null) {
            clientGone.run();
        }
    }

    String responseHeader(String name) {
        return responseHeaders.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(HttpHeader::value)
                .findFirst().orElse(null);
    }

    String body() {
        return body.toString(StandardCharsets.UTF_8);
    }

    boolean ended() {
        return end != null;
    }

    @Override
    public void attribute(String name, Object value) {
        attributes.put(name, value);
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String rawTarget() {
        return target;
    }

    @Override
    public String rawPath() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    @Override
    public boolean supportsUpgrade() {
        return upgradable;
    }

    @Override
    public String protocol() {
        return "HTTP/1.1";
    }

    @Override
    public String scheme() {
        return "http";
    }

    @Override
    public String host() {
        return "localhost";
    }

    @Override
    public String remoteAddr() {
        return "127.0.0.1";
    }

    @Override
    public void forEachHeader(BiConsumer<String, String> action) {
        requestHeaders.forEach(h -> action.accept(h.name(), h.value()));
    }

    @Override
    public long contentLength() {
        return contentLength;
    }

    @Override
    public InputStream requestBody() {
        return InputStream.nullInputStream();
    }

    @Override
    public void onClientGone(Runnable listener) {
        clientGone = listener;
    }

    @Override
    public OutputStream commit(int status, List<HttpHeader> headers) {
        this.status = status;
        this.responseHeaders = List.copyOf(headers);
        return body;
    }

    @Override
    public boolean isCommitted() {
        return status != 0;
    }

    @Override
    public boolean uncommit() {
        if (end != null) {
            return false;
        }
        status = 0;
        body.reset();
        return true;
    }

    @Override
    public void succeed() {
        ends++;
        end = "succeeded";
    }

    @Override
    public void fail(Throwable cause) {
        ends++;
        end = "failed: " + cause.getMessage();
    }

    @Override
    public String toString() {
        return "GET " + target;
    }
}
