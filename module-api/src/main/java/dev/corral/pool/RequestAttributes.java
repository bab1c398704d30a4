package dev.corral.pool;

/**
 * The request attributes Corral sets on every request it handles, for the container's access
 * log: Jetty's {@code CustomRequestLog} shows one with {@code %{corral.pid}attr}, Tomcat's
 * {@code AccessLogValve} with {@code %{corral.pid}r}. An attribute that does not apply (no
 * process was reached, the request did not fail) is not set, and the logs print {@code -}.
 */
public final class RequestAttributes {
    /** The app's name. */
    public static final String APP = "corral.app";
    /** The request's id, also its {@code X-Request-Id} (the client's when valid, else Corral's). */
    public static final String REQUEST_ID = "corral.requestId";
    /** The pid of the app process that served the request (the last one tried), a {@code Long}. */
    public static final String PID = "corral.pid";
    /** Milliseconds the request waited in the app's queue, a {@code Long} ({@code 0}: not queued). */
    public static final String QUEUE_MILLIS = "corral.queueMillis";
    /** The reason code of a failed request ({@code queue_full}, {@code app_crashed}, ...), as in {@code X-Corral-Reason}. */
    public static final String REASON = "corral.reason";

    private RequestAttributes() {
    }
}
