package dev.corral.pool.internal;

import dev.corral.fault.FaultPoint;
import dev.corral.pool.Exchange;
import dev.corral.pool.HttpHeader;
import dev.corral.pool.RequestAttributes;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Forwards one request over one connection to its session's process and streams the answer
 * back: the request head and body go out as HTTP/1.1 (hop-by-hop headers stripped, forwarding
 * headers added, the body streamed through a fixed buffer), and jetty-http's {@code HttpParser}
 * reads the response, whose body is written to the client as it arrives. A body with a
 * Content-Length up to {@link ResponseRelay#HOLD_LIMIT} is read whole first: an app that fails in
 * the middle of it costs the client a clean 502, and the engine may give the process its next
 * request before this response goes to its client ({@link Outcome.Served#held()}). A request
 * that asks to switch protocols goes out with its {@code Upgrade}; the app's 101 makes the
 * connection a tunnel ({@link Outcome.Upgraded}, see {@link Tunnels}).
 *
 * <p>Blocking I/O on the calling thread: a forwarding thread exists only while a request is in
 * flight on a process, never while it is queued. Reports how the request ended; ending the
 * session and answering a failure are the caller's. Stateless apart from the clock; thread-safe.
 */
final class HttpForwarder implements Forwarder {
    private static final System.Logger LOG = System.getLogger("dev.corral.request");
    /** Idle keep-alive connections older than this are checked for a close by the app before reuse. */
    static final long CHECK_IDLE_AFTER_NANOS = 1_000_000_000L;

    /** {@link RequestHead#HOP_BY_HOP} as an array: looked through for every response header, without an iterator. */
    private static final String[] HOP_BY_HOP = RequestHead.HOP_BY_HOP.toArray(String[]::new);

    /** The directory of the run directory where response buffers spill to (files unlinked at once). */
    static final String BUFFER_DIR = "buffers";
    private final LongSupplier clock;
    /** Waits out an injected latency (the real one parks the thread: {@link SystemTime#pause}). */
    private final Consumer<Duration> pause;

    HttpForwarder(LongSupplier clock, Consumer<Duration> pause) {
        this.clock = clock;
        this.pause = pause;
    }

    @Override
    public Outcome forward(Session session) {
        AppProcess process = session.process;
        RequestInfo request = session.request;
        Exchange exchange = request.exchange;
        String refusal = exchange.containerRefusal();
        if (refusal != null) {
            // a request the container could not parse never reaches the app, which might find
            // other request boundaries in it; the container answers it
            return new Outcome.ClientGone(false, "the container refused the request: " + refusal);
        }
        exchange.attribute(RequestAttributes.PID, process.pid());
        exchange.attribute(RequestAttributes.QUEUE_MILLIS, request.queuedNanos / 1_000_000);
        var faults = process.group.faults;
        // the log's context of an injected fault: only built when faults may be injected
        String where = faults.mayInject() ? process + " for " + request.describe() : null;
        if (faults.inject(FaultPoint.CONNECT, where)) {
            return new Outcome.ConnectFailed("Connection refused (fault injected)");
        }
        if (faults.inject(FaultPoint.EMFILE, where)) {
            return new Outcome.NoDescriptors("Too many open files (fault injected)");
        }
        AppConnection connection = takeConnection(process);
        if (connection == null) {
            try {
                connection = new AppConnection(process.connect());
            } catch (IOException e) {
                return Descriptors.exhausted(e) ? new Outcome.NoDescriptors(e.getMessage())
                        : new Outcome.ConnectFailed(e.getMessage());
            }
        }
        if (faults.inject(FaultPoint.WRITE_RESET, where)) {
            connection.close();
        }
        connection.uses++;
        boolean head = "HEAD".equals(exchange.method());
        boolean upgrade = exchange.upgradeRequested();
        boolean requestSent = false;
        try {
            writeRequest(request, connection, upgrade);
            requestSent = true;
            session.requestDelivered = true;
            session.runPreviousEnd();   // the app has this request: now the previous client's answer
        } catch (ClientReadException e) {
            connection.close();
            return new Outcome.ClientGone(false, "reading the request body failed: " + e.getCause().getMessage());
        } catch (IOException e) {
            // the app stopped reading (it may have answered early): read what it says
            LOG.log(Level.DEBUG, "writing {0} to {1} failed: {2}", request.describe(), process, e.getMessage());
        }
        // responseTimeout: from here (the request written, or the app stopped reading it) to the
        // answer's first byte; the engine's timer closes the connection if it is up first
        java.time.Duration responseTimeout = process.group.config.timeouts().responseTimeout();
        IoDeadline firstByte = responseTimeout.isZero() ? null
                : IoDeadline.arm(process.group.engine.services.scheduler(), responseTimeout.toNanos(), connection);
        var routing = process.group.config.routing();
        HttpHeader cookie = routing.stickySessions() && !process.route.equals(request.route)
                ? new HttpHeader("Set-Cookie", StickyRoute.setCookie(routing.stickyCookie(), process,
                        process.group.config.pathPrefix()))
                : null;
        if (faults.inject(FaultPoint.KILL, where)) {
            process.os.killGroup();
        }
        if (faults.inject(FaultPoint.LATENCY, where)) {
            // an injected delay of the app's answer: this thread waits as it would for a slow app
            pause.accept(faults.spec().latency());
        }
        if (faults.inject(FaultPoint.READ_RESET, where)) {
            connection.close();
        }
        ResponseRelay relay = new ResponseRelay(exchange, head, request.id, cookie);
        relay.awaitFirstByte(firstByte);
        if (upgrade) {
            relay.expectUpgrade();
        }
        relay.holdSmallBody();
        dev.corral.config.BufferConfig buffers = process.group.config.buffers();
        if (buffers.buffersResponses()) {
            Executor drainers = process.group.engine.services.forwardExecutor();
            relay.bufferWith(toClient -> {
                ResponseBuffer buffer = new ResponseBuffer(toClient, buffers.responseBufferSize(),
                        buffers.responseBufferMax(), process.group.bufferDir(), request.describe());
                buffer.start(drainers);
                return buffer;
            });
        }
        if (faults.inject(FaultPoint.TRUNCATE, where)) {
            relay.truncateAfterHead(connection);
        }
        relay.run(connection);
        boolean noAnswerInTime = firstByte != null && !firstByte.finish();
        if (relay.upgraded) {
            // the connection is the tunnel's now: never offered for reuse
            return new Outcome.Upgraded(relay.status, relay.upgradeHeaders(), connection);
        }
        if (relay.complete && !relay.clientFailure) {
            // an app that answered before taking the whole request (and then stopped reading, or
            // closed) leaves the rest of it, or nothing, on this connection: never used again
            if (requestSent && relay.reusable && !connection.in.hasRemaining()) {
                process.offerIdle(connection, clock.getAsLong());
            } else {
                connection.close();
            }
            if (relay.holding) {
                return new Outcome.Served(relay.status, true, () -> deliverHeld(exchange, relay));
            }
            if (relay.buffer != null) {
                // the process is free once this returns; the buffer's drain task ends the exchange
                ResponseBuffer buffer = relay.buffer;
                return new Outcome.Served(relay.status, false, () -> {
                    buffer.finish(failure -> {
                        if (failure == null) {
                            exchange.succeed();
                        } else {
                            FailureMapper.answer(process.group, request, new Outcome.ClientGone(true,
                                    "writing the response to the client failed: " + failure.getMessage()), process);
                        }
                    });
                    return null;
                });
            }
            return new Outcome.Served(relay.status, false, () -> {
                exchange.succeed();
                return null;
            });
        }
        connection.close();
        relay.endBuffer();   // the answer will not be complete: the caller ends the exchange
        if (relay.clientFailure) {
            return new Outcome.ClientGone(true, "writing the response to the client failed: " + relay.failure);
        }
        if (session.timedOut) {
            return new Outcome.TimedOut();
        }
        if (noAnswerInTime) {
            // the process is not killed: it may still be working on the request (see Sessions.end)
            return new Outcome.ResponseTimedOut(dev.corral.config.Durations.format(responseTimeout));
        }
        if (relay.badMessage) {
            return new Outcome.BadResponse(relay.failure);
        }
        process.noteCutShort(request.describe() + " for " + (clock.getAsLong() - session.startNanos) / 1_000_000 + " ms");
        return new Outcome.Cut(relay.status, relay.failure);
    }

    /** Sends a held-back response to its client and ends the exchange. Never throws. */
    private static Outcome.Failure deliverHeld(Exchange exchange, ResponseRelay relay) {
        try {
            if (relay.flushHeld()) {
                exchange.succeed();
                return null;
            }
        } catch (RuntimeException e) {
            relay.failure = String.valueOf(e);
        }
        return new Outcome.ClientGone(true, "writing the response to the client failed: " + relay.failure);
    }

    /**
     * An idle keep-alive connection that the app has not closed meanwhile, or null. A connection
     * idle for less than {@link #CHECK_IDLE_AFTER_NANOS} is taken without the check: apps close
     * idle connections after seconds (Node 5 s, uvicorn 5 s, gunicorn 2 s), and the check costs
     * five system calls, a third of what a small request costs in all.
     */
    private AppConnection takeConnection(AppProcess process) {
        AppConnection connection;
        while ((connection = process.pollIdle()) != null) {
            if (clock.getAsLong() - connection.idleSinceNanos < CHECK_IDLE_AFTER_NANOS || isOpen(connection)) {
                return connection;
            }
            connection.close();
        }
        return null;
    }

    /** A non-blocking peek: an idle connection must have nothing to read and not be at EOF. */
    private static boolean isOpen(AppConnection connection) {
        try {
            connection.channel.configureBlocking(false);
            try {
                return connection.fill() == 0 && !connection.in.hasRemaining();
            } finally {
                connection.channel.configureBlocking(true);
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static void writeRequest(RequestInfo request, AppConnection connection, boolean upgrade) throws IOException {
        Exchange exchange = request.exchange;
        long length = exchange.contentLength();
        connection.head.build(request, length, upgrade).writeTo(connection.out);
        if (length != 0) {
            // a body with a Content-Length below the buffer's size is copied through a buffer of its size
            copyBody(exchange, connection.out, length < 0,
                    new byte[(int) (length > 0 ? Math.min(length, AppConnection.BUFFER_SIZE) : AppConnection.BUFFER_SIZE)]);
        }
        connection.out.flush();
    }

    /** Thrown when the client side of the body copy fails, to tell it apart from the app side. */
    private static final class ClientReadException extends IOException {
        ClientReadException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private static void copyBody(Exchange exchange, OutputStream out, boolean chunked, byte[] buffer) throws IOException {
        InputStream in;
        try {
            in = exchange.requestBody();
        } catch (IOException e) {
            throw new ClientReadException(e);
        }
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                throw new ClientReadException(e);
            }
            if (n < 0) {
                break;
            }
            if (n == 0) {
                continue;
            }
            if (chunked) {
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(buffer, 0, n);
                out.write('\r');
                out.write('\n');
            } else {
                out.write(buffer, 0, n);
            }
        }
        if (chunked) {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    /**
     * Relays response headers, filtered, to the client. Without a per-header lower-case copy or a
     * set of tokens unless the app sent a {@code Connection} header: this runs for every response.
     */
    static List<HttpHeader> responseHeaders(List<HttpHeader> fromApp) {
        Set<String> connectionTokens = null;
        for (HttpHeader header : fromApp) {
            if (header.name().equalsIgnoreCase("connection")) {
                if (connectionTokens == null) {
                    connectionTokens = new HashSet<>();
                }
                for (String token : header.value().split(",")) {
                    connectionTokens.add(token.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        // room for the headers Corral adds (ResponseRelay.clientHeaders)
        List<HttpHeader> toClient = new ArrayList<>(fromApp.size() + 2);
        for (HttpHeader header : fromApp) {
            if (!isHopByHop(header.name())
                    && (connectionTokens == null || !connectionTokens.contains(header.name().toLowerCase(Locale.ROOT)))) {
                toClient.add(header);
            }
        }
        return toClient;
    }

    private static boolean isHopByHop(String name) {
        for (String hop : HOP_BY_HOP) {
            if (hop.length() == name.length() && hop.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }
}
