package dev.corral.bench;

import dev.corral.pool.Corral;

import java.util.stream.Collectors;

/**
 * A container with Corral started in this JVM by {@link JettyLauncher#start} or
 * {@link TomcatLauncher#start}: what it is, the port it listens on, its engine, and how to stop
 * it (the container, the engine and every app process).
 *
 * @param container the container and its version, e.g. {@code jetty-12.1.12}
 * @param port      the loopback port it listens on
 * @param corral    the engine behind it
 * @param stopper   stops the container (and with it the engine)
 * @param waiter    waits until the container has stopped (a launcher's main thread)
 */
record EmbeddedCorral(String container, int port, Corral corral, Action stopper, Action waiter) implements AutoCloseable {

    /** Stops a container, or waits for it to stop. */
    interface Action {
        void run() throws Exception;
    }

    /** The line the harness waits for: {@code corral-bench: ready container=... port=... app=...}. */
    String readyLine() {
        return "corral-bench: ready container=" + container + " port=" + port
                + corral.apps().stream().map(app -> " app=" + app.config()).collect(Collectors.joining());
    }

    /** Waits until the container has stopped (by {@link #close()}, from a shutdown hook). */
    void await() throws Exception {
        waiter.run();
    }

    @Override
    public void close() throws Exception {
        stopper.run();
    }
}
