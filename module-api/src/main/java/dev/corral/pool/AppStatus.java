package dev.corral.pool;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A consistent snapshot of one app, taken under its lock: the one source of the numbers that
 * JMX, the status page and the metrics show.
 *
 * @param name               the app name
 * @param processes          every process that exists (starting, ready, draining or stopping)
 * @param spawning           processes started but not ready yet
 * @param ready              processes that take requests
 * @param busy               requests in flight on processes (sessions)
 * @param capacity           requests the ready processes can serve at once ({@code concurrency} each), -1 = unlimited
 * @param queued             requests waiting in the app's queue
 * @param oldestQueuedMillis how long the oldest waiting request has waited, 0 when none waits
 * @param served             requests that got a response from the app
 * @param rejected           requests answered 503 because the queue was full
 * @param timedOut           requests answered 503 because they waited past {@code queueTimeout}
 * @param failed             requests that got no answer from the app for another reason (crash, spawn failure, ...)
 * @param failuresByReason   failed requests by reason code ({@code X-Corral-Reason}), every code present
 * @param queueWaitP50Millis the median wait in the queue over the last minute (0 for none)
 * @param queueWaitP99Millis the 99th percentile of that wait
 * @param spawnFailures      spawns that failed
 * @param crashes            processes that died on their own
 * @param recycles           processes recycled (maxRequests, maxMemory, idleTimeout, restarts, scale-downs)
 * @param lastError          the last spawn or process error, or {@code null}
 * @param lastErrorTime      when it happened, or {@code null}
 * @param draining           an operator drained the app: it takes no new requests
 * @param restarting         a rolling restart is under way
 * @param generation         the current restart generation
 * @param exitsByCause       process exits by cause: {@code crashed}, or why Corral retired it ({@code recycled},
 *                           {@code evicted}, {@code down}, {@code timed_out}, {@code cut_short},
 *                           {@code spawn_failed}, {@code detached}, {@code shutdown}); every cause present
 * @param queueWaitBuckets   requests whose queue wait was within each of {@link #QUEUE_WAIT_BUCKETS_SECONDS}, then
 *                           all of them (cumulative, as Prometheus' {@code le} buckets), since the app was added
 * @param queueWaitSumSeconds those waits added up
 * @param processList        one entry per process
 */
public record AppStatus(String name, int processes, int spawning, int ready, int busy, int capacity, int queued,
                        long oldestQueuedMillis, long served, long rejected, long timedOut, long failed,
                        Map<String, Long> failuresByReason, double queueWaitP50Millis, double queueWaitP99Millis,
                        long spawnFailures, long crashes, long recycles, String lastError, Instant lastErrorTime,
                        boolean draining, boolean restarting, int generation, Map<String, Long> exitsByCause,
                        List<Long> queueWaitBuckets, double queueWaitSumSeconds, List<ProcessStatus> processList) {

    /** The upper bounds of the queue-wait histogram's buckets, in seconds (the last bucket, +Inf, follows them). */
    public static final List<Double> QUEUE_WAIT_BUCKETS_SECONDS =
            List.of(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0);

    public AppStatus {
        failuresByReason = Collections.unmodifiableMap(new LinkedHashMap<>(failuresByReason));
        exitsByCause = Collections.unmodifiableMap(new LinkedHashMap<>(exitsByCause));
        queueWaitBuckets = List.copyOf(queueWaitBuckets);
        processList = List.copyOf(processList);
    }

    /** Requests whose queue wait is counted (all of {@link #queueWaitBuckets()}' last bucket). */
    public long queueWaitCount() {
        return queueWaitBuckets.isEmpty() ? 0 : queueWaitBuckets.get(queueWaitBuckets.size() - 1);
    }

    /** Processes by state ({@code STARTING}, {@code READY}, {@code DRAINING}, {@code DOWN}, {@code STOPPING}), every state present. */
    public Map<String, Integer> processesByState() {
        Map<String, Integer> byState = new LinkedHashMap<>();
        for (String state : List.of("STARTING", "READY", "DRAINING", "DOWN", "STOPPING")) {
            byState.put(state, 0);
        }
        processList.forEach(p -> byState.merge(p.state(), 1, Integer::sum));
        return byState;
    }
}
