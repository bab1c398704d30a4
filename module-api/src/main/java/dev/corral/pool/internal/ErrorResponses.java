package dev.corral.pool.internal;

import dev.corral.pool.Exchange;
import dev.corral.pool.HttpHeader;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@link Reason} into the client's error response and the one log line every failed
 * request leaves: reason code, app, process pid, queue time, request.
 */
final class ErrorResponses {
    /** Seconds a client is asked to wait after a 503. */
    static final int RETRY_AFTER_SECONDS = 1;

    private ErrorResponses() {
    }

    static void send(Group group, RequestInfo request, Reason reason, long pid, String detail) {
        RequestLog.log(reason == Reason.CLIENT_GONE ? Level.INFO : Level.WARNING, "request failed: reason=" + reason.code()
                + " status=" + reason.status() + " app=" + group.name() + " pid=" + (pid < 0 ? "-" : Long.toString(pid))
                + " queued=" + request.queuedNanos / 1_000_000 + "ms request=" + request.describe()
                + ": " + detail);
        Exchange exchange = request.exchange;
        if (reason == Reason.CLIENT_GONE || (exchange.isCommitted() && !exchange.uncommit())) {
            exchange.fail(new IOException(reason.code() + ": " + detail));
            return;
        }
        byte[] body = (reason.status() + " " + statusText(reason.status()) + ": " + detail + "\n")
                .getBytes(StandardCharsets.UTF_8);
        List<HttpHeader> headers = new ArrayList<>(5);
        headers.add(new HttpHeader("Content-Type", "text/plain; charset=utf-8"));
        headers.add(new HttpHeader("Content-Length", Integer.toString(body.length)));
        headers.add(new HttpHeader("Cache-Control", "no-store"));
        headers.add(new HttpHeader("X-Corral-Reason", reason.code()));
        if (reason.status() == 503) {
            headers.add(new HttpHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS)));
        }
        exchange.respond(reason.status(), headers, "HEAD".equals(exchange.method()) ? new byte[0] : body);
    }

    static String statusText(int status) {
        return switch (status) {
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Error";
        };
    }
}
