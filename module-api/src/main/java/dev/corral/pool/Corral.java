package dev.corral.pool;

import dev.corral.config.AppConfig;
import dev.corral.pool.internal.Pool;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The Corral engine: a set of apps, each with its pool of processes and its request queue.
 * Container adapters create one, add the configured apps, {@link #match} each request to an app
 * and {@link App#dispatch} it.
 *
 * <pre>{@code
 * Corral corral = Corral.builder().build();
 * App blog = corral.addApp(settings.toConfig());
 * corral.start();
 * corral.match(host, path).ifPresent(app -> app.dispatch(exchange));
 * corral.close();   // stops every process
 * }</pre>
 *
 * <p>Thread-safe. Lifetime: from {@link Builder#build} to {@link #close}.
 */
public final class Corral implements AutoCloseable {
    /** Engines started and not closed, in start order: what {@link #running()} shows. */
    private static final java.util.concurrent.CopyOnWriteArrayList<Corral> RUNNING = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Pool pool;

    private Corral(Pool pool) {
        this.pool = pool;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Adds an app; its {@code minProcesses} start at {@link #start} (or at once if started). */
    public App addApp(AppConfig config) {
        return pool.addApp(config);
    }

    /**
     * Removes an app while the engine runs, leaving the others untouched: it takes no new
     * request, what waits for it gets 503 {@code shutting_down}, its processes finish the
     * requests they serve and stop at once (SIGTERM, then SIGKILL past its
     * {@code shutdownTimeout}), and its MBeans go. An app of the same name may be added at once.
     *
     * @return completes when the app's processes have exited ({@link #close} waits for them too)
     * @throws IllegalArgumentException if {@code app} is not one of this engine's apps
     */
    public CompletableFuture<Void> removeApp(App app) {
        return pool.removeApp(app);
    }

    /** Starts the apps' minimum processes and the timers. */
    public void start() {
        pool.start();
        RUNNING.addIfAbsent(this);
    }

    /**
     * The engines of this class loader that are started and not closed, in start order: how
     * code that shares the container's class loader (a webapp's {@code AppClient} or CDI
     * extension) finds the apps that the container's adapters configured.
     */
    public static List<Corral> running() {
        return List.copyOf(RUNNING);
    }

    /** The app of that name among the {@link #running()} engines' apps (the first started wins). */
    public static Optional<App> runningApp(String name) {
        for (Corral corral : RUNNING) {
            Optional<App> app = corral.app(name);
            if (app.isPresent()) {
                return app;
            }
        }
        return Optional.empty();
    }

    /** Every app, in the order added. */
    public List<App> apps() {
        return pool.apps();
    }

    /** The app by name. */
    public Optional<App> app(String name) {
        return Optional.ofNullable(pool.app(name));
    }

    /**
     * The app that serves a request: among the apps whose {@code virtualHosts} accept the host,
     * the one with the longest {@code pathPrefix} that matches the path.
     */
    public Optional<App> match(String host, String rawPath) {
        return Optional.ofNullable(bestMatch(pool.apps(), host, rawPath));
    }

    /**
     * The one matching rule, for every adapter: among {@code apps}, those whose
     * {@code virtualHosts} accept the host and whose {@code pathPrefix} matches the path; of
     * those, the longest prefix wins, and at equal length an app bound to virtual hosts beats a
     * catch-all. Null when none matches.
     */
    static App bestMatch(Iterable<App> apps, String host, String rawPath) {
        App best = null;
        for (App app : apps) {
            AppConfig config = app.config();
            if (config.matchesHost(host) && config.matchesPath(rawPath) && (best == null || wins(config, best.config()))) {
                best = app;
            }
        }
        return best;
    }

    private static boolean wins(AppConfig candidate, AppConfig best) {
        int length = candidate.pathPrefix().length();
        int bestLength = best.pathPrefix().length();
        return length > bestLength
                || (length == bestLength && !candidate.virtualHosts().isEmpty() && best.virtualHosts().isEmpty());
    }

    /**
     * Answers a request for the status endpoints ({@code statusPath}, see the builder) and
     * returns true; returns false, leaving the exchange untouched, for any other request. An
     * adapter asks this before it matches the request to an app.
     */
    public boolean serveStatus(Exchange exchange) {
        return pool.serveStatus(exchange);
    }

    /** Whether a request for {@code rawPath} is for the status endpoints (cheap: a prefix test). */
    public boolean isStatusPath(String rawPath) {
        return pool.isStatusPath(rawPath);
    }

    /** The name of the engine's MBean ({@code dev.corral:type=Engine}). */
    public javax.management.ObjectName objectName() {
        return pool.engineName();
    }

    /** The name of an app's MBean ({@code dev.corral:type=App,name=<app>}). */
    public javax.management.ObjectName objectName(App app) {
        return pool.appName(app.name());
    }

    /**
     * Drains the engine for a load balancer: {@code <statusPath>/ready} answers 503 and the
     * HAProxy agent-check {@code drain}, so that no new requests are sent here; the requests that
     * still come are served, so none is lost while the balancer catches up. (An app's own
     * {@link App#drain()} answers its new requests 503 instead.) Also JMX {@code drain()} on
     * {@code dev.corral:type=Engine}.
     */
    public void drain() {
        pool.drain();
    }

    /** Ends {@link #drain()}. */
    public void resume() {
        pool.resume();
    }

    /** Whether the engine is drained ({@link #drain()}). */
    public boolean draining() {
        return pool.draining();
    }

    /**
     * The address the HAProxy agent-check listens on ({@code agentPort} and {@code agentBind}),
     * or empty when it is off or the engine is not started.
     */
    public Optional<java.net.InetSocketAddress> agentAddress() {
        return Optional.ofNullable(pool.agentAddress());
    }

    /** The whole engine as text: every app with its counts, every process with its state. */
    public String dump() {
        return pool.dump();
    }

    /** Corral's version, from the build. */
    public static String version() {
        return Pool.version();
    }

    /** The directory holding the app sockets and loader scripts (mode 0700). */
    public Path runDir() {
        return pool.runDir();
    }

    /**
     * Closes every app's upgraded connections (WebSockets) now, cleanly: a WebSocket gets a close
     * frame 1001 "going away" both ways, and its client 2 s to answer. For a container that closes
     * its connections before it stops its handlers (Jetty: from its graceful shutdown), so that
     * they do not just break; the apps serve on. {@link #close} does not need it: there, upgraded
     * connections get {@code shutdownTimeout} before they are closed the same way.
     *
     * @return completes when every one of them has ended
     */
    public CompletableFuture<Void> closeUpgradedConnections() {
        return pool.closeTunnels("the server is stopping");
    }

    /** Stops every app and process; returns once they have exited. */
    @Override
    public void close() {
        RUNNING.remove(this);
        pool.close();
    }

    /** Options of the engine itself (app settings live in {@link AppConfig}). */
    public static final class Builder {
        private Path runDir;
        private LongSupplier nanoClock = System::nanoTime;
        private int maxPoolProcesses;
        private dev.corral.config.StatusConfig status = dev.corral.config.StatusConfig.OFF;

        /** Where sockets and loader scripts go; default a fresh 0700 directory under {@code java.io.tmpdir}. */
        public Builder runDir(Path runDir) {
            this.runDir = runDir;
            return this;
        }

        /** The clock for timeouts and ages (tests may inject one). */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = nanoClock;
            return this;
        }

        /**
         * {@code maxPoolProcesses}: processes all apps may run together (0 = no limit). When it is
         * reached and an app has waiting requests, the least recently used idle process of another
         * app is stopped to make room, as Passenger does.
         */
        public Builder maxPoolProcesses(int maxPoolProcesses) {
            if (maxPoolProcesses < 0) {
                throw new IllegalArgumentException("'maxPoolProcesses' must be >= 0 (0 = no limit), but was [" + maxPoolProcesses + "]");
            }
            this.maxPoolProcesses = maxPoolProcesses;
            return this;
        }

        /** The status endpoints (off by default): see {@link dev.corral.config.StatusConfig}. */
        public Builder status(dev.corral.config.StatusConfig status) {
            this.status = java.util.Objects.requireNonNull(status, "status");
            return this;
        }

        public Corral build() {
            Pool pool = new Pool(runDir, nanoClock, maxPoolProcesses);
            pool.setStatus(status);
            return new Corral(pool);
        }
    }
}
