package dev.corral.pool.internal;

import dev.corral.config.AppConfig;
import dev.corral.config.ErrorPageConfig;
import dev.corral.config.Durations;
import dev.corral.config.Sizes;
import dev.corral.pool.Exchange;
import dev.corral.pool.HttpHeader;
import dev.corral.pool.RequestAttributes;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place where a failed request becomes what its client and the operator see: the
 * status and {@code X-Corral-Reason} of the error response (with {@code Retry-After} on 503),
 * its body (status, reason code and request id; the failure's details only with
 * {@code detailedErrors} or for a caller in the JVM; an operator's error page instead when one
 * is set for the status), and the one log line every failed request leaves (reason code, app, process pid,
 * queue time, request). A client that went away gets no response; a response whose head has
 * already left is cut off instead ({@link Exchange#fail}). Stateless; thread-safe.
 */
final class FailureMapper {
    /** Seconds a client is asked to wait after a 503. */
    static final int RETRY_AFTER_SECONDS = 1;

    private FailureMapper() {
    }

    /**
     * Answers the client and logs the failure.
     *
     * @param process the process the request was on, or null if it never reached one
     */
    static void answer(Group group, RequestInfo request, Outcome.Failure failure, AppProcess process) {
        Reason reason = failure.reason();
        group.counters.failure(reason);
        String detail = detail(group, request, failure, process);
        RequestLog.log(reason == Reason.CLIENT_GONE ? Level.INFO : Level.WARNING, "request failed: reason=" + reason.code()
                + " status=" + reason.status() + " app=" + group.name() + " pid="
                + (process == null ? "-" : Long.toString(process.pid())) + " queued=" + request.queuedNanos / 1_000_000
                + "ms request=" + request.describe() + ": " + detail);
        Exchange exchange = request.exchange;
        exchange.attribute(RequestAttributes.REASON, reason.code());
        exchange.attribute(RequestAttributes.QUEUE_MILLIS, request.queuedNanos / 1_000_000);
        if (process != null) {
            exchange.attribute(RequestAttributes.PID, process.pid());
        }
        if (reason == Reason.CLIENT_GONE || (exchange.isCommitted() && !exchange.uncommit())) {
            exchange.fail(new IOException(reason.code() + ": " + detail));
            return;
        }
        ErrorPageConfig pages = group.config.errorPages();
        ErrorPageConfig.Page page = exchange.showsErrorDetails() ? null : pages.page(reason.status());
        String text;
        if (page != null) {
            text = page.render(reason.status(), reason.code(), request.id);
        } else if (exchange.showsErrorDetails()) {
            text = reason.status() + " " + statusText(reason.status()) + ": " + detail + "\n";
        } else {
            text = body(reason, request.id, pages.detailedErrors() ? detail : null,
                    pages.detailedErrors() && failure instanceof Outcome.SpawnFailed spawn ? spawn.output() : List.of());
        }
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        List<HttpHeader> headers = new ArrayList<>(8);
        headers.add(new HttpHeader("Content-Type", page != null ? "text/html; charset=utf-8" : "text/plain; charset=utf-8"));
        headers.add(new HttpHeader("Content-Length", Integer.toString(body.length)));
        headers.add(new HttpHeader("Cache-Control", "no-store"));
        headers.add(new HttpHeader("X-Corral-Reason", reason.code()));
        headers.add(new HttpHeader(RequestIds.HEADER, request.id));
        if (reason.status() == 503) {
            headers.add(new HttpHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS)));
        }
        if (mayLeaveBodyUnread(exchange)) {
            headers.add(new HttpHeader("Connection", "close"));
        }
        exchange.respond(reason.status(), headers, "HEAD".equals(exchange.method()) ? new byte[0] : body);
    }

    /**
     * The plain-text body of an error answer: the status, the reason code and the request id,
     * which is all a network client learns by default (the log line has the rest); with
     * {@code detail} (detailedErrors) the failure's details follow the status, and for a failed
     * spawn the app's last output.
     */
    static String body(Reason reason, String requestId, String detail, List<String> output) {
        StringBuilder text = new StringBuilder(160).append(reason.status()).append(' ').append(statusText(reason.status()));
        if (detail != null) {
            text.append(": ").append(detail);
        }
        text.append("\nreason: ").append(reason.code()).append("\nrequest id: ").append(requestId).append('\n');
        if (!output.isEmpty()) {
            text.append("last output of the app:\n");
            output.forEach(line -> text.append("  | ").append(line).append('\n'));
        }
        return text.toString();
    }

    /**
     * Whether the request came with a body that Corral may not have read to its end (it answers a
     * queue or spawn failure at once, and a failed forward stops reading). On HTTP/1 the
     * container could keep the connection only by reading the rest, which Jetty does not do: it
     * drops the connection after the answer, under the client's next request. So the answer says
     * {@code Connection: close}, as HAProxy's own errors do. (HTTP/2 has no such header, and no
     * need: a stream ends alone.)
     */
    private static boolean mayLeaveBodyUnread(Exchange exchange) {
        String protocol = exchange.protocol();
        return exchange.contentLength() != 0 && protocol != null && protocol.startsWith("HTTP/1.");
    }

    /** The failure in the operator's words: what happened, and the setting or count behind it. */
    static String detail(Group group, RequestInfo request, Outcome.Failure failure, AppProcess process) {
        AppConfig config = group.config;
        String app = "app [" + config.name() + "]";
        if (failure instanceof Outcome.QueueFull full) {
            return "request queue full for " + app + " (maxQueue=" + config.maxQueue() + ", " + full.counts() + ")";
        } else if (failure instanceof Outcome.QueueTimeout timeout) {
            return "waited longer than queueTimeout=" + Durations.format(config.queueTimeout()) + " for a process of "
                    + app + " (" + timeout.counts() + ")";
        } else if (failure instanceof Outcome.SpawnFailed spawn) {
            return "no process of " + app + " could be started; last error: " + spawn.lastError();
        } else if (failure instanceof Outcome.ShuttingDown) {
            return app + " is stopping";
        } else if (failure instanceof Outcome.Draining) {
            return app + " is draining: it takes no new requests until it is resumed";
        } else if (failure instanceof Outcome.ConnectFailed connect) {
            return "could not connect to a process of " + app + " after " + request.attempts
                    + " attempts; last error: " + connect.error();
        } else if (failure instanceof Outcome.NoDescriptors descriptors) {
            return "cannot connect to " + process + ": " + descriptors.error() + " (" + Descriptors.describe() + ")";
        } else if (failure instanceof Outcome.Cut cut) {
            return process + " closed the connection " + (cut.status() == 0 ? "before answering"
                    : "in the middle of its response") + (cut.failure() == null ? "" : " (" + cut.failure() + ")");
        } else if (failure instanceof Outcome.BadResponse bad) {
            return process + " sent an invalid HTTP response: " + bad.failure();
        } else if (failure instanceof Outcome.ClientGone gone) {
            return gone.detail();
        } else if (failure instanceof Outcome.Broken broken) {
            return "Corral failed while forwarding to " + process + ": " + broken.failure();
        } else if (failure instanceof Outcome.BodyTooLarge large) {
            return "the request body" + (large.length() >= 0 ? " of " + large.length() + " bytes" : "")
                    + " is larger than maxRequestBody=" + Sizes.format(config.buffers().maxRequestBody()) + " of " + app;
        } else if (failure instanceof Outcome.BodyTimeout slow) {
            return "the client sent " + slow.received() + " bytes of its request body in clientBodyTimeout="
                    + Durations.format(config.buffers().clientBodyTimeout()) + " (" + app + "): no process was taken";
        } else if (failure instanceof Outcome.PathRefused refused) {
            return "the path is refused by the static files of " + app + " (staticDir=" + config.staticDir() + "): "
                    + refused.why();
        } else if (failure instanceof Outcome.ResponseTimedOut slow) {
            return process + " sent no byte of its answer within responseTimeout=" + slow.timeout()
                    + " of getting the request; the connection was closed, the process kept";
        } else if (failure instanceof Outcome.TimedOut) {
            return "the request ran longer than maxRequestTime=" + Durations.format(config.recycle().maxRequestTime())
                    + "; " + process + " was killed";
        }
        throw new IllegalArgumentException("unknown failure " + failure);
    }

    static String statusText(int status) {
        return switch (status) {
            case 408 -> "Request Timeout";
            case 404 -> "Not Found";
            case 413 -> "Content Too Large";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Error";
        };
    }
}
