package dev.corral.config;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import dev.corral.config.ConfigException.Problem;

/**
 * The settings bag of one app, as filled by a container: Jetty XML
 * ({@code <Set name="maxProcesses">4</Set>}) and Tomcat's digester
 * ({@code <Valve maxProcesses="4">}) call the String setters by reflection, and adapters may use
 * {@link #set(String, String)} for attributes they receive by name. Setters only store the raw
 * value ({@code null} = not set); nothing is parsed or checked until {@link #toConfig()}, which
 * reports every problem at once (STYLE.md rules 3 and 4).
 *
 * <p>The settings, their defaults and what each accepts are the {@link Setting} table (the
 * README's settings table is made from it).
 *
 * <p>To add a setting: add a row to the {@link Setting} table (its place there is its documented
 * order), the component and {@code DEFAULT_*} constant to {@link AppConfig} with its check in
 * {@code AppConfigRules}, one line to {@code AppConfigBinder}, and a String setter/getter pair
 * here. Storage, {@link #names()}, {@link #set}, {@link #get} and {@link #toString()} follow the
 * table; the tests that hold the README, the Jetty module files, the Tomcat valve and the demo
 * to the table then say what else to regenerate.
 *
 * <p>Not thread-safe: a container fills it from one thread before start; the adapter owns it.
 */
public final class AppSettings {

    private final Map<Setting, String> values = new EnumMap<>(Setting.class);

    /** The app setting names in documented order, e.g. {@code name, appRoot, type, ...}. */
    public static List<String> names() {
        return Setting.names();
    }

    /**
     * Sets a setting by its config name; {@code null} unsets it.
     *
     * @throws ConfigException naming the unknown setting, with the one it most likely means
     *                         ({@link #unknown})
     */
    public void set(String name, String value) {
        Setting s = Setting.appSetting(name).orElseThrow(() -> new ConfigException(List.of(unknown(name, value))));
        put(s, value);
    }

    /**
     * The problem of a name that is no app setting, e.g. {@code 'maxProces' is not an app setting;
     * did you mean 'maxProcesses'? (set to [4])}: adapters render it in their users' spelling.
     */
    public static Problem unknown(String name, String value) {
        return Problem.unknown(String.valueOf(name), value, "an app setting", names());
    }

    /**
     * The raw value of a setting by its config name, or {@code null} if not set.
     *
     * @throws IllegalArgumentException if no setting has that name
     */
    public String get(String name) {
        Setting s = Setting.appSetting(name).orElseThrow(() -> new IllegalArgumentException(
                "Unknown setting [" + name + "], expected one of: " + String.join(", ", names())));
        return values.get(s);
    }

    /** Whether no setting is set. */
    public boolean isEmpty() {
        return values.isEmpty();
    }

    /**
     * Parses and checks every setting.
     *
     * @throws ConfigException listing every invalid or missing setting
     */
    public AppConfig toConfig() {
        return AppConfigBinder.bind(new EnumMap<>(values));
    }

    private void put(Setting s, String value) {
        if (value == null) {
            values.remove(s);
        } else {
            values.put(s, value);
        }
    }

    // One String setter/getter pair per setting: containers find them by reflection.

    public void setName(String value) { put(Setting.NAME, value); }
    public String getName() { return values.get(Setting.NAME); }

    public void setAppRoot(String value) { put(Setting.APP_ROOT, value); }
    public String getAppRoot() { return values.get(Setting.APP_ROOT); }

    public void setType(String value) { put(Setting.TYPE, value); }
    public String getType() { return values.get(Setting.TYPE); }

    public void setEntryPoint(String value) { put(Setting.ENTRY_POINT, value); }
    public String getEntryPoint() { return values.get(Setting.ENTRY_POINT); }

    public void setCommand(String value) { put(Setting.COMMAND, value); }
    public String getCommand() { return values.get(Setting.COMMAND); }

    public void setEnv(String value) { put(Setting.ENV, value); }
    public String getEnv() { return values.get(Setting.ENV); }

    public void setEnvDrop(String value) { put(Setting.ENV_DROP, value); }
    public String getEnvDrop() { return values.get(Setting.ENV_DROP); }

