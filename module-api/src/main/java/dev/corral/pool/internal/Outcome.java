package dev.corral.pool.internal;

/**
 * How one request ended, as the part of the engine that saw it end reports it: the forwarder
 * (served, switched to a tunnel, or one of the ways forwarding fails) or the queue (full, timed out, no process,
 * stopping). {@link Sessions#end} does the accounting for a forwarded one, and
 * {@link FailureMapper} alone turns a {@link Failure} into a status, a reason header and the
 * request's log line. Immutable.
 */
sealed interface Outcome {

    /**
     * The app answered. A streamed response has reached the client by now and {@code deliver}
     * only ends the exchange; a held-back one ({@code held}) is written to the client by
     * {@code deliver}, which the engine may run after the process took its next request.
     */
    record Served(int status, boolean held, Delivery deliver) implements Outcome {
    }

    /**
     * The app switched protocols ({@code 101}) for a request that asked it to: the session does
     * not end yet, it lives on as a tunnel between the client and {@code app} ({@link Tunnels}),
     * which ends it. {@code headers} go to the client with the 101; {@code app} holds the app's
     * first bytes after its head, unread.
     */
    record Upgraded(int status, java.util.List<dev.corral.pool.HttpHeader> headers, AppConnection app) implements Outcome {
    }

    /** Writes (the rest of) a response to its client and ends the exchange; the failure, or null. */
    @FunctionalInterface
    interface Delivery {
        Failure deliver();
    }

    /** The request did not get its answer from the app. */
    sealed interface Failure extends Outcome {
        Reason reason();
    }

    /** Connecting to the process failed before any request byte was sent: the request may try another. */
    record ConnectFailed(String error) implements Failure {
        @Override
        public Reason reason() {
            return Reason.CONNECT_FAILED;
        }
    }

    /** The JVM had no file descriptor left to connect: not the process's fault. */
    record NoDescriptors(String error) implements Failure {
        @Override
        public Reason reason() {
            return Reason.TOO_MANY_OPEN_FILES;
        }
    }

    /** The process closed the connection before its response was complete ({@code status} 0: before answering). */
    record Cut(int status, String failure) implements Failure {
        @Override
        public Reason reason() {
            return Reason.APP_CRASHED;
        }
    }

    /** The process answered something that is not HTTP. */
    record BadResponse(String failure) implements Failure {
        @Override
        public Reason reason() {
            return Reason.BAD_RESPONSE;
        }
    }

    /**
     * The client went away: while its body was read, while the answer was written to it
     * ({@code appAnswered}), or while it was queued.
     */
    record ClientGone(boolean appAnswered, String detail) implements Failure {
        @Override
        public Reason reason() {
            return Reason.CLIENT_GONE;
        }
    }

    /**
     * responseTimeout passed with no byte of the answer: the connection was closed, the process
     * kept ({@code timeout}: the setting's value as configured).
     */
    record ResponseTimedOut(String timeout) implements Failure {
        @Override
        public Reason reason() {
            return Reason.RESPONSE_TIMEOUT;
        }
    }

    /** maxRequestTime passed: the process was killed. */
    record TimedOut() implements Failure {
        @Override
        public Reason reason() {
            return Reason.REQUEST_TIMEOUT;
        }
    }

    /** Corral itself failed while forwarding (a bug): the process is not blamed. */
    record Broken(String failure) implements Failure {
        @Override
        public Reason reason() {
            return Reason.INTERNAL_ERROR;
        }
    }

    /** The request's body is larger than maxRequestBody ({@code length}: as declared, or -1 when it was counted). */
    record BodyTooLarge(long length) implements Failure {
        @Override
        public Reason reason() {
            return Reason.BODY_TOO_LARGE;
        }
    }

    /** The client did not send its body within clientBodyTimeout ({@code received}: the bytes that came). */
    record BodyTimeout(long received) implements Failure {
        @Override
        public Reason reason() {
            return Reason.CLIENT_BODY_TIMEOUT;
        }
    }

    /** The queue was full ({@code counts}: the app's processes and queue at that moment). */
    record QueueFull(String counts) implements Failure {
        @Override
        public Reason reason() {
            return Reason.QUEUE_FULL;
        }
    }

    /** The request waited past queueTimeout. */
    record QueueTimeout(String counts) implements Failure {
        @Override
        public Reason reason() {
            return Reason.QUEUE_TIMEOUT;
        }
    }

    /**
     * No process of the app could be started ({@code lastError}: why the last attempt failed;
     * {@code output}: the app's last output lines in its last failed spawn, for detailedErrors).
     */
    record SpawnFailed(String lastError, java.util.List<String> output) implements Failure {
        public SpawnFailed {
            output = output == null ? java.util.List.of() : java.util.List.copyOf(output);
        }

        @Override
        public Reason reason() {
            return Reason.SPAWN_FAILED;
        }
    }

    /** The app is draining (an operator's drain): no new requests. */
    /** A static-file path that tries to leave the app's static directory: see {@link Reason#PATH_REFUSED}. */
    record PathRefused(String why) implements Failure {
        @Override
        public Reason reason() {
            return Reason.PATH_REFUSED;
        }
    }

    record Draining() implements Failure {
        @Override
        public Reason reason() {
            return Reason.DRAINING;
        }
    }

    /** The app is stopping. */
    record ShuttingDown() implements Failure {
        @Override
        public Reason reason() {
            return Reason.SHUTTING_DOWN;
        }
    }
}
