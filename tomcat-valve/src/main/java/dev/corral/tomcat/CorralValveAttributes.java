package dev.corral.tomcat;

import dev.corral.config.AppConfig;
import dev.corral.config.AppSettings;
import dev.corral.config.ConfigException;
import dev.corral.config.ConfigException.Problem;
import dev.corral.config.PoolLimits;
import dev.corral.config.Setting;
import dev.corral.config.StatusConfig;

import org.apache.catalina.LifecycleState;
import org.apache.catalina.valves.ValveBase;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The attributes of {@link CorralValve}, as Tomcat's digester sets them from {@code server.xml}:
 * every setting of {@link Setting} (the app's, the same names, defaults and checks as on Jetty,
 * and the engine's: {@code runDir}, {@code maxPoolProcesses} and the status settings). Setters
 * only store the raw text; {@link #bind()} checks everything at start and names every bad
 * setting, and every attribute the valve does not know (Tomcat's digester would only warn about
 * those). Once the valve starts the setters throw {@link IllegalStateException}.
 *
 * <p>Thread-safety: written before start by Tomcat's digester (one thread), read by the valve's
 * start on a thread that Tomcat's lifecycle orders after it.
 */
public abstract class CorralValveAttributes extends ValveBase {
    private final AppSettings settings = new AppSettings();
    private final Map<String, String> unknownAttributes = new LinkedHashMap<>();
    private String runDir;
    private String maxPoolProcesses;
    private String statusPath;
    private String statusAllow;
    private String statusPerProcessMetrics;
    private String agentPort;
    private String agentBind;

    /**
     * The attributes as checked at start.
     *
     * @param runDir the engine's socket directory, or null for a temporary one
     * @param poolLimit {@code maxPoolProcesses} if the valve sets it, else null
     * @param status the status settings if the valve sets any of them, else null (any running
     *     engine's are then taken)
     */
    protected record Bound(AppConfig app, String runDir, Integer poolLimit, StatusConfig status) {
    }

    protected CorralValveAttributes() {
        super(true);
    }

    /**
     * Every app setting checked at once, together with every attribute this valve does not know.
     *
     * @throws ConfigException naming each bad setting, its value and what it allows
     */
    protected Bound bind() {
        List<Problem> problems = new ArrayList<>();
        AppConfig config = null;
        try {
            config = settings.toConfig();
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        Integer limit = PoolLimits.maxPoolProcesses(maxPoolProcesses, problems);
        boolean statusSet = statusPath != null || statusAllow != null || statusPerProcessMetrics != null
                || agentPort != null || agentBind != null;
        StatusConfig status = StatusConfig.bind(statusPath, statusAllow, statusPerProcessMetrics, agentPort, agentBind,
                problems);
        unknownAttributes.forEach((name, value) -> problems.add(
                Problem.unknown(name, value, "an attribute of CorralValve", attributeNames())));
        ConfigException.throwIfAny(problems);
        return new Bound(config, runDir, maxPoolProcesses == null ? null : (limit == null ? 0 : limit),
                statusSet ? status : null);
    }

    /** The valve's attributes: every setting of the table, the app's and the engine's. */
    static List<String> attributeNames() {
        return Arrays.stream(Setting.values()).map(Setting::configName).toList();
    }

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
        if (name.equals(StatusConfig.AGENT_PORT)) {
            setAgentPort(value);
            return true;
        }
        if (name.equals(StatusConfig.AGENT_BIND)) {
            setAgentBind(value);
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

    /** {@code agentPort}: the HAProxy agent-check port (default 0: off); an engine setting, like statusPath. */
    public void setAgentPort(String value) {
        checkConfigurable(StatusConfig.AGENT_PORT);
        agentPort = value;
    }

    public String getAgentPort() {
        return agentPort;
    }

    /** {@code agentBind}: the address the agent-check port listens on (default 127.0.0.1). */
    public void setAgentBind(String value) {
        checkConfigurable(StatusConfig.AGENT_BIND);
        agentBind = value;
    }

    public String getAgentBind() {
        return agentBind;
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

    public void setEnvDrop(String value) { set("envDrop", value); }
    public String getEnvDrop() { return settings.getEnvDrop(); }

    public void setUser(String value) { set("user", value); }
    public String getUser() { return settings.getUser(); }

    public void setGroup(String value) { set("group", value); }
    public String getGroup() { return settings.getGroup(); }

    public void setAllowRoot(String value) { set("allowRoot", value); }
    public String getAllowRoot() { return settings.getAllowRoot(); }

    public void setPathPrefix(String value) { set("pathPrefix", value); }
    public String getPathPrefix() { return settings.getPathPrefix(); }

    public void setVirtualHosts(String value) { set("virtualHosts", value); }
    public String getVirtualHosts() { return settings.getVirtualHosts(); }
    public void setStaticDir(String value) { set("staticDir", value); }
    public String getStaticDir() { return settings.getStaticDir(); }

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

    public void setConnectTimeout(String value) { set("connectTimeout", value); }
    public String getConnectTimeout() { return settings.getConnectTimeout(); }

    public void setResponseTimeout(String value) { set("responseTimeout", value); }
    public String getResponseTimeout() { return settings.getResponseTimeout(); }

    public void setUpgradeIdleTimeout(String value) { set("upgradeIdleTimeout", value); }
    public String getUpgradeIdleTimeout() { return settings.getUpgradeIdleTimeout(); }

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

    public void setPrefetch(String value) { set("prefetch", value); }
    public String getPrefetch() { return settings.getPrefetch(); }

    public void setDetailedErrors(String value) { set("detailedErrors", value); }
    public String getDetailedErrors() { return settings.getDetailedErrors(); }

    public void setErrorPages(String value) { set("errorPages", value); }
    public String getErrorPages() { return settings.getErrorPages(); }

    public void setResponseBufferSize(String value) { set("responseBufferSize", value); }
    public String getResponseBufferSize() { return settings.getResponseBufferSize(); }

    public void setResponseBufferMax(String value) { set("responseBufferMax", value); }
    public String getResponseBufferMax() { return settings.getResponseBufferMax(); }

    public void setBufferRequestBody(String value) { set("bufferRequestBody", value); }
    public String getBufferRequestBody() { return settings.getBufferRequestBody(); }

    public void setMaxRequestBody(String value) { set("maxRequestBody", value); }
    public String getMaxRequestBody() { return settings.getMaxRequestBody(); }

    public void setClientBodyTimeout(String value) { set("clientBodyTimeout", value); }
    public String getClientBodyTimeout() { return settings.getClientBodyTimeout(); }

    public void setBufferDir(String value) { set("bufferDir", value); }
    public String getBufferDir() { return settings.getBufferDir(); }

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
