package dev.corral.client;

/**
 * The app could not take the request: no process could be started ({@code spawn_failed}), an
 * operator drained it ({@code draining}), it is stopping ({@code shutting_down}), its processes
 * refused every connect ({@code connect_failed}), the JVM had no file descriptor left
 * ({@code too_many_open_files}), or no app of that name runs ({@code no_such_app}).
 */
public final class AppUnavailableException extends AppCallException {
    private static final long serialVersionUID = 1L;

    AppUnavailableException(String app, String reason, int status, String message, long pid, String requestId,
                            long queueMillis) {
        super(app, reason, status, message, pid, requestId, queueMillis);
    }
}
