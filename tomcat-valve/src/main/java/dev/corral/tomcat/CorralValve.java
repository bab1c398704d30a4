package dev.corral.tomcat;

import dev.corral.config.AppConfig;
import dev.corral.config.AppSettings;
import dev.corral.config.ConfigException;
import dev.corral.config.ConfigException.Problem;
import dev.corral.config.Setting;
import dev.corral.config.StatusConfig;
import dev.corral.pool.App;
import dev.corral.pool.Corral;
import dev.corral.pool.SharedCorral;

import jakarta.servlet.ServletException;

import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.management.ObjectName;

/**
 * Corral for Tomcat 11: a valve that serves one app (requests matching its virtual hosts and
 * path prefix) from the app's pool of processes, and passes every other request down the
 * pipeline. One {@code <Valve>} per app, usually on a {@code <Host>}:
 *
 * <pre>{@code
 * <Valve className="dev.corral.tomcat.CorralValve" name="blog" appRoot="/srv/blog" type="wsgi"
 *        pathPrefix="/blog" maxProcesses="4"/>
 * }</pre>
 *
 * <p><b>Attributes</b> are the app settings of {@link AppSettings} (same names, defaults and
 * checks as on Jetty) plus {@code runDir}, the engine's socket directory. Setters only store the
 * raw text; {@code startInternal} checks everything and fails the start naming every bad
 * setting, and every attribute this valve does not know (Tomcat's digester would only warn
 * about those). After start the setters throw {@link IllegalStateException}.
 *
 * <p><b>One engine per JVM.</b> All CorralValves loaded by one class loader share one
 * {@link Corral} (see {@link SharedCorral}): the first valve to start creates it, the last to stop
 * closes it, and with it every app process. A valve stopped while others run removes its app
 * from the engine: its processes finish what they serve and stop at once, the other apps serve
 * on, and the valve's requests go on down the pipeline. A request goes to the best match among the apps of
 * the valves of the same container (longest path prefix, then virtual hosts), so the order of
 * the valves in a pipeline does not matter, and the apps of one Host do not shadow another's.
 *
 * <p><b>Threads.</b> Where Tomcat mapped the request to a Context (any webapp, even an empty
 * ROOT) and the pipeline is async-capable, the valve starts servlet async processing with no
 * timeout: a request waiting in the app's queue holds no connector thread, and the engine
 * completes it later from whichever thread frees a slot. At Host level with no Context mapped
 * Tomcat cannot go async (it needs a Context to run the async cycle), so there the connector
 * thread blocks until the response is done (watching for the client to leave), and the
 * connector's {@code maxThreads} must cover every request in flight or queued at once: at least
 * the sum over the Host's apps of {@code maxProcesses x concurrency + maxQueue} (for
 * {@code concurrency="0"} count the requests the app may serve at once), plus what the Host
 * serves otherwise. Requests beyond that wait unseen in Tomcat's executor queue and accept
 * backlog, where no {@code queueTimeout} or {@code maxQueue} applies. Deploy a ROOT webapp (an
 * empty directory {@code webapps/ROOT} is enough) to get async mode instead; the valve only
 * anchors the async cycle to that Context, whose servlets never see the app's requests.
 *
 * <p><b>Clients that leave.</b> Tomcat does not read the socket of a request that waits, so it
 * would not notice a close. Besides the kernel's TCP table, which the engine reads for every
 * container, the engine's probe asks each queued Tomcat request for a non-blocking read of its
 * socket (about every 200 ms; HTTP/1.x requests without a body), and a departed client leaves
 * the queue within about two probes. A queued request with a body, or one on HTTP/2 or AJP, is
 * not read: only an error Tomcat reports on its async cycle takes it out of the queue early;
 * otherwise it is noticed once forwarded.
 *
 * <p>Error responses (502, 503, 504) are written by the engine itself, never with
 * {@code sendError}, so Tomcat's ErrorReportValve does not rewrite them. {@code backgroundProcess}
 * does nothing: the engine has its own timer.
 *
 * <p>Thread-safety: configure before start (Tomcat does, from one thread); {@code invoke} is
 * thread-safe.
 */
public class CorralValve extends ValveBase {
    private static final System.Logger LOG = System.getLogger("dev.corral.tomcat");
    /** Marks a request this valve took, so that Tomcat's error or async dispatches pass on. */
    private static final String EXCHANGE_NOTE = "dev.corral.tomcat.exchange";

