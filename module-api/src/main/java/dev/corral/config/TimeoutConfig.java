package dev.corral.config;

import java.time.Duration;
import java.util.StringJoiner;

/**
 * How long Corral waits on a process at the two points of a forward that are not bounded
 * otherwise: the connect, and the app's first byte of an answer. {@code maxRequestTime}
 * ({@link RecycleConfig}) bounds the whole request and kills the process; these two do not kill.
 * Immutable.
 *
 * @param connectTimeout  how long connecting to a process may take (a Unix socket whose listen
 *                        backlog is full, a TCP port that drops SYNs); past it the connect
 *                        failed, as a refused one does; always positive
 * @param responseTimeout from the request written whole to the first byte of the app's answer;
 *                        past it the client gets 504 {@code response_timeout} and the connection
 *                        is closed; zero = off
 */
public record TimeoutConfig(Duration connectTimeout, Duration responseTimeout) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(60);

    public TimeoutConfig {
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()
                || responseTimeout == null || responseTimeout.isNegative()) {
            throw new IllegalArgumentException("invalid timeouts: connectTimeout=" + connectTimeout
                    + ", responseTimeout=" + responseTimeout);
        }
    }

    public static TimeoutConfig ofDefaults() {
        return new TimeoutConfig(DEFAULT_CONNECT_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT);
    }

    @Override
    public String toString() {
        return new StringJoiner(", ")
                .add("connectTimeout=" + Durations.format(connectTimeout))
                .add("responseTimeout=" + Durations.format(responseTimeout))
                .toString();
    }
}