    public void setUser(String value) { put(Setting.USER, value); }
    public String getUser() { return values.get(Setting.USER); }

    public void setGroup(String value) { put(Setting.GROUP, value); }
    public String getGroup() { return values.get(Setting.GROUP); }

    public void setAllowRoot(String value) { put(Setting.ALLOW_ROOT, value); }
    public String getAllowRoot() { return values.get(Setting.ALLOW_ROOT); }

    public void setPathPrefix(String value) { put(Setting.PATH_PREFIX, value); }
    public String getPathPrefix() { return values.get(Setting.PATH_PREFIX); }

    public void setVirtualHosts(String value) { put(Setting.VIRTUAL_HOSTS, value); }
    public String getVirtualHosts() { return values.get(Setting.VIRTUAL_HOSTS); }

    public void setStaticDir(String value) { put(Setting.STATIC_DIR, value); }
    public String getStaticDir() { return values.get(Setting.STATIC_DIR); }

    public void setMinProcesses(String value) { put(Setting.MIN_PROCESSES, value); }
    public String getMinProcesses() { return values.get(Setting.MIN_PROCESSES); }

    public void setMaxProcesses(String value) { put(Setting.MAX_PROCESSES, value); }
    public String getMaxProcesses() { return values.get(Setting.MAX_PROCESSES); }

    public void setConcurrency(String value) { put(Setting.CONCURRENCY, value); }
    public String getConcurrency() { return values.get(Setting.CONCURRENCY); }

    public void setMaxQueue(String value) { put(Setting.MAX_QUEUE, value); }
    public String getMaxQueue() { return values.get(Setting.MAX_QUEUE); }

    public void setQueueTimeout(String value) { put(Setting.QUEUE_TIMEOUT, value); }
    public String getQueueTimeout() { return values.get(Setting.QUEUE_TIMEOUT); }

    public void setSpawnTimeout(String value) { put(Setting.SPAWN_TIMEOUT, value); }
    public String getSpawnTimeout() { return values.get(Setting.SPAWN_TIMEOUT); }

    public void setShutdownTimeout(String value) { put(Setting.SHUTDOWN_TIMEOUT, value); }
    public String getShutdownTimeout() { return values.get(Setting.SHUTDOWN_TIMEOUT); }

    public void setListen(String value) { put(Setting.LISTEN, value); }
    public String getListen() { return values.get(Setting.LISTEN); }

    public void setIdleTimeout(String value) { put(Setting.IDLE_TIMEOUT, value); }
    public String getIdleTimeout() { return values.get(Setting.IDLE_TIMEOUT); }

    public void setMaxRequests(String value) { put(Setting.MAX_REQUESTS, value); }
    public String getMaxRequests() { return values.get(Setting.MAX_REQUESTS); }

    public void setResponseBufferSize(String value) { put(Setting.RESPONSE_BUFFER_SIZE, value); }
    public String getResponseBufferSize() { return values.get(Setting.RESPONSE_BUFFER_SIZE); }
    public void setResponseBufferMax(String value) { put(Setting.RESPONSE_BUFFER_MAX, value); }
    public String getResponseBufferMax() { return values.get(Setting.RESPONSE_BUFFER_MAX); }
    public void setBufferRequestBody(String value) { put(Setting.BUFFER_REQUEST_BODY, value); }
    public String getBufferRequestBody() { return values.get(Setting.BUFFER_REQUEST_BODY); }
    public void setMaxRequestBody(String value) { put(Setting.MAX_REQUEST_BODY, value); }
    public String getMaxRequestBody() { return values.get(Setting.MAX_REQUEST_BODY); }
    public void setClientBodyTimeout(String value) { put(Setting.CLIENT_BODY_TIMEOUT, value); }
    public String getClientBodyTimeout() { return values.get(Setting.CLIENT_BODY_TIMEOUT); }
    public void setBufferDir(String value) { put(Setting.BUFFER_DIR, value); }
    public String getBufferDir() { return values.get(Setting.BUFFER_DIR); }
    public void setMaxMemory(String value) { put(Setting.MAX_MEMORY, value); }
    public String getMaxMemory() { return values.get(Setting.MAX_MEMORY); }

