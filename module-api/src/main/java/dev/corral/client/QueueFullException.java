package dev.corral.client;

/** {@code queue_full}: The app's queue held {@code maxQueue} requests already: the call was refused at once, as a network client gets 503 with {@code Retry-After}. */
public final class QueueFullException extends AppCallException {
    private static final long serialVersionUID = 1L;

    QueueFullException(String app, int status, String message, long pid, String requestId, long queueMillis) {
        super(app, "queue_full", status, message, pid, requestId, queueMillis);
    }
}
