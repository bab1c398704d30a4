package dev.corral.bench;

import dev.corral.pool.Exchange;
import dev.corral.pool.HttpHeader;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A client request made in memory, for driving the engine through its public API
 * ({@link dev.corral.pool.App#dispatch}) without a container: {@code GET /hello} without a body,
 * whose response body is counted and dropped. {@link #await} waits until the engine ended it.
 *
 * <p>Used by one dispatching thread; the engine may end it from another (the latch publishes the
 * outcome).
 */
public final class BenchExchange implements Exchange {
    private static final OutputStream DISCARD = OutputStream.nullOutputStream();

    private final String target;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile int status;
    private volatile boolean committed;
    private volatile Throwable failure;
    /** What the engine registered for a client that leaves; kept as a container would keep it. */
    private Runnable onClientGone;

    public BenchExchange(String target) {
        this.target = target;
    }

    @Override
    public String method() {
        return "GET";
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
        action.accept("Host", "localhost");
        action.accept("Accept", "*/*");
    }

    @Override
    public long contentLength() {
        return 0;
    }

    @Override
    public InputStream requestBody() {
        return InputStream.nullInputStream();
    }

    @Override
    public void onClientGone(Runnable listener) {
        this.onClientGone = listener;
    }

    @Override
    public OutputStream commit(int status, List<HttpHeader> headers) {
        this.status = status;
        this.committed = true;
        return DISCARD;
    }

    @Override
    public boolean isCommitted() {
        return committed;
    }

    @Override
    public void succeed() {
        done.countDown();
    }

    @Override
    public void fail(Throwable cause) {
        failure = cause;
        done.countDown();
    }

    /** Waits until the engine ended the exchange; false on timeout. */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return done.await(timeout, unit);
    }

    public boolean isDone() {
        return done.getCount() == 0;
    }

    /** The response status, or 0 if none was sent. */
    public int status() {
        return status;
    }

    /** The failure the engine ended the exchange with, or null. */
    public Throwable failure() {
        return failure;
    }

    boolean hasClientGoneListener() {
        return onClientGone != null;
    }
}
