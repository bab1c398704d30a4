package dev.corral.pool.internal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request's lease of one slot on one process. Created under the group lock when a slot is
 * acquired ({@link Sessions#startLocked}); ended exactly once, with its {@link Outcome}, through
 * {@link Sessions#end}; a second end is a no-op.
 */
final class Session {
    final AppProcess process;
    final RequestInfo request;
    final long startNanos;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** The maxRequestTime timer, or null; guarded by the group lock. */
    Scheduler.Cancellable deadline;
    /**
     * The tunnel this session became when the app switched protocols (its 101), or null; set
     * once, under the group lock ({@link Tunnels#open}).
     */
    TunnelRelay tunnel;
    /** Set when maxRequestTime killed the process: the client gets 504. */
    volatile boolean timedOut;
    /**
     * The end of the previous request on this thread, to run once this session's request has
     * gone out to the app (the freed process works on it while Corral answers the previous
     * client); null when none. Confined to the forwarding thread.
     */
    Runnable previousEnd;
    /**
     * The whole request was written to the app's socket without an error. On a Unix socket a
     * process that was already gone makes the write fail (EPIPE), so a request not delivered
     * cannot be what killed its process. Confined to the forwarding thread.
     */
    boolean requestDelivered;
    /**
     * prefetch: taken while its process's slots were all busy, it waits in the process's socket
     * behind another request until one of those ends ({@link Prefetch}). Guarded by the group lock.
     */
    boolean behind;
    /** When its process got to it: its start, or for a prefetched one the end of the request ahead. Guarded by the group lock. */
    long servedFromNanos;

    Session(AppProcess process, RequestInfo request, long startNanos) {
        this.process = process;
        this.request = request;
        this.startNanos = startNanos;
    }

    /** Marks the lease ended; true only for the first call. */
    boolean end() {
        return ended.compareAndSet(false, true);
    }

    /** Runs the previous request's end that this session carries, once. */
    void runPreviousEnd() {
        Runnable end = previousEnd;
        if (end != null) {
            previousEnd = null;
            end.run();
        }
    }
}
