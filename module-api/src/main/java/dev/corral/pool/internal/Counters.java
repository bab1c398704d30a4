package dev.corral.pool.internal;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * An app's counters since it was added: the one source of the numbers that status snapshots,
 * JMX and the metrics show. Nothing is counted twice: every failed request passes
 * {@link FailureMapper} once, which counts it by reason.
 *
 * <p>Thread-safety: the plain fields are guarded by the group lock; {@link #rejected} and the
 * failures by reason are atomics, counted without it.
 */
final class Counters {
    // Guarded by the group lock.
    /** Requests the app answered (whatever its status). */
    long served;
    /** Requests that waited past queueTimeout. */
    long timedOut;
    /** Requests that got no answer from the app for another reason than a full queue. */
    long failed;
    long spawnFailures;
    /** Processes that died on their own (not stopped or retired by Corral). */
    long crashes;
    /** Processes recycled (maxRequests, maxMemory, idleTimeout, a restart, a scale-down). */
    long recycles;
    /** The last spawn or process error, and when (wall-clock milliseconds), or null and 0. */
    String lastError;
    long lastErrorMillis;
    /** The app's last output lines in its last failed spawn (for detailedErrors); empty when none. */
    java.util.List<String> lastSpawnOutput = java.util.List.of();
    final QueueWaits queueWaits = new QueueWaits();

    /** Requests answered 503 queue_full; counted without the lock by the fast rejection. */
    final LongAdder rejected = new LongAdder();
    private final AtomicLongArray byReason = new AtomicLongArray(Reason.values().length);
    /** Process exits by cause; guarded by the group lock. */
    private final Map<String, Long> exits = new java.util.LinkedHashMap<>();

    /** The causes of a process exit, in the order the status shows them. */
    static final java.util.List<String> EXIT_CAUSES = java.util.List.of("crashed", "recycled", "evicted", "down",
            "timed_out", "cut_short", "spawn_failed", "detached", "shutdown");

    Counters() {
        EXIT_CAUSES.forEach(cause -> exits.put(cause, 0L));
    }

    /** A process exited: {@code crashed}, or the kind of its retirement. */
    void exit(String cause) {
        exits.merge(cause, 1L, Long::sum);
    }

    Map<String, Long> exitsByCause() {
        return new java.util.LinkedHashMap<>(exits);
    }

    void failure(Reason reason) {
        byReason.incrementAndGet(reason.ordinal());
    }

    /** Failed requests by reason code, every reason present (0 when none). */
    Map<String, Long> failuresByReason() {
        Map<String, Long> counts = new java.util.LinkedHashMap<>();
        for (Reason reason : Reason.values()) {
            counts.put(reason.code(), byReason.get(reason.ordinal()));
        }
        return counts;
    }

    /** Failed requests by reason. */
    Map<Reason, Long> failures() {
        Map<Reason, Long> counts = new EnumMap<>(Reason.class);
        for (Reason reason : Reason.values()) {
            counts.put(reason, byReason.get(reason.ordinal()));
        }
        return counts;
    }
}
