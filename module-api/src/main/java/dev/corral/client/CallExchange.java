package dev.corral.client;

import dev.corral.pool.Exchange;
import dev.corral.pool.HttpHeader;
import dev.corral.pool.RequestAttributes;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * One {@link AppClient} call as the engine sees it: an {@link Exchange} whose client is Java
 * code in the same JVM. The response head completes {@link #head()}; the body streams through a
 * {@link BodyPipe}; Corral's own error answers (and failures before the head) complete the
 * future with the {@link AppCallException} of their reason code.
 *
 * <p>Lifetime: one call. Thread-safety: the engine drives it from one thread at a time (the
 * {@link Exchange} contract); {@link #abandon} may come from any thread.
 */
final class CallExchange implements Exchange {
    private static final String REMOTE_ADDR = "127.0.0.1";
    private final String app;
    private final AppRequest request;
    private final CompletableFuture<AppResponse> head = new CompletableFuture<>();
    private final BodyPipe pipe;
    private final List<Runnable> goneListeners = new ArrayList<>(1);

    // Set by the engine's thread, read by any (the attributes are set before the answer).
    private volatile String requestId;
    private volatile long pid = -1;
    private volatile long queueMillis;
    private volatile String reason;
    private volatile boolean committed;
    /** The caller gave up (timeout or cancel): guarded by goneListeners. */
    private boolean abandoned;
    private AppCallException abandonedWith;

    CallExchange(String app, AppRequest request, long deadline) {
        this.app = app;
        this.request = request;
        this.pipe = new BodyPipe(deadline, this::timeoutException);
    }

    CompletableFuture<AppResponse> head() {
        return head;
    }

    // ---------------------------------------------------------------- the request

    @Override
    public String method() {
        return request.method();
    }

    @Override
    public String rawTarget() {
        return request.target();
    }

    @Override
    public String rawPath() {
        return request.path();
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
        return request.host() != null ? request.host() : "localhost";
    }

    @Override
    public String remoteAddr() {
        return REMOTE_ADDR;
    }

    @Override
    public void forEachHeader(BiConsumer<String, String> action) {
        for (HttpHeader header : request.headers()) {
            action.accept(header.name(), header.value());
        }
    }

    @Override
    public String header(String name) {
        return request.header(name);
    }

    @Override
    public void attribute(String name, Object value) {
        switch (name) {
            case RequestAttributes.REQUEST_ID -> requestId = (String) value;
            case RequestAttributes.PID -> pid = (Long) value;
            case RequestAttributes.QUEUE_MILLIS -> queueMillis = (Long) value;
            case RequestAttributes.REASON -> reason = (String) value;
            default -> { }
        }
    }

    @Override
    public long contentLength() {
        return request.bodyLength();
    }

    @Override
    public InputStream requestBody() {
        return request.openBody();
    }

    @Override
    public void onClientGone(Runnable listener) {
        boolean now;
        synchronized (goneListeners) {
            now = abandoned;
            if (!now) {
                goneListeners.add(listener);
            }
        }
        if (now) {
            listener.run();
        }
    }

    /**
     * The caller gives up ({@code why}: its timeout passed, or it cancelled): the engine is told
     * that its client left (a queued request leaves the queue at once), then the call fails with
     * {@code why} if no answer came yet; so a caller who sees {@code why} sees the queue without it.
     */
    void abandon(AppCallException why) {
        List<Runnable> listeners;
        synchronized (goneListeners) {
            if (abandoned) {
                return;
            }
            abandoned = true;
            abandonedWith = why;
            listeners = List.copyOf(goneListeners);
        }
        try {
            listeners.forEach(Runnable::run);
        } finally {
            head.completeExceptionally(why);
            pipe.fail(why);
        }
    }

    /** Why the caller gave up, or null while it waits. */
    private AppCallException abandonedWith() {
        synchronized (goneListeners) {
            return abandonedWith;
        }
    }

    // ---------------------------------------------------------------- the response

    @Override
    public OutputStream commit(int status, List<HttpHeader> headers) throws IOException {
        AppCallException gaveUp = abandonedWith();
        if (gaveUp != null) {
            throw new IOException("the caller gave up: " + gaveUp.getMessage());
        }
        committed = true;
        head.complete(new AppResponse(app, status, headers, pipe.source(), pid, requestId, queueMillis));
        return pipe.sink();
    }

    @Override
    public boolean isCommitted() {
        return committed;
    }

    /** A caller in the JVM: its exceptions carry the failure's details (they are not a network client's). */
    @Override
    public boolean showsErrorDetails() {
        return true;
    }

    /** Corral's own answer (an error with its reason code): the call fails with the exception of that reason. */
    @Override
    public void respond(int status, List<HttpHeader> headers, byte[] body) {
        String code = reason;
        for (HttpHeader header : headers) {
            if (header.name().equalsIgnoreCase("X-Corral-Reason")) {
                code = header.value();
            }
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        AppCallException gaveUp = abandonedWith();
        if (gaveUp != null) {   // the engine's answer to the caller's leaving (client_gone): the caller's reason stands
            head.completeExceptionally(gaveUp);
            return;
        }
        if (code == null) {   // not an error of Corral's (the Exchange contract allows other small answers)
            committed = true;
            head.complete(new AppResponse(app, status, headers, new java.io.ByteArrayInputStream(body), pid, requestId,
                    queueMillis));
            return;
        }
        head.completeExceptionally(AppCallException.of(app, code, status, text, pid, requestId, queueMillis));
    }

    @Override
    public void succeed() {
        pipe.end();
    }

    @Override
    public void fail(Throwable cause) {
        AppCallException gaveUp = abandonedWith();
        if (gaveUp != null) {
            head.completeExceptionally(gaveUp);
            pipe.fail(gaveUp);
            return;
        }
        String code = reason != null ? reason : "internal_error";
        String message = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        AppCallException failure = AppCallException.of(app, code, 0, message, pid, requestId, queueMillis);
        if (!head.completeExceptionally(failure)) {
            pipe.fail(failure);
        }
    }

    /** The {@code call_timeout} failure of a call that outlived {@link AppRequest#timeout()}. */
    AppCallException timeoutException() {
        return AppCallException.of(app, "call_timeout", 504, "the call to app [" + app + "] took longer than its timeout of "
                + request.timeout().toMillis() + " ms (" + request + ")", pid, requestId, queueMillis);
    }
}
