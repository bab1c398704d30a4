package dev.corral.tomcat;

import dev.corral.config.AppConfig;
import dev.corral.config.ConfigException;
import dev.corral.config.ConfigException.Problem;
import dev.corral.pool.App;
import dev.corral.pool.Corral;

import org.apache.catalina.Container;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The one Corral engine that every {@link CorralValve} loaded by the same class loader shares
 * (one per JVM when the jar sits in {@code $CATALINA_BASE/lib}), so that all apps draw from one
 * pool, one timer and one run directory.
 *
 * <p>Lifetime: reference-counted. The first valve to start creates and starts it, each valve
 * {@link #attach attaches} its app, and the last valve to stop closes it, which stops every app
 * process. A valve that stops while others still run only detaches: its app stays in the engine
 * (the engine cannot remove an app) and is reused if the valve starts again with the same
 * settings.
 *
 * <p>Thread-safety: acquiring, releasing, attaching and detaching hold the class-wide
 * {@code LOCK} (lifecycle only); the per-container app lists that {@link #match} reads on every
 * request are an immutable snapshot behind a volatile reference, replaced under the lock.
 */
final class SharedEngine {
    private static final System.Logger LOG = System.getLogger("dev.corral.tomcat");
    private static final Object LOCK = new Object();
    /** Guarded by LOCK. */
    private static SharedEngine current;

    final Corral corral;
    /** Polls the sockets of queued async clients; see {@link TomcatExchange#onClientGone}. */
    final ScheduledThreadPoolExecutor clientWatch;
    /** The runDir attribute of the valve that created the engine, or null. */
    private final String runDir;
    /** The maxPoolProcesses the engine was created with, or null if its valve set none. Guarded by LOCK. */
    private Integer maxPoolProcesses;

    // Guarded by LOCK.
    private int users;
    /** The started valves and their apps, in the order they attached. */
    private final Map<CorralValve, Attached> attached = new LinkedHashMap<>();

    private record Attached(Container container, App app) {
    }

    /** Immutable snapshot: each container's apps, in the order their valves started. */
    private volatile Map<Container, List<App>> appsByContainer = Map.of();

    private SharedEngine(Corral corral, String runDir) {
        this.corral = corral;
        this.runDir = runDir;
        this.clientWatch = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "corral-tomcat-client-watch");
            thread.setDaemon(true);
            return thread;
        });
        clientWatch.setRemoveOnCancelPolicy(true);
    }

    /**
     * Joins the shared engine, creating and starting it if no valve holds it. Every successful
     * call must be paired with one {@link #release()}.
     *
     * @param runDir the valve's runDir attribute, or null to accept whatever the engine uses
     * @throws ConfigException if runDir differs from the running engine's
     */
    static SharedEngine acquire(String runDir, Integer maxPoolProcesses) {
        synchronized (LOCK) {
            SharedEngine engine = current;
            if (engine != null && maxPoolProcesses != null && engine.maxPoolProcesses != null
                    && !maxPoolProcesses.equals(engine.maxPoolProcesses)) {
                throw new ConfigException(List.of(new Problem("maxPoolProcesses", maxPoolProcesses.toString(),
                        "the maxPoolProcesses of the engine all CorralValves share, [" + engine.maxPoolProcesses
                                + "]; give every CorralValve the same value, or set it on one")));
            }
            if (engine == null) {
                Corral corral = Corral.builder().runDir(runDir == null ? null : Path.of(runDir))
                        .maxPoolProcesses(maxPoolProcesses == null ? 0 : maxPoolProcesses).build();
                try {
                    corral.start();
                } catch (RuntimeException e) {
                    corral.close();
                    throw e;
                }
                engine = new SharedEngine(corral, runDir);
                engine.maxPoolProcesses = maxPoolProcesses;
                current = engine;
            } else if (runDir != null && !Path.of(runDir).toAbsolutePath().normalize().equals(engine.corral.runDir())) {
                throw new ConfigException(List.of(new Problem("runDir", runDir,
                        "the run directory of the engine all CorralValves share, [" + engine.corral.runDir()
                                + "] (set by the first CorralValve to start" + (engine.runDir == null ? ", which had none" : "")
                                + "); give every CorralValve the same runDir, or set it on none")));
            }
            engine.users++;
            return engine;
        }
    }

    /**
     * Leaves the engine; the last user closes it, which stops every app process. Closing holds
     * the lock (it is the lifecycle lock, never taken on the request path), so that an engine
     * created next never overlaps the processes and sockets of the one closing.
     */
    void release() {
        synchronized (LOCK) {
            if (--users > 0) {
                return;
            }
            current = null;
            clientWatch.shutdownNow();
            corral.close();
        }
    }

    /**
     * Adds the valve's app to the engine, or takes back the app it served before a restart.
     *
     * @throws ConfigException if another started valve serves an app of that name, or the
     *                         existing app has other settings
     */
    App attach(CorralValve valve, Container container, AppConfig config) {
        synchronized (LOCK) {
            String name = config.name();
            for (Map.Entry<CorralValve, Attached> other : attached.entrySet()) {
                if (other.getValue().app().name().equals(name)) {
                    throw new ConfigException(List.of(new Problem("name", name,
                            "unique among the CorralValves of this JVM (" + other.getKey() + " serves an app of that name)")));
                }
            }
            Optional<App> existing = corral.app(name);
            App app;
            if (existing.isEmpty()) {
                app = corral.addApp(config);
            } else if (existing.get().config().equals(config)) {
                app = existing.get();
                LOG.log(System.Logger.Level.INFO, "{0} takes over the running app [{1}]", valve, name);
            } else {
                throw new ConfigException(List.of(new Problem("name", name,
                        "the name of a new app (app [" + name + "] still runs with its earlier settings "
                                + existing.get().config() + ": the engine the CorralValves share cannot replace an "
                                + "app while other CorralValves run, so restart Tomcat to change its settings)")));
            }
            attached.put(valve, new Attached(container, app));
            publishLocked();
            return app;
        }
    }

    /** Stops routing to the valve's app (its processes run on until the engine closes). */
    void detach(CorralValve valve) {
        synchronized (LOCK) {
            if (attached.remove(valve) != null) {
                publishLocked();
            }
        }
    }

    private void publishLocked() {
        Map<Container, List<App>> byContainer = new IdentityHashMap<>();
        for (Attached a : attached.values()) {
            byContainer.computeIfAbsent(a.container(), c -> new ArrayList<>()).add(a.app());
        }
        byContainer.replaceAll((container, apps) -> List.copyOf(apps));
        appsByContainer = byContainer;
    }

    /**
     * The app that serves a request among the apps of one container's valves: the same rule as
     * {@link Corral#match}, restricted to that container, so that apps of other Hosts never
     * shadow this Host's apps.
     */
    App match(Container container, String host, String rawPath) {
        App best = null;
        for (App app : appsByContainer.getOrDefault(container, List.of())) {
            AppConfig config = app.config();
            if (config.matchesHost(host) && config.matchesPath(rawPath) && (best == null || wins(config, best.config()))) {
                best = app;
            }
        }
        return best;
    }

    /** A longer path prefix wins; at equal length an app bound to virtual hosts beats a catch-all. */
    private static boolean wins(AppConfig candidate, AppConfig best) {
        int length = candidate.pathPrefix().length();
        int bestLength = best.pathPrefix().length();
        return length > bestLength
                || (length == bestLength && !candidate.virtualHosts().isEmpty() && best.virtualHosts().isEmpty());
    }
}
