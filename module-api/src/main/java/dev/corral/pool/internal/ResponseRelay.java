package dev.corral.pool.internal;

import dev.corral.pool.Exchange;
import dev.corral.pool.HttpHeader;

import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads one response from an app connection with jetty-http's {@link HttpParser} and relays it
 * to the client as it is parsed: the headers (filtered) once complete, then each body chunk.
 * Interim 1xx responses are skipped. An answer the parser refuses (conflicting lengths, a bad
 * head or chunk size), or a 101 nobody asked for, is a {@code badMessage}: nothing more is read
 * from that connection, and it is not used again. A 101 to a request that asked to switch
 * protocols ({@link #expectUpgrade}) ends the parsing after its head ({@link #upgraded}): the
 * bytes after it are the app's first bytes of the new protocol, left unread in the connection's
 * buffer, and nothing has gone to the client yet. One instance per request; used by one thread.
 */
final class ResponseRelay implements HttpParser.ResponseHandler {
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    /** A body with a Content-Length up to this is held back whole when {@link #holdSmallBody()} asked for it. */
    static final int HOLD_LIMIT = 16 * 1024;

    private final Exchange exchange;
    private final HttpParser parser;
    private final List<HttpHeader> headers = new ArrayList<>(16);
    private OutputStream toClient;
    private boolean interim;
    private boolean framed;
    /** The app's end of the connection has closed (the parser was told). */
    private boolean appEnded;
    private boolean closeRequested;
    private HttpVersion version;
    private final boolean headRequest;

    /** The final status from the app, 0 until its status line arrived. */
    int status;
    /** The whole response reached the client. */
    boolean complete;
    /** The connection can carry another request. */
    boolean reusable;
    /** Writing to the client failed. */
    boolean clientFailure;
    /** The app sent something that is not HTTP. */
    boolean badMessage;
    /** What went wrong, for the log. */
    String failure;

    /** Body bytes held back by {@link #holdSmallBody()}, sized to the Content-Length; written by {@link #flushHeld()}. */
    private byte[] held;
    private int heldLength;
    /** True while the body is held back (see {@link #holdSmallBody()}). */
    boolean holding;

    /** Makes the buffer a streamed body goes through to its client, or null to write it to the client directly. */
    private java.util.function.Function<OutputStream, ResponseBuffer> buffering;
    /** The buffer the body goes through, once the head is relayed; null if it is written directly. */
    ResponseBuffer buffer;

    /** An injected truncation: the connection that is closed once the head is relayed, or null. */
    private AppConnection truncate;

    /** responseTimeout's deadline until the answer's first byte (or the app's close) arrives, or null. */
    private IoDeadline firstByte;

    /** The request asked to switch protocols: a 101 is its answer, not a bad message. */
    private boolean upgradeExpected;
    /** The app switched protocols: its 101's head is parsed, nothing was sent to the client. */
    boolean upgraded;

    /** The request's {@code X-Request-Id}, which replaces any the app sent. */
    private final String requestId;
    /** A header Corral adds to the response (the sticky-session cookie), or null. */
    private final HttpHeader added;

    ResponseRelay(Exchange exchange, boolean headRequest, String requestId, HttpHeader added) {
        this.exchange = exchange;
        this.requestId = requestId;
        this.added = added;
        this.parser = new HttpParser(this, MAX_HEADER_BYTES);
        parser.setHeadResponse(headRequest);
        this.headRequest = headRequest;
        this.framed = headRequest;
    }

    /** The request asked to switch protocols (it was forwarded with its {@code Upgrade}): a 101 may answer it. */
    void expectUpgrade() {
        upgradeExpected = true;
    }

    /**
     * The headers of the app's 101 as the client gets them: the end-to-end ones (filtered as
     * any response's), the app's {@code Upgrade} and {@code Connection: Upgrade}, the request id
     * and Corral's own header, if any.
     */
    List<HttpHeader> upgradeHeaders() {
        List<HttpHeader> toSend = clientHeaders();
        String protocol = HttpHeader.first(headers, "Upgrade");
        toSend.add(new HttpHeader("Upgrade", protocol == null ? "" : protocol));
        toSend.add(new HttpHeader("Connection", "Upgrade"));
        return toSend;
    }

    private List<HttpHeader> clientHeaders() {
        List<HttpHeader> toSend = HttpForwarder.responseHeaders(headers);
        toSend.removeIf(header -> header.name().equalsIgnoreCase(RequestIds.HEADER));
        toSend.add(new HttpHeader(RequestIds.HEADER, requestId));
        if (added != null) {
            toSend.add(added);
        }
        return toSend;
    }

    /**
     * Ends responseTimeout's wait ({@code deadline}, null when it is off) when the answer's first
     * byte, or the app's close, arrives; once it has, the response may take as long as it takes.
     */
    void awaitFirstByte(IoDeadline deadline) {
        firstByte = deadline;
    }

    /** Makes the response end right after its head, as if the app's connection broke (fault injection). */
    void truncateAfterHead(AppConnection connection) {
        truncate = connection;
    }

    /**
     * Holds the body back until the response is complete when the app announced a
     * {@code Content-Length} of at most {@link #HOLD_LIMIT} (or there is no body): the forwarder
     * frees the process before this response goes to the client, and a response the app cuts
     * short has not reached the client yet (it becomes a 502). Any other body (chunked, longer,
     * up to the close) is written as it comes, so that streams are not held up.
     */
    void holdSmallBody() {
        holding = true;
    }

    /**
     * Has a streamed body (one not held back, see {@link #holdSmallBody()}) go to its client
     * through a {@link ResponseBuffer} made by {@code buffering} from the client's stream, so that
     * the app never waits for a slow client.
     */
    void bufferWith(java.util.function.Function<OutputStream, ResponseBuffer> buffering) {
        this.buffering = buffering;
    }

    /** How long a response the app cut short may take to reach its client before the rest is dropped. */
    static final long CUT_DELIVERY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

    /**
     * The response will not be complete: the client gets what the app sent before it failed
     * (unless the client failed), then the buffer lets go of the client's stream, so that the
     * caller may end the exchange.
     */
    void endBuffer() {
        if (buffer != null) {
            if (clientFailure) {
                buffer.abort();
            } else {
                buffer.deliverThenStop(CUT_DELIVERY_NANOS);
            }
        }
    }

    /** Writes the held-back body to the client; false, with {@link #failure} set, if that failed. */
    boolean flushHeld() {
        holding = false;
        if (heldLength == 0) {
            return true;
        }
        try {
            toClient.write(held, 0, heldLength);
            heldLength = 0;
            return true;
        } catch (IOException | RuntimeException e) {
            clientFailure = true;
            failure = String.valueOf(e.getMessage());
            return false;
        }
    }

    /** Parses until the response is complete, the app fails, or the client goes away. */
    void run(AppConnection connection) {
        try {
            while (!complete && !clientFailure && !badMessage && !upgraded) {
                if (parser.parseNext(connection.in)) {
                    if (interim) {
                        interim = false;
                        status = 0;
                        headers.clear();
                        parser.reset();
                    }
                    continue;
                }
                if (badMessage) {
                    // the parser gave up on the answer and dropped what it had buffered: reading
                    // on would wait for an app that may keep its connection open
                    return;
                }
                if (appEnded) {
                    if (failure == null) {
                        failure = "end of stream";
                    }
                    return;
                }
                if (!connection.in.hasRemaining()) {
                    int read = connection.fill();
                    if (firstByte != null) {
                        IoDeadline waited = firstByte;
                        firstByte = null;
                        if (!waited.finish()) {
                            failure = "no answer within responseTimeout";
                            return;
                        }
                    }
                    if (read < 0) {
                        appEnded = true;
                        parser.atEOF();
                    }
                }
            }
        } catch (IOException e) {
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
        }
    }

    @Override
    public void startResponse(HttpVersion version, int status, String reason) {
        this.version = version;
        this.status = status;
    }

    @Override
    public void parsedHeader(HttpField field) {
        String lower = field.getLowerCaseName();
        if (lower.equals("connection") && field.getValue().toLowerCase(Locale.ROOT).contains("close")) {
            closeRequested = true;
        }
        if (lower.equals("content-length") || (lower.equals("transfer-encoding")
                && field.getValue().toLowerCase(Locale.ROOT).contains("chunked"))) {
            framed = true;
        }
        headers.add(new HttpHeader(field.getName(), field.getValue()));
    }

    @Override
    public boolean headerComplete() {
        if (status >= 100 && status < 200 && status != 101) {
            interim = true;
            return false;
        }
        if (status == 101 && upgradeExpected) {
            // the rest is the new protocol's: it stays in the connection's buffer for the tunnel
            upgraded = true;
            return true;
        }
        if (status == 101) {
            // Corral forwards Upgrade only when the client asked for it: the app was not asked to
            // switch protocols, and whatever follows this head is no HTTP answer the client asked for
            badMessage = true;
            failure = "101 Switching Protocols to a request that asked for no upgrade";
            return true;
        }
        if (status == 204 || status == 304) {
            framed = true;
        }
        if (holding) {
            long contentLength = parser.getContentLength();   // -1 without one, or when chunked
            boolean bodyless = headRequest || status == 204 || status == 304;
            if (bodyless || (contentLength >= 0 && contentLength <= HOLD_LIMIT)) {
                held = new byte[bodyless ? 0 : (int) contentLength];
            } else {
                // chunked or longer: streamed as it comes (a server-sent event stream must not wait)
                holding = false;
            }
        }
        try {
            toClient = exchange.commit(status, clientHeaders());
            boolean bodyless = headRequest || status == 204 || status == 304;
            if (buffering != null && !holding && !bodyless) {
                buffer = buffering.apply(toClient);
                toClient = buffer;
            }
            if (truncate != null) {
                truncate.in.position(truncate.in.limit());
                truncate.close();
            }
            return false;
        } catch (IOException | RuntimeException e) {
            clientFailure = true;
            failure = String.valueOf(e.getMessage());
            return true;
        }
    }

    @Override
    public boolean content(ByteBuffer item) {
        if (holding) {
            int n = item.remaining();
            if (heldLength + n <= held.length) {   // the parser keeps to the Content-Length
                item.get(held, heldLength, n);
                heldLength += n;
                return false;
            }
            if (!flushHeld()) {
                return true;
            }
        }
        try {
            if (item.hasArray()) {
                toClient.write(item.array(), item.arrayOffset() + item.position(), item.remaining());
                item.position(item.limit());
            } else {
                byte[] bytes = new byte[item.remaining()];
                item.get(bytes);
                toClient.write(bytes);
            }
            return false;
        } catch (IOException | RuntimeException e) {
            clientFailure = true;
            failure = String.valueOf(e.getMessage());
            return true;
        }
    }

    @Override
    public boolean contentComplete() {
        return false;
    }

    @Override
    public boolean messageComplete() {
        if (interim) {
            return true;
        }
        complete = true;
        reusable = framed && !closeRequested && version == HttpVersion.HTTP_1_1 && truncate == null;
        return true;
    }

    @Override
    public void earlyEOF() {
        if (!appEnded) {
            // HttpParser reports an invalid body after a valid head (a broken chunk size or chunk
            // end) as an early end, not as a bad message: the answer is invalid, the app did not
            // cut it short, and nothing more is to be read
            badMessage = true;
            failure = parser.isChunking() ? "invalid chunked body" : "invalid body";
            return;
        }
        failure = status == 0 ? "no response" : "truncated response";
    }

    @Override
    public void badMessage(HttpException failure) {
        badMessage = true;
        this.failure = failure.getReason();
    }
}
