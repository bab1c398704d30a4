package dev.corral.config;

import java.time.Duration;
import java.util.StringJoiner;

/**
 * How an app's requests are routed among its processes beyond "least busy": retries of failed
 * connects, a new process's slow start, and sticky sessions. Immutable.
 *
 * @param retries        how many other processes a request whose connect failed tries
 * @param slowStart      a new process's share of traffic ramps up over this time; 0 = off
 * @param stickySessions a request carrying {@code stickyCookie} goes to the process that set it
 * @param stickyCookie   the cookie naming a request's process
 * @param prefetch       a busy process may take one request more while the app's recent service time is below this (and its typical one at least 0.5 ms); 0 = off
 */
public record RoutingConfig(int retries, Duration slowStart, boolean stickySessions, String stickyCookie,
                            Duration prefetch) {
    public static final int DEFAULT_RETRIES = 3;
    public static final Duration DEFAULT_SLOW_START = Duration.ZERO;
    public static final boolean DEFAULT_STICKY_SESSIONS = false;
    public static final String DEFAULT_STICKY_COOKIE = "corral_route";
    public static final Duration DEFAULT_PREFETCH = Duration.ZERO;
    /** What a cookie name may hold (RFC 6265 token characters). */
    static final String COOKIE_NAME = "[A-Za-z0-9!#$%&'*+.^_`|~-]+";

    public RoutingConfig {
        if (retries < 0 || slowStart == null || slowStart.isNegative() || stickyCookie == null
                || !stickyCookie.matches(COOKIE_NAME) || prefetch == null || prefetch.isNegative()) {
            throw new IllegalArgumentException("invalid routing settings: retries=" + retries + ", slowStart=" + slowStart
                    + ", stickyCookie=" + stickyCookie + ", prefetch=" + prefetch);
        }
    }

    public static RoutingConfig ofDefaults() {
        return new RoutingConfig(DEFAULT_RETRIES, DEFAULT_SLOW_START, DEFAULT_STICKY_SESSIONS, DEFAULT_STICKY_COOKIE,
                DEFAULT_PREFETCH);
    }

    @Override
    public String toString() {
        return new StringJoiner(", ")
                .add("retries=" + retries)
                .add("slowStart=" + Durations.format(slowStart))
                .add("stickySessions=" + stickySessions)
                .add("stickyCookie=" + stickyCookie)
                .add("prefetch=" + Durations.format(prefetch))
                .toString();
    }
}
