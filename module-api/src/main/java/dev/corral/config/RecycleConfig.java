package dev.corral.config;

import java.time.Duration;
import java.util.StringJoiner;

/**
 * When an app's processes are recycled (stopped gracefully and, if needed, replaced), like
 * Passenger's pool idle time and max requests, Apache's MaxRequestsPerChild and uWSGI's
 * harakiri. Zero switches a limit off. Immutable.
 *
 * @param idleTimeout     a process above {@code minProcesses} that served nothing for this long is stopped
 * @param maxRequests     a process is recycled after serving this many requests
 * @param maxMemoryBytes  a process whose resident set (its whole process tree) exceeds this is recycled
 * @param maxRequestTime  a request running longer kills its process; its client gets 504
 */
public record RecycleConfig(Duration idleTimeout, int maxRequests, long maxMemoryBytes, Duration maxRequestTime) {
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_REQUESTS = 0;
    public static final long DEFAULT_MAX_MEMORY = 0;
    public static final Duration DEFAULT_MAX_REQUEST_TIME = Duration.ZERO;

    public RecycleConfig {
        if (idleTimeout == null || idleTimeout.isNegative() || maxRequests < 0 || maxMemoryBytes < 0
                || maxRequestTime == null || maxRequestTime.isNegative()) {
            throw new IllegalArgumentException("negative or missing recycling limit: idleTimeout=" + idleTimeout
                    + ", maxRequests=" + maxRequests + ", maxMemory=" + maxMemoryBytes + ", maxRequestTime=" + maxRequestTime);
        }
    }

    public static RecycleConfig ofDefaults() {
        return new RecycleConfig(DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_REQUESTS, DEFAULT_MAX_MEMORY, DEFAULT_MAX_REQUEST_TIME);
    }

    @Override
    public String toString() {
        return new StringJoiner(", ")
                .add("idleTimeout=" + Durations.format(idleTimeout))
                .add("maxRequests=" + maxRequests)
                .add("maxMemory=" + Sizes.format(maxMemoryBytes))
                .add("maxRequestTime=" + Durations.format(maxRequestTime))
                .toString();
    }
}
