package dev.corral.client;

/** {@code app_crashed}: The process died or closed its connection before its response was complete: before the status (the call fails) or in the middle of the body (reading it fails). */
public final class AppCrashedException extends AppCallException {
    private static final long serialVersionUID = 1L;

    AppCrashedException(String app, int status, String message, long pid, String requestId, long queueMillis) {
        super(app, "app_crashed", status, message, pid, requestId, queueMillis);
    }
}
