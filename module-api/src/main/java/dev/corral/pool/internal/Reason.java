package dev.corral.pool.internal;

/**
 * Why a request did not get its answer from the app: the reason code written to the log line
 * and to the {@code X-Corral-Reason} header of the error response, and the status it maps to.
 */
public enum Reason {
    /** The app's queue held {@code maxQueue} requests already. */
    QUEUE_FULL(503, "queue_full"),
    /** The request waited longer than {@code queueTimeout}. */
    QUEUE_TIMEOUT(503, "queue_timeout"),
    /** No process could be started for the app. */
    SPAWN_FAILED(503, "spawn_failed"),
    /** The JVM ran out of file descriptors (EMFILE) when it connected to a process. */
    TOO_MANY_OPEN_FILES(503, "too_many_open_files"),
    /** The app (or Corral) is stopping. */
    SHUTTING_DOWN(503, "shutting_down"),
    /** An operator drained the app: it takes no new requests until resumed. */
    DRAINING(503, "draining"),
    /** Connecting to a process failed on every attempt. */
    CONNECT_FAILED(502, "connect_failed"),
    /** The process died or closed the connection before its response was complete. */
    APP_CRASHED(502, "app_crashed"),
    /** The process answered something that is not valid HTTP. */
    BAD_RESPONSE(502, "bad_response"),
    /**
     * The app sent no byte of its answer within {@code responseTimeout} of getting the whole
     * request; the connection was closed, the process kept.
     */
    RESPONSE_TIMEOUT(504, "response_timeout"),
    /** The request ran longer than {@code maxRequestTime}; its process was killed. */
    REQUEST_TIMEOUT(504, "request_timeout"),
    /** Corral itself failed (a bug, logged with its stack trace). */
    INTERNAL_ERROR(500, "internal_error"),
    /** The request's body is larger than {@code maxRequestBody}. */
    BODY_TOO_LARGE(413, "body_too_large"),
    /** The client did not send its whole body within {@code clientBodyTimeout}. */
    CLIENT_BODY_TIMEOUT(408, "client_body_timeout"),
    /**
     * A GET or HEAD under an app with static files that tries to leave its directory (a
     * {@code ..} segment, an encoded slash, backslash, NUL or percent sign) or names a file
     * there that the container refuses to serve (a link leaving the directory): never sent to
     * the app.
     */
    PATH_REFUSED(404, "path_refused"),
    /** The client went away (while queued or while being served). */
    CLIENT_GONE(499, "client_gone");

    private final int status;
    private final String code;

    Reason(int status, String code) {
        this.status = status;
        this.code = code;
    }

    /** The HTTP status sent to the client (499 is only logged: nobody is left to receive it). */
    public int status() {
        return status;
    }

    /** The stable reason code, as logged. */
    public String code() {
        return code;
    }
}
