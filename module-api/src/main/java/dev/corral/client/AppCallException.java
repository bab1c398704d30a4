package dev.corral.client;

import java.io.IOException;

/**
 * An {@link AppClient} call that got no answer from the app, for the same reason and with the
 * same reason code as a network client's {@code X-Corral-Reason} header (and Corral's log line
 * for the request): {@code queue_full}, {@code app_crashed}, ... The subclasses are the reasons
 * a caller handles differently; {@link #reason()} is always the exact code.
 *
 * <table>
 *   <caption>Reason codes</caption>
 *   <tr><th>class</th><th>reason codes</th></tr>
 *   <tr><td>{@link QueueFullException}</td><td>{@code queue_full}</td></tr>
 *   <tr><td>{@link QueueTimeoutException}</td><td>{@code queue_timeout}</td></tr>
 *   <tr><td>{@link AppCrashedException}</td><td>{@code app_crashed}</td></tr>
 *   <tr><td>{@link AppTimeoutException}</td><td>{@code request_timeout} (maxRequestTime),
 *       {@code response_timeout} (responseTimeout), {@code call_timeout} (the request's own timeout)</td></tr>
 *   <tr><td>{@link AppUnavailableException}</td><td>{@code spawn_failed}, {@code draining}, {@code shutting_down},
 *       {@code connect_failed}, {@code too_many_open_files}, {@code no_such_app}</td></tr>
 *   <tr><td>{@code AppCallException}</td><td>{@code bad_response}, {@code internal_error}, {@code client_gone}</td></tr>
 * </table>
 */
public class AppCallException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String app;
    private final String reason;
    private final int status;
    private final long pid;
    private final String requestId;
    private final long queueMillis;

    /**
     * @param status      the HTTP status a network client would have got (503, 502, 504, 500; 0 for none)
     * @param pid         the process the request was on, or -1 if it reached none
     * @param requestId   the request's id, or null if it never reached the engine
     * @param queueMillis how long it waited in the queue
     */
    protected AppCallException(String app, String reason, int status, String message, long pid, String requestId,
                               long queueMillis) {
        super(message);
        this.app = app;
        this.reason = reason;
        this.status = status;
        this.pid = pid;
        this.requestId = requestId;
        this.queueMillis = queueMillis;
    }

    /** The exception of the class that fits {@code reason}. */
    static AppCallException of(String app, String reason, int status, String message, long pid, String requestId,
                               long queueMillis) {
        return switch (reason) {
            case "queue_full" -> new QueueFullException(app, status, message, pid, requestId, queueMillis);
            case "queue_timeout" -> new QueueTimeoutException(app, status, message, pid, requestId, queueMillis);
            case "app_crashed" -> new AppCrashedException(app, status, message, pid, requestId, queueMillis);
            case "request_timeout", "response_timeout", "call_timeout" ->
                    new AppTimeoutException(app, reason, status, message, pid, requestId, queueMillis);
            case "spawn_failed", "draining", "shutting_down", "connect_failed", "too_many_open_files", "no_such_app" ->
                    new AppUnavailableException(app, reason, status, message, pid, requestId, queueMillis);
            default -> new AppCallException(app, reason, status, message, pid, requestId, queueMillis);
        };
    }

    /** The app called. */
    public String app() {
        return app;
    }

    /** The reason code, as in {@code X-Corral-Reason} and the log line: {@code queue_full}, {@code app_crashed}, ... */
    public String reason() {
        return reason;
    }

    /** The HTTP status a network client would have got for this (503, 502, 504, 500), or 0. */
    public int status() {
        return status;
    }

    /** The pid of the process the request was on, or -1 if it reached none. */
    public long pid() {
        return pid;
    }

    /** The request's id in Corral's log line, or null if it never reached the engine. */
    public String requestId() {
        return requestId;
    }

    /** How long the request waited in the app's queue, in milliseconds. */
    public long queueMillis() {
        return queueMillis;
    }

    /** Whether trying again later may succeed without anything changing (the app was busy or restarting: a 503). */
    public boolean retryable() {
        return status == 503;
    }
}
