package dev.corral.testing;

import dev.corral.config.AppSettings;
import dev.corral.pool.Corral;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * A servlet container (embedded Jetty, embedded Tomcat) running Corral with a set of apps: the
 * one thing the contract suite needs from each adapter.
 */
public interface ContainerFixture extends AutoCloseable {

    /**
     * Starts the container on a free loopback port with these apps.
     *
     * @param maxThreads the container's worker thread limit
     * @return the base URI, e.g. {@code http://127.0.0.1:PORT}
     * @throws Exception whatever start-up throws (a bad setting throws the ConfigException)
     */
    default URI start(List<AppSettings> apps, int maxThreads) throws Exception {
        return start(apps, maxThreads, Map.of());
    }

    /**
     * Starts the container with engine settings too ({@code maxPoolProcesses}, {@code statusPath},
     * {@code statusAllow}, {@code statusPerProcessMetrics}): on Jetty the handler's setters, on
     * Tomcat attributes of every valve.
     */
    URI start(List<AppSettings> apps, int maxThreads, Map<String, String> engineSettings) throws Exception;

    /** The engine inside the running container. */
    Corral corral();

    /**
     * The container's access log so far, one line per request, with Corral's request attributes:
     * {@code STATUS "REQUEST LINE" app pid queueMillis reason X-Request-Id} ({@code -} for what is
     * not set). Written once a response is complete, so a line may lag its response a little.
     */
    List<String> accessLog() throws java.io.IOException;

    /**
     * Each entry the container logged with a stack trace outside java.util.logging (which
     * {@link LogCapture#stackTraces} sees) since start: Jetty's own logger. Empty for Tomcat.
     */
    default List<String> stackTraces() {
        return List.of();
    }

    /** Stops the container (and with it every app process). Idempotent. */
    @Override
    void close() throws Exception;
}
