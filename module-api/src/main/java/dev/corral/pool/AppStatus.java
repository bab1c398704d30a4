package dev.corral.pool;

import java.util.List;

/**
 * A consistent snapshot of one app, taken under its lock.
 *
 * @param name           the app name
 * @param processes      every process that exists (starting, ready, draining or stopping)
 * @param spawning       processes started but not ready yet
 * @param ready          processes that take requests
 * @param busy           requests in flight on processes (sessions)
 * @param queued         requests waiting in the app's queue
 * @param served         requests that got a response from the app
 * @param rejected       requests answered 503 because the queue was full
 * @param timedOut       requests answered 503 because they waited past {@code queueTimeout}
 * @param failed         requests answered 502/503 for another reason (crash, spawn failure, bad response)
 * @param spawnFailures  spawns that failed
 * @param lastError      the last spawn or process error, or {@code null}
 * @param processList    one entry per process
 */
public record AppStatus(String name, int processes, int spawning, int ready, int busy, int queued,
                        long served, long rejected, long timedOut, long failed, long spawnFailures,
                        String lastError, List<ProcessStatus> processList) {

    public AppStatus {
        processList = List.copyOf(processList);
    }
}
