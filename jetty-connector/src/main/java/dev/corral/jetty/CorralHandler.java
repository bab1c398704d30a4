package dev.corral.jetty;

import dev.corral.config.AppConfig;
import dev.corral.config.AppSettings;
import dev.corral.config.ConfigException;
import dev.corral.config.PoolLimits;
import dev.corral.config.StatusConfig;
import dev.corral.pool.App;
import dev.corral.pool.Corral;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.annotation.ManagedAttribute;
import org.eclipse.jetty.util.annotation.ManagedObject;
import org.eclipse.jetty.util.component.Dumpable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Corral for Jetty 12: a {@link Handler.Wrapper} that serves the requests matching one of its
 * apps (by virtual host and path prefix) from that app's pool of processes, and passes every
 * other request to the handler it wraps.
 *
 * <p>Configured in Jetty XML (or code) before start: {@link #addApp(AppSettings)} once per app,
 * optionally {@link #setRunDir(String)}. All settings are validated at start; any error fails the
 * start with every problem named. Queued requests hold no thread: {@code handle} returns at once
 * and the engine completes the callback later.
 *
 * <p>Thread-safety: configure before start; {@code handle} is thread-safe.
 */
@ManagedObject("Corral: spawns, pools and queues external app processes")
public class CorralHandler extends Handler.Wrapper {
    private final List<AppSettings> settings = new ArrayList<>();
    private String runDir;
    private String maxPoolProcesses;
    private String statusPath;
    private String statusAllow;
    private String statusPerProcessMetrics;
    private volatile Corral corral;

    public CorralHandler() {
        super();
    }

    public CorralHandler(Handler handler) {
        super(handler);
    }

    /** Adds an app (Jetty XML: {@code <Call name="addApp"><Arg><New class="dev.corral.config.AppSettings">…}). */
    public void addApp(AppSettings app) {
        checkNotStarted("apps");
        settings.add(app);
    }

    /** The directory for app sockets (mode 0700, keep the path short); default a temp directory. */
    public void setRunDir(String runDir) {
        checkNotStarted("runDir");
        this.runDir = runDir == null || runDir.isBlank() ? null : runDir;
    }

    /** {@code maxPoolProcesses}: processes all apps may run together, 0 = no limit (the default). */
    public void setMaxPoolProcesses(String maxPoolProcesses) {
        checkNotStarted("maxPoolProcesses");
        this.maxPoolProcesses = maxPoolProcesses;
    }

    public String getMaxPoolProcesses() {
        return maxPoolProcesses;
    }

    /**
     * Sets an engine setting by its name ({@code runDir}, {@code maxPoolProcesses},
     * {@code statusPath}, {@code statusAllow}, {@code statusPerProcessMetrics}), for callers that
     * have them by name (a command line, a properties file).
     *
     * @throws IllegalArgumentException naming the setting if it is not one of these
     */
    public void setEngineSetting(String name, String value) {
        switch (name) {
            case "runDir" -> setRunDir(value);
            case "maxPoolProcesses" -> setMaxPoolProcesses(value);
            case StatusConfig.STATUS_PATH -> setStatusPath(value);
            case StatusConfig.STATUS_ALLOW -> setStatusAllow(value);
            case StatusConfig.STATUS_PER_PROCESS_METRICS -> setStatusPerProcessMetrics(value);
            default -> throw new IllegalArgumentException("[" + name + "] is not an engine setting of CorralHandler; "
                    + "the engine settings are runDir, maxPoolProcesses, statusPath, statusAllow, statusPerProcessMetrics");
        }
    }

    /** {@code statusPath}: where the status page, its JSON, the metrics and the probes are (default: off). */
    public void setStatusPath(String statusPath) {
        checkNotStarted("statusPath");
        this.statusPath = statusPath;
    }

    public String getStatusPath() {
        return statusPath;
    }

    /** {@code statusAllow}: the client networks that may read the status (default {@code 127.0.0.0/8,::1}). */
    public void setStatusAllow(String statusAllow) {
        checkNotStarted("statusAllow");
        this.statusAllow = statusAllow;
    }

    public String getStatusAllow() {
        return statusAllow;
    }

    /** {@code statusPerProcessMetrics}: per-pid metric series too (default false: pids churn). */
    public void setStatusPerProcessMetrics(String statusPerProcessMetrics) {
        checkNotStarted("statusPerProcessMetrics");
        this.statusPerProcessMetrics = statusPerProcessMetrics;
    }

    public String getStatusPerProcessMetrics() {
        return statusPerProcessMetrics;
    }

    public String getRunDir() {
        return corral != null ? corral.runDir().toString() : runDir;
    }

    /** The running engine (null before start). */
    public Corral getCorral() {
        return corral;
    }

    /** With Jetty's {@code jmx} module, the handler's MBean links to the engine's own. */
    @ManagedAttribute("The Corral engine's MBean (its apps and processes are beside it in the dev.corral domain)")
    public String getEngine() {
        Corral engine = corral;
        return engine == null ? null : engine.objectName().toString();
    }

    /** The MBeans of the apps (Jetty's MBeans show an ObjectName-typed attribute only for Jetty's own beans). */
    @ManagedAttribute("The MBeans of the apps this handler serves")
    public List<String> getApps() {
        Corral engine = corral;
        return engine == null ? List.of() : engine.apps().stream().map(app -> engine.objectName(app).toString()).toList();
    }

    private void checkNotStarted(String what) {
        if (isStarted() || isStarting()) {
            throw new IllegalStateException("Cannot change " + what + " after start: " + this);
        }
    }

    @Override
    protected void doStart() throws Exception {
        List<ConfigException.Problem> problems = new ArrayList<>();
        Integer poolLimit = PoolLimits.maxPoolProcesses(maxPoolProcesses, problems);
        StatusConfig status = StatusConfig.bind(statusPath, statusAllow, statusPerProcessMetrics, problems);
        List<AppConfig> configs;
        try {
            configs = bind(settings);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
            configs = List.of();
        }
        ConfigException.throwIfAny(problems);
        Corral engine = Corral.builder().runDir(runDir == null ? null : Path.of(runDir))
                .maxPoolProcesses(poolLimit).status(status).build();
        try {
            for (AppConfig config : configs) {
                engine.addApp(config);
            }
            engine.start();
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        corral = engine;
        addBean(new EngineDump(engine), false);
        super.doStart();
    }

    /** Validates every app's settings, reporting the problems of all apps at once. */
    static List<AppConfig> bind(List<AppSettings> settings) {
        List<AppConfig> configs = new ArrayList<>();
        List<ConfigException.Problem> problems = new ArrayList<>();
        if (settings.isEmpty()) {
            problems.add(new ConfigException.Problem("apps", null, "at least one app added with addApp"));
        }
        for (int i = 0; i < settings.size(); i++) {
            AppSettings app = settings.get(i);
            try {
                configs.add(app.toConfig());
            } catch (ConfigException e) {
                // with several apps, say which one each problem belongs to
                String which = settings.size() == 1 ? "" : "app[" + (app.getName() != null ? app.getName() : "#" + (i + 1)) + "].";
                for (ConfigException.Problem problem : e.problems()) {
                    problems.add(new ConfigException.Problem(which + problem.setting(), problem.value(), problem.allowed()));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return configs;
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        Corral engine = corral;
        corral = null;
        getBeans(EngineDump.class).forEach(this::removeBean);
        if (engine != null) {
            engine.close();
        }
    }

    /** The engine in Jetty's {@code Server.dump()}: one line per app and per process. */
    private record EngineDump(Corral engine) implements Dumpable {
        @Override
        public String dumpSelf() {
            return "Corral " + Corral.version() + " (" + engine.objectName() + ")";
        }

        @Override
        public void dump(Appendable out, String indent) throws IOException {
            Dumpable.dumpObjects(out, indent, this, engine.dump().lines().skip(1).map(String::strip).toArray());
        }
    }

    /**
     * Blocking: a request dispatched at once is forwarded on the calling thread, so Jetty must
     * never call {@code handle} on a selector thread.
     */
    @Override
    public InvocationType getInvocationType() {
        return InvocationType.BLOCKING;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Corral engine = corral;
        if (engine == null) {
            return super.handle(request, response, callback);
        }
        JettyExchange exchange = new JettyExchange(request, response, callback);
        if (engine.serveStatus(exchange)) {
            return true;
        }
        Optional<App> app = engine.match(exchange.host(), exchange.rawPath());
        if (app.isEmpty()) {
            return super.handle(request, response, callback);
        }
        try {
            app.get().dispatch(exchange);
        } catch (RuntimeException e) {
            exchange.fail(e);
        }
        return true;
    }
}
