package dev.corral.pool.internal;

/**
 * Forwards one request to its session's process and reports how it ended; it never ends the
 * session nor answers a failure itself (that is {@link Sessions#end} and {@link FailureMapper}).
 * Implementations must run {@link Session#runPreviousEnd()} once the process has the request
 * (or before returning, whichever comes first). Thread-safe.
 */
interface Forwarder {
    Outcome forward(Session session);
}
