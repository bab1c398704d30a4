package dev.corral.client;

import dev.corral.pool.HttpHeader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.List;
import java.util.Locale;

/**
 * An app's answer to an {@link AppClient} call: available as soon as the app sent its status
 * and headers, with the body streaming in behind them. Read the body to its end or close the
 * response: an unread body keeps the app's process busy (it waits for the reader, as it would
 * for a slow client) until the call's timeout.
 *
 * <p>The body may fail while read: an {@link AppCallException} (an {@link AppCrashedException}
 * if the process died in the middle of it). Not thread-safe: one reader.
 */
public final class AppResponse implements AutoCloseable {
    private final String app;
    private final int status;
    private final List<HttpHeader> headers;
    private final InputStream body;
    private final long pid;
    private final String requestId;
    private final long queueMillis;

    AppResponse(String app, int status, List<HttpHeader> headers, InputStream body, long pid, String requestId,
                long queueMillis) {
        this.app = app;
        this.status = status;
        this.headers = List.copyOf(headers);
        this.body = body;
        this.pid = pid;
        this.requestId = requestId;
        this.queueMillis = queueMillis;
    }

    /** The app that answered. */
    public String app() {
        return app;
    }

    /** The HTTP status the app sent. */
    public int status() {
        return status;
    }

    /** The response headers the app sent (hop-by-hop ones removed, as for a network client). */
    public List<HttpHeader> headers() {
        return headers;
    }

    /** The first value of a header ({@code name} in any case), or null. */
    public String header(String name) {
        return HttpHeader.first(headers, name);
    }

    /** The body, streamed. */
    public InputStream body() {
        return body;
    }

    /** Reads the whole body. */
    public byte[] bodyAsBytes() throws IOException {
        try (InputStream in = body) {
            return in.readAllBytes();
        }
    }

    /** Reads the whole body as text, in the charset of its {@code Content-Type} (UTF-8 if none). */
    public String bodyAsString() throws IOException {
        return new String(bodyAsBytes(), charset());
    }

    private Charset charset() {
        String type = header("Content-Type");
        if (type != null) {
            for (String parameter : type.split(";")) {
                String p = parameter.trim();
                if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                    try {
                        return Charset.forName(p.substring(8).replace("\"", "").trim());
                    } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                        return StandardCharsets.UTF_8;
                    }
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    /** The pid of the app process that answered (as JMX, the status page and the logs show it). */
    public long pid() {
        return pid;
    }

    /** The request's id ({@code X-Request-Id} as the app saw it, and in Corral's log lines). */
    public String requestId() {
        return requestId;
    }

    /** How long the request waited in the app's queue, in milliseconds (0: a process was free). */
    public long queueMillis() {
        return queueMillis;
    }

    /** Stops reading the body: the process is released at once. */
    @Override
    public void close() throws IOException {
        body.close();
    }

    @Override
    public String toString() {
        return "response " + status + " from app [" + app + "] pid " + pid + " (request " + requestId + ")";
    }
}
