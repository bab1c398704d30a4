package dev.corral.pool.internal;

import java.util.concurrent.ScheduledFuture;

/**
 * A request waiting in its app's queue. Guarded by the group lock: created, removed and
 * inspected only while holding it.
 */
final class Waiter {
    final RequestInfo request;
    final long enqueuedNanos;
    /** The queue-timeout task; cancelled when the waiter leaves the queue. */
    ScheduledFuture<?> timeout;
    /** Its place in the queue while it is queued. */
    WaitQueue.Node node;
    /** The queue it waits in: the app's, or one process's (sticky sessions). */
    WaitQueue queue;

    Waiter(RequestInfo request, long enqueuedNanos) {
        this.request = request;
        this.enqueuedNanos = enqueuedNanos;
    }
}
