package dev.corral.pool.internal;

/**
 * {@code prefetch}: a process whose slots are all busy may take one request more. That request
 * goes out to the process at once and waits in its socket behind the one it serves, so that
 * the process, done with it, finds the next request there instead of sleeping until Corral
 * sends one (what nginx gives a process when it sends it more than one request at a time). One
 * request per free slot costs a wake-up of the process and a turnaround of Corral per request
 * (docs/PERFORMANCE.md); for short requests that is most of the work.
 *
 * <p>Only for requests that are safe to wait behind another one: while the app's recent service
 * time (a decaying peak over its sessions, so that one slow request stops prefetching for a
 * while) stays below the setting, and only while its typical request takes at least
 * {@link #FLOOR_NANOS} (below that prefetch costs the JVM more than it spares the process);
 * never for a request with a body (it may be long to send, and it cannot be sent again), an
 * upgrade, a retry or a sticky request. The queue stays oldest
 * first: a request takes a prefetch slot only when nothing waits ahead of it
 * ({@link Sessions}). A prefetched request belongs to its process from then on: if the process
 * dies, it is lost with it, like the request in flight (both were delivered).
 *
 * <p>Thread-safety: guarded by the group lock.
 */
final class Prefetch {
    /** The peak decays by 1/{@code DECAY} of itself with each request that ends faster. */
    private static final int DECAY = 8;
    private final Group group;
    /**
     * Below this typical service time prefetch costs more than it saves, so it stays off: the
     * JVM's extra forwarding thread and connection per process cost more than the wake-up they
     * spare the process (measured on Jetty, 4 processes at 16 connections: sub-millisecond
     * requests lost 4–30% of their requests per second with prefetch, 1 ms requests gained
     * 5–9%, 3 ms ones 1–5%; docs/PERFORMANCE.md, "Prefetch's floor").
     */
    static final long FLOOR_NANOS = 500_000;
    /** The decaying peak of recent service times; -1 until a first request was served. */
    private long recentNanos = -1;
    /** The typical service time: a moving average, each request weighing 1/{@code DECAY}. */
    private long typicalNanos;

    Prefetch(Group group) {
        this.group = group;
    }

    /** The slots a process offers {@code request}: its concurrency, and one more when the request may wait behind another. */
    int capacityLocked(RequestInfo request) {
        assert group.holdsLock();
        int concurrency = group.config.concurrency();
        return allowsLocked(request) ? concurrency + 1 : concurrency;
    }

    /** The most sessions a process can hold: concurrency, plus one with prefetch on (0 = unlimited). */
    int mostSessions() {
        int concurrency = group.config.concurrency();
        return concurrency == 0 || group.config.routing().prefetch().isZero() ? concurrency : concurrency + 1;
    }

    private boolean allowsLocked(RequestInfo request) {
        long limit = group.config.routing().prefetch().toNanos();
        return limit > 0 && recentNanos >= 0 && recentNanos < limit && typicalNanos >= FLOOR_NANOS
                && request.attempts == 0 && request.route == null
                && request.exchange.contentLength() == 0 && !request.exchange.upgradeRequested();
    }

    /** A session took a slot: it waits behind another when the process's slots were all busy. */
    void startedLocked(Session session, long now) {
        assert group.holdsLock();
        int concurrency = group.config.concurrency();
        session.behind = concurrency > 0 && session.process.sessions > concurrency;
        session.servedFromNanos = now;
    }

    /**
     * A session ended: a request its process served joins the estimate (timed from when the
     * process got to it), and when it held a slot, the oldest request waiting behind it on that
     * process is served from now on.
     */
    void endedLocked(Session session, boolean served, long now) {
        assert group.holdsLock();
        if (session.behind) {
            return;   // ended while it waited (a failure): the process is still busy with the one ahead
        }
        if (served) {
            long took = now - session.servedFromNanos;
            typicalNanos = recentNanos < 0 ? took : typicalNanos + (took - typicalNanos) / DECAY;
            recentNanos = Math.max(took, recentNanos - recentNanos / DECAY);
        }
        for (Session waiting : session.process.active) {
            if (waiting.behind) {
                waiting.behind = false;
                waiting.servedFromNanos = now;
                return;
            }
        }
    }
}
