package dev.corral.pool;

import dev.corral.config.AppConfig;
import dev.corral.config.ConfigException;
import dev.corral.config.ConfigException.Problem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The one {@link Corral} engine that every adapter instance loaded by the same class loader
 * shares, for containers configured with one adapter per app (Tomcat's {@code CorralValve}):
 * all apps draw from one pool, one timer and one run directory.
 *
 * <p>Lifetime: reference-counted. The first adapter to start creates and starts it
 * ({@link #acquire}), each {@link #attach attaches} its app, and the last to {@link #release}
 * closes it, which stops every app process. An adapter that stops while others still run
 * {@link #detach detaches}: its app is removed from the engine ({@link Corral#removeApp}), so
 * its processes stop at once while the other apps serve on; if the adapter starts again, its
 * app is added anew, with the settings it has then.
 *
 * <p>Apps are matched within a <em>scope</em> (Tomcat: the valve's container), so that the apps
 * of one Host never shadow another's; the rule is {@link Corral#match}'s.
 *
 * <p>Thread-safety: acquiring, releasing, attaching and detaching hold a class-wide lock
 * (lifecycle only); {@link #match}, on every request, reads an immutable snapshot.
 */
public final class SharedCorral {
    private static final Object LOCK = new Object();
    /** Guarded by LOCK. */
    private static SharedCorral current;

    private final Corral corral;
    /** What the adapters are called, for messages ("CorralValve"). */
    private final String adapter;
    /** The runDir of the adapter that created the engine, or null. */
    private final String runDir;

    // Guarded by LOCK.
    /** The maxPoolProcesses the engine was created with, or null if its adapter set none. */
    private final Integer maxPoolProcesses;
    /** The status settings the engine was created with, or null if its adapter set none. */
    private final dev.corral.config.StatusConfig status;
    private int users;
    /** The started adapters and their apps, in the order they attached. */
    private final Map<Object, Attached> attached = new LinkedHashMap<>();

    private record Attached(Object scope, App app) {
    }

    /** Immutable snapshot: each scope's apps, in the order their adapters attached. */
    private volatile Map<Object, List<App>> appsByScope = Map.of();

    private SharedCorral(Corral corral, String adapter, String runDir, Integer maxPoolProcesses,
                         dev.corral.config.StatusConfig status) {
        this.corral = corral;
        this.adapter = adapter;
        this.runDir = runDir;
        this.maxPoolProcesses = maxPoolProcesses;
        this.status = status;
    }

    /**
     * Joins the shared engine, creating and starting it if no adapter holds it. Every successful
     * call must be paired with one {@link #release()}.
     *
     * @param adapter          what the adapters are called, for messages
     * @param runDir           the adapter's runDir setting, or null to accept the engine's
     * @param maxPoolProcesses the adapter's maxPoolProcesses setting, or null to accept the engine's
     * @param status           the adapter's status settings, or null to accept the engine's
     * @throws ConfigException if a setting differs from the running engine's
     */
    public static SharedCorral acquire(String adapter, String runDir, Integer maxPoolProcesses,
                                       dev.corral.config.StatusConfig status) {
        synchronized (LOCK) {
            SharedCorral engine = current;
            if (engine == null) {
                Corral corral = Corral.builder().runDir(runDir == null ? null : Path.of(runDir))
                        .maxPoolProcesses(maxPoolProcesses == null ? 0 : maxPoolProcesses)
                        .status(status == null ? dev.corral.config.StatusConfig.OFF : status).build();
                try {
                    corral.start();
                } catch (RuntimeException e) {
                    corral.close();
                    throw e;
                }
                engine = new SharedCorral(corral, adapter, runDir, maxPoolProcesses, status);
                current = engine;
            } else {
                engine.checkSame(runDir, maxPoolProcesses, status);
            }
            engine.users++;
            return engine;
        }
    }

    private void checkSame(String otherRunDir, Integer otherMax, dev.corral.config.StatusConfig otherStatus) {
        if (otherStatus != null && status != null && !otherStatus.equals(status)) {
            throw new ConfigException(List.of(new Problem("statusPath", otherStatus.toString(),
                    "the status settings of the engine all " + adapter + "s share, [" + status + "]; give every "
                            + adapter + " the same statusPath, statusAllow, statusPerProcessMetrics, agentPort and"
                            + " agentBind, or set them on one")));
        }
        if (otherMax != null && maxPoolProcesses != null && !otherMax.equals(maxPoolProcesses)) {
            throw new ConfigException(List.of(new Problem("maxPoolProcesses", otherMax.toString(),
                    "the maxPoolProcesses of the engine all " + adapter + "s share, [" + maxPoolProcesses
                            + "]; give every " + adapter + " the same value, or set it on one")));
        }
        if (otherRunDir != null && !Path.of(otherRunDir).toAbsolutePath().normalize().equals(corral.runDir())) {
            throw new ConfigException(List.of(new Problem("runDir", otherRunDir,
                    "the run directory of the engine all " + adapter + "s share, [" + corral.runDir()
                            + "] (set by the first " + adapter + " to start" + (runDir == null ? ", which had none" : "")
                            + "); give every " + adapter + " the same runDir, or set it on none")));
        }
    }

    /**
     * Leaves the engine; the last user closes it, which stops every app process. Closing holds
     * the lock (the lifecycle lock, never taken on the request path), so that an engine created
     * next never overlaps the processes and sockets of the one closing.
     */
    public void release() {
        synchronized (LOCK) {
            if (--users > 0) {
                return;
            }
            current = null;
            corral.close();
        }
    }

    /**
     * Adds the adapter's app to the engine.
     *
     * @param owner the adapter instance (named in messages)
     * @param scope what the app is matched within (Tomcat: the valve's container)
     * @throws ConfigException if another attached adapter serves an app of that name
     */
    public App attach(Object owner, Object scope, AppConfig config) {
        synchronized (LOCK) {
            String name = config.name();
            for (Map.Entry<Object, Attached> other : attached.entrySet()) {
                if (other.getValue().app().name().equals(name)) {
                    throw new ConfigException(List.of(new Problem("name", name,
                            "unique among the " + adapter + "s of this JVM (" + other.getKey() + " serves an app of that name)")));
                }
            }
            if (corral.app(name).isPresent()) {
                throw new ConfigException(List.of(new Problem("name", name,
                        "unique among the apps of the engine the " + adapter + "s share (one of that name was added to it directly)")));
            }
            App app = corral.addApp(config);
            attached.put(owner, new Attached(scope, app));
            publishLocked();
            return app;
        }
    }

    /**
     * Stops routing to the owner's app and removes it from the engine ({@link Corral#removeApp}):
     * its processes finish what they serve and stop at once, while the other apps serve on; the
     * engine's close still waits for them.
     *
     * @return completes when the app's processes have exited (at once if the owner had no app)
     */
    public CompletableFuture<Void> detach(Object owner) {
        synchronized (LOCK) {
            Attached gone = attached.remove(owner);
            if (gone == null) {
                return CompletableFuture.completedFuture(null);
            }
            publishLocked();
            return corral.removeApp(gone.app());
        }
    }

    private void publishLocked() {
        Map<Object, List<App>> byScope = new IdentityHashMap<>();
        for (Attached a : attached.values()) {
            byScope.computeIfAbsent(a.scope(), s -> new ArrayList<>()).add(a.app());
        }
        byScope.replaceAll((scope, apps) -> List.copyOf(apps));
        appsByScope = byScope;
    }

    /** The app that serves a request among the apps attached in {@code scope}, or null. */
    public App match(Object scope, String host, String rawPath) {
        return Corral.bestMatch(appsByScope.getOrDefault(scope, List.of()), host, rawPath);
    }

    /** The running engine. */
    public Corral corral() {
        return corral;
    }
}
