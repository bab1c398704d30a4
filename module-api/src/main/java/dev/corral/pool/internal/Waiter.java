package dev.corral.pool.internal;

/**
 * A request waiting in its app's queue. Guarded by the group lock: created, removed and
 * inspected only while holding it.
 */
final class Waiter {
    final RequestInfo request;
    final long enqueuedNanos;
    /** Its place in the queue while it is queued. */
    WaitQueue.Node node;
    /** The queue it waits in: the app's, or one process's (sticky sessions). */
    WaitQueue queue;

    Waiter(RequestInfo request, long enqueuedNanos) {
        this.request = request;
        this.enqueuedNanos = enqueuedNanos;
    }

    /** What orders a queue, oldest first: when the request reached Corral (a retried one keeps its place). */
    long arrivedNanos() {
        return request.arrivedNanos;
    }
}