    // Configuration: written before start by Tomcat's digester (one thread), read by startInternal.
    private final AppSettings settings = new AppSettings();
    private final Map<String, String> unknownAttributes = new LinkedHashMap<>();
    private String runDir;
    private String maxPoolProcesses;
    /** maxPoolProcesses as validated at start. */
    private int poolLimit;
    private String statusPath;
    private String statusAllow;
    private String statusPerProcessMetrics;
    /** The status settings as validated at start, or null if none was set (any running engine's are then taken). */
    private StatusConfig status;

    /** The engine and this valve's app while started, else null; replaced as a whole. */
    private volatile Serving serving;

    private record Serving(SharedCorral engine, App app) {
    }

    public CorralValve() {
        super(true);
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    protected synchronized void startInternal() throws LifecycleException {
        AppConfig config;
        try {
            config = bind();
        } catch (ConfigException e) {
            throw new LifecycleException(this + " has an invalid configuration:\n" + e.getMessage(), e);
        }
        SharedCorral engine;
        try {
            engine = SharedCorral.acquire("CorralValve", runDir, maxPoolProcesses == null ? null : poolLimit, status);
        } catch (RuntimeException e) {
            throw new LifecycleException(this + " could not start Corral: " + e.getMessage(), e);
        }
        try {
            serving = new Serving(engine, engine.attach(this, getContainer(), config));
        } catch (RuntimeException e) {
            engine.release();
            throw new LifecycleException(this + " could not add its app: " + e.getMessage(), e);
        }
        LOG.log(System.Logger.Level.INFO, "{0} serves app [{1}] at pathPrefix [{2}]{3}", this, config.name(),
                config.pathPrefix(), config.virtualHosts().isEmpty() ? "" : " for virtualHosts " + config.virtualHosts());
        super.startInternal();
    }

    /** Every app setting checked at once, together with every attribute this valve does not know. */
    private AppConfig bind() {
        List<Problem> problems = new ArrayList<>();
        AppConfig config = null;
        try {
            config = settings.toConfig();
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        Integer limit = dev.corral.config.PoolLimits.maxPoolProcesses(maxPoolProcesses, problems);
        poolLimit = limit == null ? 0 : limit;
        boolean statusSet = statusPath != null || statusAllow != null || statusPerProcessMetrics != null;
        StatusConfig bound = StatusConfig.bind(statusPath, statusAllow, statusPerProcessMetrics, problems);
        status = statusSet ? bound : null;
        unknownAttributes.forEach((name, value) -> problems.add(
                Problem.unknown(name, value, "an attribute of CorralValve", attributeNames())));
        ConfigException.throwIfAny(problems);
        return config;
    }

    /** The valve's attributes: every setting of the table, the app's and the engine's. */
    static List<String> attributeNames() {
        return Arrays.stream(Setting.values()).map(Setting::configName).toList();
    }

    @Override
    protected synchronized void stopInternal() throws LifecycleException {
        super.stopInternal();
        Serving stopped = serving;
        serving = null;
        if (stopped != null) {
            stopped.engine().detach(this);
            stopped.engine().release();
        }
    }

    /** The app's Corral MBean (null unless started); Tomcat's MBean of the valve shows it. */
    public ObjectName getAppObjectName() {
        Serving s = serving;
        return s == null ? null : s.engine().corral().objectName(s.app());
    }

    /** The engine's Corral MBean (null unless started). */
    public ObjectName getEngineObjectName() {
        Serving s = serving;
        return s == null ? null : s.engine().corral().objectName();
    }

    /** The running engine, shared by every CorralValve of this JVM (null unless started). */
    public Corral getCorral() {
        Serving s = serving;
        return s == null ? null : s.engine().corral();
    }

    // ------------------------------------------------------------------ requests

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        Serving s = serving;
        if (s != null && request.getNote(EXCHANGE_NOTE) == null && s.engine().corral().isStatusPath(request.getRequestURI())) {
            TomcatExchange exchange = new TomcatExchange(request, response, false);
            request.setNote(EXCHANGE_NOTE, exchange);
            s.engine().corral().serveStatus(exchange);
            exchange.awaitEnd();
            return;
        }
        if (s == null || request.getNote(EXCHANGE_NOTE) != null
                || s.engine().match(getContainer(), request.getHeader("Host"), request.getRequestURI()) != s.app()) {
            getNext().invoke(request, response);
            return;
        }
        TomcatExchange exchange = new TomcatExchange(request, response,
                request.getContext() != null && request.isAsyncSupported());
        request.setNote(EXCHANGE_NOTE, exchange);
        try {
            s.app().dispatch(exchange);
        } catch (RuntimeException e) {
            exchange.fail(e);
        }
        // rejected or served on this thread: ended already; queued: asynchronous from here on
        if (!exchange.suspendIfWaiting()) {
            exchange.awaitEnd();
        }
    }

    // ------------------------------------------------------------------ attributes

    /**
     * Tomcat's digester calls this for an attribute with no setter of its own: the attribute is
     * recorded, and start fails naming it.
     *
     * @return false for an unknown attribute (Tomcat then also logs a warning)
     */
    public boolean setProperty(String name, String value) {
        if (AppSettings.names().contains(name)) {
            checkConfigurable(name);
            settings.set(name, value);
            return true;
        }
        if (name.equals("runDir")) {
            setRunDir(value);
            return true;
        }
        if (name.equals("maxPoolProcesses")) {
            setMaxPoolProcesses(value);
            return true;
        }
        if (name.equals(StatusConfig.STATUS_PATH)) {
            setStatusPath(value);
            return true;
        }
        if (name.equals(StatusConfig.STATUS_ALLOW)) {
            setStatusAllow(value);
            return true;
        }
        if (name.equals(StatusConfig.STATUS_PER_PROCESS_METRICS)) {
            setStatusPerProcessMetrics(value);
            return true;
        }
        checkConfigurable(name);
        unknownAttributes.put(name, value);
        return false;
    }

    private void checkConfigurable(String attribute) {
        LifecycleState state = getState();
        if (state == LifecycleState.STARTING_PREP || state == LifecycleState.STARTING || state == LifecycleState.STARTED) {
            throw new IllegalStateException("Cannot change " + attribute + " after start: " + this);
        }
    }

    private void set(String attribute, String value) {
        checkConfigurable(attribute);
        settings.set(attribute, value);
    }

    /** The directory for app sockets (mode 0700, keep the path short); default a temp directory. */
    public void setRunDir(String value) {
        checkConfigurable("runDir");
        runDir = value == null || value.isBlank() ? null : value;
    }

    public String getRunDir() {
        return runDir;
    }

    /**
     * {@code maxPoolProcesses}: processes all apps of this JVM may run together (0 = no limit).
     * Valves that set it must agree, since they share one engine.
     */
    public void setMaxPoolProcesses(String value) {
        checkConfigurable("maxPoolProcesses");
        maxPoolProcesses = value;
    }

    public String getMaxPoolProcesses() {
        return maxPoolProcesses;
    }

    /**
     * {@code statusPath}: the engine's status page, JSON, metrics and probes (default: off). An
     * engine setting: valves that set the status settings must agree.
     */
    public void setStatusPath(String value) {
        checkConfigurable(StatusConfig.STATUS_PATH);
        statusPath = value;
    }

    public String getStatusPath() {
        return statusPath;
    }

    /** {@code statusAllow}: the client networks that may read the status (default {@code 127.0.0.0/8,::1}). */
    public void setStatusAllow(String value) {
        checkConfigurable(StatusConfig.STATUS_ALLOW);
        statusAllow = value;
    }

    public String getStatusAllow() {
        return statusAllow;
    }

    /** {@code statusPerProcessMetrics}: per-pid metric series too (default false). */
    public void setStatusPerProcessMetrics(String value) {
        checkConfigurable(StatusConfig.STATUS_PER_PROCESS_METRICS);
        statusPerProcessMetrics = value;
    }

    public String getStatusPerProcessMetrics() {
        return statusPerProcessMetrics;
    }

    public void setName(String value) { set("name", value); }
    public String getName() { return settings.getName(); }

    public void setAppRoot(String value) { set("appRoot", value); }
    public String getAppRoot() { return settings.getAppRoot(); }

    public void setType(String value) { set("type", value); }
    public String getType() { return settings.getType(); }

    public void setEntryPoint(String value) { set("entryPoint", value); }
    public String getEntryPoint() { return settings.getEntryPoint(); }

    public void setCommand(String value) { set("command", value); }
    public String getCommand() { return settings.getCommand(); }

    public void setEnv(String value) { set("env", value); }
    public String getEnv() { return settings.getEnv(); }

    public void setPathPrefix(String value) { set("pathPrefix", value); }
    public String getPathPrefix() { return settings.getPathPrefix(); }

    public void setVirtualHosts(String value) { set("virtualHosts", value); }
    public String getVirtualHosts() { return settings.getVirtualHosts(); }

    public void setMinProcesses(String value) { set("minProcesses", value); }
    public String getMinProcesses() { return settings.getMinProcesses(); }

    public void setMaxProcesses(String value) { set("maxProcesses", value); }
    public String getMaxProcesses() { return settings.getMaxProcesses(); }

    public void setConcurrency(String value) { set("concurrency", value); }
    public String getConcurrency() { return settings.getConcurrency(); }

    public void setMaxQueue(String value) { set("maxQueue", value); }
    public String getMaxQueue() { return settings.getMaxQueue(); }

    public void setQueueTimeout(String value) { set("queueTimeout", value); }
    public String getQueueTimeout() { return settings.getQueueTimeout(); }

    public void setSpawnTimeout(String value) { set("spawnTimeout", value); }
    public String getSpawnTimeout() { return settings.getSpawnTimeout(); }

    public void setShutdownTimeout(String value) { set("shutdownTimeout", value); }
    public String getShutdownTimeout() { return settings.getShutdownTimeout(); }

    public void setListen(String value) { set("listen", value); }
    public String getListen() { return settings.getListen(); }

    public void setIdleTimeout(String value) { set("idleTimeout", value); }
    public String getIdleTimeout() { return settings.getIdleTimeout(); }

    public void setMaxRequests(String value) { set("maxRequests", value); }
    public String getMaxRequests() { return settings.getMaxRequests(); }

    public void setMaxMemory(String value) { set("maxMemory", value); }
    public String getMaxMemory() { return settings.getMaxMemory(); }

    public void setMaxRequestTime(String value) { set("maxRequestTime", value); }
    public String getMaxRequestTime() { return settings.getMaxRequestTime(); }

    public void setHealthPath(String value) { set("healthPath", value); }
    public String getHealthPath() { return settings.getHealthPath(); }

    public void setHealthInterval(String value) { set("healthInterval", value); }
    public String getHealthInterval() { return settings.getHealthInterval(); }

    public void setHealthFastInterval(String value) { set("healthFastInterval", value); }
    public String getHealthFastInterval() { return settings.getHealthFastInterval(); }

    public void setHealthDownInterval(String value) { set("healthDownInterval", value); }
    public String getHealthDownInterval() { return settings.getHealthDownInterval(); }

    public void setHealthRise(String value) { set("healthRise", value); }
    public String getHealthRise() { return settings.getHealthRise(); }

    public void setHealthFall(String value) { set("healthFall", value); }
    public String getHealthFall() { return settings.getHealthFall(); }

    public void setHealthTimeout(String value) { set("healthTimeout", value); }
    public String getHealthTimeout() { return settings.getHealthTimeout(); }

    public void setErrorLimit(String value) { set("errorLimit", value); }
    public String getErrorLimit() { return settings.getErrorLimit(); }

    public void setRetries(String value) { set("retries", value); }
    public String getRetries() { return settings.getRetries(); }

    public void setSlowStart(String value) { set("slowStart", value); }
    public String getSlowStart() { return settings.getSlowStart(); }

    public void setStickySessions(String value) { set("stickySessions", value); }
    public String getStickySessions() { return settings.getStickySessions(); }

    public void setStickyCookie(String value) { set("stickyCookie", value); }
    public String getStickyCookie() { return settings.getStickyCookie(); }

    public void setFaults(String value) { set("faults", value); }
    public String getFaults() { return settings.getFaults(); }

    public void setFaultSeed(String value) { set("faultSeed", value); }
    public String getFaultSeed() { return settings.getFaultSeed(); }

    @Override
    public String toString() {
        return "CorralValve[name=" + settings.getName() + ", container="
                + (getContainer() == null ? "-" : getContainer().getName()) + "]";
    }
}
