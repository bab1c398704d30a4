package dev.corral.client;

/**
 * The call took too long: {@code request_timeout} when the request ran past the app's
 * {@code maxRequestTime} (its process was killed), {@code response_timeout} when the app sent
 * no byte of its answer within {@code responseTimeout} (its process was kept), {@code call_timeout} when the request's own
 * {@link AppRequest#timeout() timeout} passed (the request left the queue, or its response was
 * dropped).
 */
public final class AppTimeoutException extends AppCallException {
    private static final long serialVersionUID = 1L;

    AppTimeoutException(String app, String reason, int status, String message, long pid, String requestId,
                        long queueMillis) {
        super(app, reason, status, message, pid, requestId, queueMillis);
    }
}
