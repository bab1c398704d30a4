package dev.corral.config;

import java.time.Duration;
import java.util.StringJoiner;

/**
 * How an app's processes are health-checked, actively (HAProxy's inter, fastinter, downinter,
 * rise, fall) and passively ({@code errorLimit}). Immutable.
 *
 * @param healthPath     the path checked with a GET (2xx or 3xx = healthy); null = a socket connect is the check
 * @param interval       time between checks of a healthy process ({@code inter})
 * @param fastInterval   time between checks while a process is changing state ({@code fastinter})
 * @param downInterval   time between checks of a process that is down ({@code downinter})
 * @param rise           consecutive successful checks before a new process takes traffic
 * @param fall           consecutive failed checks that mark a process down
 * @param timeout        how long one check may take
 * @param errorLimit     consecutive connect errors or 5xx answers that mark a process down; 0 = off
 */
public record HealthConfig(String healthPath, Duration interval, Duration fastInterval, Duration downInterval,
                           int rise, int fall, Duration timeout, int errorLimit) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_FAST_INTERVAL = Duration.ofMillis(500);
    public static final Duration DEFAULT_DOWN_INTERVAL = Duration.ofSeconds(5);
    public static final int DEFAULT_RISE = 2;
    public static final int DEFAULT_FALL = 3;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_ERROR_LIMIT = 10;

    public HealthConfig {
        if (interval == null || fastInterval == null || downInterval == null || timeout == null
                || !positive(interval) || !positive(fastInterval) || !positive(downInterval)
                || !positive(timeout) || rise < 1 || fall < 1 || errorLimit < 0) {
            throw new IllegalArgumentException("invalid health settings: " + healthPath + ", " + interval + ", "
                    + fastInterval + ", " + downInterval + ", rise=" + rise + ", fall=" + fall + ", " + timeout
                    + ", errorLimit=" + errorLimit);
        }
    }

    private static boolean positive(Duration d) {
        return !d.isNegative() && !d.isZero();
    }

    public static HealthConfig ofDefaults() {
        return new HealthConfig(null, DEFAULT_INTERVAL, DEFAULT_FAST_INTERVAL, DEFAULT_DOWN_INTERVAL, DEFAULT_RISE,
                DEFAULT_FALL, DEFAULT_TIMEOUT, DEFAULT_ERROR_LIMIT);
    }

    @Override
    public String toString() {
        return new StringJoiner(", ")
                .add("healthPath=" + (healthPath == null ? "" : healthPath))
                .add("healthInterval=" + Durations.format(interval))
                .add("healthFastInterval=" + Durations.format(fastInterval))
                .add("healthDownInterval=" + Durations.format(downInterval))
                .add("healthRise=" + rise)
                .add("healthFall=" + fall)
                .add("healthTimeout=" + Durations.format(timeout))
                .add("errorLimit=" + errorLimit)
                .toString();
    }
}