    public void setMaxRequestTime(String value) { put(Setting.MAX_REQUEST_TIME, value); }
    public String getMaxRequestTime() { return values.get(Setting.MAX_REQUEST_TIME); }
    public void setConnectTimeout(String value) { put(Setting.CONNECT_TIMEOUT, value); }
    public String getConnectTimeout() { return values.get(Setting.CONNECT_TIMEOUT); }
    public void setResponseTimeout(String value) { put(Setting.RESPONSE_TIMEOUT, value); }
    public String getResponseTimeout() { return values.get(Setting.RESPONSE_TIMEOUT); }
    public void setUpgradeIdleTimeout(String value) { put(Setting.UPGRADE_IDLE_TIMEOUT, value); }
    public String getUpgradeIdleTimeout() { return values.get(Setting.UPGRADE_IDLE_TIMEOUT); }

    public void setHealthPath(String value) { put(Setting.HEALTH_PATH, value); }
    public String getHealthPath() { return values.get(Setting.HEALTH_PATH); }

    public void setHealthInterval(String value) { put(Setting.HEALTH_INTERVAL, value); }
    public String getHealthInterval() { return values.get(Setting.HEALTH_INTERVAL); }

    public void setHealthFastInterval(String value) { put(Setting.HEALTH_FAST_INTERVAL, value); }
    public String getHealthFastInterval() { return values.get(Setting.HEALTH_FAST_INTERVAL); }

    public void setHealthDownInterval(String value) { put(Setting.HEALTH_DOWN_INTERVAL, value); }
    public String getHealthDownInterval() { return values.get(Setting.HEALTH_DOWN_INTERVAL); }

    public void setHealthRise(String value) { put(Setting.HEALTH_RISE, value); }
    public String getHealthRise() { return values.get(Setting.HEALTH_RISE); }

    public void setHealthFall(String value) { put(Setting.HEALTH_FALL, value); }
    public String getHealthFall() { return values.get(Setting.HEALTH_FALL); }

    public void setHealthTimeout(String value) { put(Setting.HEALTH_TIMEOUT, value); }
    public String getHealthTimeout() { return values.get(Setting.HEALTH_TIMEOUT); }

    public void setErrorLimit(String value) { put(Setting.ERROR_LIMIT, value); }
    public String getErrorLimit() { return values.get(Setting.ERROR_LIMIT); }

    public void setRetries(String value) { put(Setting.RETRIES, value); }
    public String getRetries() { return values.get(Setting.RETRIES); }

    public void setSlowStart(String value) { put(Setting.SLOW_START, value); }
    public String getSlowStart() { return values.get(Setting.SLOW_START); }

    public void setStickySessions(String value) { put(Setting.STICKY_SESSIONS, value); }
    public String getStickySessions() { return values.get(Setting.STICKY_SESSIONS); }

    public void setStickyCookie(String value) { put(Setting.STICKY_COOKIE, value); }
    public String getStickyCookie() { return values.get(Setting.STICKY_COOKIE); }

    public void setPrefetch(String value) { put(Setting.PREFETCH, value); }
    public String getPrefetch() { return values.get(Setting.PREFETCH); }

    public void setDetailedErrors(String value) { put(Setting.DETAILED_ERRORS, value); }
    public String getDetailedErrors() { return values.get(Setting.DETAILED_ERRORS); }

    public void setErrorPages(String value) { put(Setting.ERROR_PAGES, value); }
    public String getErrorPages() { return values.get(Setting.ERROR_PAGES); }

    public void setFaults(String value) { put(Setting.FAULTS, value); }
    public String getFaults() { return values.get(Setting.FAULTS); }

    public void setFaultSeed(String value) { put(Setting.FAULT_SEED, value); }
    public String getFaultSeed() { return values.get(Setting.FAULT_SEED); }

    /** The settings that are set, raw, in documented order, e.g. {@code AppSettings[name=blog, maxProcesses=4]}. */
    @Override
    public String toString() {
        StringJoiner s = new StringJoiner(", ", "AppSettings[", "]");
        values.forEach((setting, value) -> s.add(setting + "=" + value));
        return s.toString();
    }
}
