package dev.corral.client;

/** {@code queue_timeout}: The request waited in the app's queue longer than its {@code queueTimeout}. */
public final class QueueTimeoutException extends AppCallException {
    private static final long serialVersionUID = 1L;

    QueueTimeoutException(String app, int status, String message, long pid, String requestId, long queueMillis) {
        super(app, "queue_timeout", status, message, pid, requestId, queueMillis);
    }
}
