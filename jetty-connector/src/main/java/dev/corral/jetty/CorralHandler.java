package dev.corral.jetty;

import dev.corral.config.AppConfig;
import dev.corral.config.AppSettings;
import dev.corral.config.ConfigException;
import dev.corral.config.PoolLimits;
import dev.corral.config.Setting;
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
import org.eclipse.jetty.util.component.Graceful;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Corral for Jetty 12: a {@link Handler.Wrapper} that serves the requests matching one of its
 * apps (by virtual host and path prefix) from that app's pool of processes, and passes every
 * other request to the handler it wraps.
 *
 * <p>Configured in Jetty XML (or code) before start: {@link #addApp(AppSettings)} once per app,
 * and the engine settings' setters. In a Jetty distribution {@code etc/corral.xml} (made from the
 * settings table) also adds the app of the {@code corral.app.*} properties
 * ({@link #addPropertiesApp}), the apps of {@code $JETTY_BASE/corral/*.properties}
 * ({@link #setAppsDirectory}), spells errors as those properties ({@link #setPropertyPrefix})
 * and checks start.jar's properties for misspelt ones ({@link #setJettyBase}). All settings are
 * validated at start; any error fails the start with every problem named, before any process
 * starts. Queued requests hold no thread: {@code handle} returns at once and the engine
 * completes the callback later.
 *
 * <p>Graceful: Jetty closes its connections before it stops its handlers, so when the server
 * stops with a {@code stopTimeout} (in a distribution: the {@code graceful} module), its
 * graceful shutdown first has Corral close the upgraded connections (WebSockets) cleanly, with
 * close frames 1001 "going away" ({@link Corral#closeUpgradedConnections()}), and waits for
 * them.
 *
 * <p>Thread-safety: configure before start; {@code handle} is thread-safe.
 */
@ManagedObject("Corral: spawns, pools and queues external app processes")
public class CorralHandler extends Handler.Wrapper implements Graceful {
    /** System properties the engine reads for the whole JVM (corral.python, ...): no typo of a setting. */
    private static final List<String> JVM_PROPERTIES = List.of("python", "faults", "faultSeed", "selfCheck");

    private final List<AppSource> apps = new ArrayList<>();
    private String propertyPrefix;
    private Path appsDirectory;
    private Path jettyBase;
    private String runDir;
    private String maxPoolProcesses;
    private String statusPath;
    private String statusAllow;
    private String statusPerProcessMetrics;
    private String agentPort;
    private String agentBind;
    private volatile Corral corral;
    /** The apps' static files while started, else null. */
    private volatile JettyStaticFiles staticFiles;
    /** Jetty's graceful shutdown has begun (until the next start). */
    private volatile boolean shutdown;

    public CorralHandler() {
        super();
    }

    public CorralHandler(Handler handler) {
        super(handler);
    }

    /**
     * One app: its settings, how errors spell them, and where it was configured (for errors; null
     * when the spelling says it all).
     */
    private record AppSource(AppSettings settings, Function<String, String> spelling, String where) {
    }

    /** Adds an app (Jetty XML: {@code <Call name="addApp"><Arg><New class="dev.corral.config.AppSettings">…}). */
    public void addApp(AppSettings app) {
        checkNotStarted("apps");
        apps.add(new AppSource(app, Function.identity(), null));
    }

    /**
     * Adds the app of the {@code <propertyPrefix>app.*} properties ({@code corral.app.name=blog}
     * in {@code start.d/corral.ini}), unless none of them is set. Errors spell its settings as
     * those properties.
     */
    public void addPropertiesApp(AppSettings app) {
        checkNotStarted("apps");
        if (!app.isEmpty()) {
            String prefix = Objects.toString(propertyPrefix, "") + "app.";
            apps.add(new AppSource(app, name -> prefix + name, null));
        }
    }

    /**
     * The prefix of the properties that configure this handler in a Jetty distribution
     * ({@code corral.}, set by {@code etc/corral.xml}): errors spell the engine settings
     * {@code corral.maxPoolProcesses}, and with {@link #setJettyBase} every {@code corral.*}
     * property that is no setting fails the start. Null (the default): plain setting names.
     */
    public void setPropertyPrefix(String prefix) {
        checkNotStarted("propertyPrefix");
        this.propertyPrefix = prefix == null || prefix.isBlank() ? null : prefix;
    }

    /**
     * A directory with one {@code <name>.properties} file per app (keys: the app settings), read
     * at start; a missing directory holds no app. Default: none.
     */
    public void setAppsDirectory(Path dir) {
        checkNotStarted("appsDirectory");
        this.appsDirectory = dir;
    }

    public Path getAppsDirectory() {
        return appsDirectory;
    }

    /**
     * The Jetty base whose {@code start.ini} and {@code start.d/*.ini} (with this JVM's command
     * line and system properties) are checked at start for {@code <propertyPrefix>*} properties
     * that are no setting; errors name files relative to it. Default: none (no check).
     */
    public void setJettyBase(String jettyBase) {
        checkNotStarted("jettyBase");
        this.jettyBase = jettyBase == null || jettyBase.isBlank() ? null : Path.of(jettyBase).toAbsolutePath();
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
     * {@code statusPath}, {@code statusAllow}, {@code statusPerProcessMetrics}, {@code agentPort},
     * {@code agentBind}), for callers that
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
            case StatusConfig.AGENT_PORT -> setAgentPort(value);
            case StatusConfig.AGENT_BIND -> setAgentBind(value);
            default -> throw new IllegalArgumentException("[" + name + "] is not an engine setting of CorralHandler; "
                    + "the engine settings are runDir, maxPoolProcesses, statusPath, statusAllow, statusPerProcessMetrics, "
                    + "agentPort, agentBind");
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

    /** {@code agentPort}: the HAProxy agent-check port (default 0: off). */
    public void setAgentPort(String agentPort) {
        checkNotStarted("agentPort");
        this.agentPort = agentPort;
    }

    public String getAgentPort() {
        return agentPort;
    }

    /** {@code agentBind}: the address the agent-check port listens on (default 127.0.0.1). */
    public void setAgentBind(String agentBind) {
        checkNotStarted("agentBind");
        this.agentBind = agentBind;
    }

    public String getAgentBind() {
        return agentBind;
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
        Function<String, String> engineSpelling = name -> Objects.toString(propertyPrefix, "") + name;
        List<ConfigException.Problem> engineProblems = new ArrayList<>();
        Integer poolLimit = PoolLimits.maxPoolProcesses(maxPoolProcesses, engineProblems);
        StatusConfig status = StatusConfig.bind(statusPath, statusAllow, statusPerProcessMetrics, agentPort, agentBind,
                engineProblems);
        engineProblems.forEach(p -> problems.add(p.spelled(engineSpelling)));
        if (propertyPrefix != null && jettyBase != null) {
            problems.addAll(StartProperties.unknown(propertyPrefix, knownProperties(),
                    StartProperties.given(jettyBase, StartProperties.thisCommandLine(), System.getProperties())));
        }
        List<AppConfig> configs = bind(allApps(problems), problems);
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
        JettyStaticFiles files = JettyStaticFiles.of(engine.apps());
        for (org.eclipse.jetty.server.handler.ContextHandler context : files.contexts()) {
            context.setServer(getServer());
            addBean(context, true);
        }
        staticFiles = files;
        corral = engine;
        shutdown = false;
        addBean(new EngineDump(engine), false);
        super.doStart();
    }

    /** The apps added, then those of the apps directory (whose unknown keys go to {@code problems}). */
    private List<AppSource> allApps(List<ConfigException.Problem> problems) throws IOException {
        List<AppSource> all = new ArrayList<>(apps);
        for (AppsDirectory.AppFile file : AppsDirectory.read(appsDirectory, this::shown)) {
            problems.addAll(file.problems());
            all.add(new AppSource(file.settings(), Function.identity(), shown(file.file())));
        }
        return all;
    }

    /** A file as errors name it: relative to the Jetty base when it is inside. */
    private String shown(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        return jettyBase != null && absolute.startsWith(jettyBase) ? jettyBase.relativize(absolute).toString() : absolute.toString();
    }

    /** The properties that are settings: {@code corral.maxPoolProcesses}, {@code corral.app.maxQueue}, .... */
    private List<String> knownProperties() {
        List<String> known = new ArrayList<>();
        Setting.engineSettings().forEach(s -> known.add(propertyPrefix + s.configName()));
        known.add(propertyPrefix + "appsDirectory");
        Setting.appSettings().forEach(s -> known.add(propertyPrefix + "app." + s.configName()));
        JVM_PROPERTIES.forEach(name -> known.add(propertyPrefix + name));
        return known;
    }

    /**
     * Validates every app's settings, adding the problems of all apps to {@code problems}, each
     * spelled as its app was configured and, with several apps, saying which app it is about.
     */
    private static List<AppConfig> bind(List<AppSource> sources, List<ConfigException.Problem> problems) {
        List<AppConfig> configs = new ArrayList<>();
        if (sources.isEmpty()) {
            problems.add(new ConfigException.Problem("apps", null, "at least one app: corral.app.* properties, "
                    + "a <name>.properties file in the apps directory, or an addApp call"));
        }
        for (int i = 0; i < sources.size(); i++) {
            AppSource source = sources.get(i);
            try {
                configs.add(source.settings().toConfig());
            } catch (ConfigException e) {
                String name = source.settings().getName();
                String where = source.where() != null ? source.where()
                        : sources.size() > 1 && source.spelling() == Function.<String>identity()
                        ? "app [" + (name != null ? name : "#" + (i + 1)) + "]" : null;
                for (ConfigException.Problem problem : e.problems()) {
                    ConfigException.Problem spelled = problem.spelled(source.spelling());
                    problems.add(where == null ? spelled : spelled.at(where));
                }
            }
        }
        return configs;
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        Corral engine = corral;
        corral = null;
        getBeans(EngineDump.class).forEach(this::removeBean);
        JettyStaticFiles files = staticFiles;
        staticFiles = null;
        if (files != null) {
            files.contexts().forEach(this::removeBean);
        }
        if (engine != null) {
            engine.close();
        }
    }

    /**
     * Jetty's graceful shutdown (before its connectors close the connections): the upgraded
     * connections are closed cleanly now; completes when they have ended.
     */
    @Override
    public CompletableFuture<Void> shutdown() {
        shutdown = true;
        Corral engine = corral;
        return engine == null ? CompletableFuture.completedFuture(null) : engine.closeUpgradedConnections();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
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
        JettyStaticFiles files = staticFiles;
        if (files != null && files.handle(app.get(), exchange, request, response, callback)) {
            return true;
        }
        try {
            app.get().dispatch(exchange);
        } catch (RuntimeException e) {
            exchange.fail(e);
        }
        return true;
    }
}
