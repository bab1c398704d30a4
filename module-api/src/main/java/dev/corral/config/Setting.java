package dev.corral.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The table of app settings: config name and what each accepts, in documented order. This is
 * the one list to extend when a setting is added (see {@link AppSettings} for the checklist).
 * The {@code allowed} texts are API: tests pin them and operators read them.
 */
enum Setting {
    NAME("name", "a name of letters, digits, '.', '_' and '-'"),
    APP_ROOT("appRoot", "an existing directory"),
    TYPE("type", "one of wsgi, node, generic"),
    ENTRY_POINT("entryPoint", "module:callable for wsgi or a script relative to appRoot for node"),
    COMMAND("command", "a command line such as python3 server.py"),
    ENV("env", "NAME=value pairs separated by whitespace, NAME matching [A-Za-z_][A-Za-z0-9_]*"),
    PATH_PREFIX("pathPrefix", "a path starting with '/' without whitespace, '?' or '#'"),
    VIRTUAL_HOSTS("virtualHosts", "host names such as example.com or *.example.com, separated by commas or spaces"),
    MIN_PROCESSES("minProcesses", "an integer 0..maxProcesses"),
    MAX_PROCESSES("maxProcesses", "an integer 1.." + AppConfig.MAX_PROCESSES_LIMIT),
    CONCURRENCY("concurrency", "an integer 0.." + AppConfig.CONCURRENCY_LIMIT + " (0 = unlimited)"),
    MAX_QUEUE("maxQueue", "an integer 0.." + AppConfig.MAX_QUEUE_LIMIT),
    QUEUE_TIMEOUT("queueTimeout", "a duration > 0, such as 250ms, 30s, 5m or 1h"),
    SPAWN_TIMEOUT("spawnTimeout", "a duration > 0, such as 250ms, 30s, 5m or 1h"),
    SHUTDOWN_TIMEOUT("shutdownTimeout", "a duration >= 0, such as 250ms, 30s, 5m or 1h"),
    LISTEN("listen", "one of unix, tcp"),
    IDLE_TIMEOUT("idleTimeout", "a duration >= 0, such as 30s or 5m (0 = never)"),
    MAX_REQUESTS("maxRequests", "an integer 0.." + Integer.MAX_VALUE + " (0 = off)"),
    MAX_MEMORY("maxMemory", Sizes.ALLOWED),
    MAX_REQUEST_TIME("maxRequestTime", "a duration >= 0, such as 30s or 5m (0 = off)"),
    HEALTH_PATH("healthPath", "a path starting with '/' without whitespace or '#'"),
    HEALTH_INTERVAL("healthInterval", "a duration > 0, such as 500ms or 2s"),
    HEALTH_FAST_INTERVAL("healthFastInterval", "a duration > 0, such as 500ms or 2s"),
    HEALTH_DOWN_INTERVAL("healthDownInterval", "a duration > 0, such as 500ms or 2s"),
    HEALTH_RISE("healthRise", "an integer 1..100"),
    HEALTH_FALL("healthFall", "an integer 1..100"),
    HEALTH_TIMEOUT("healthTimeout", "a duration > 0, such as 500ms or 2s"),
    ERROR_LIMIT("errorLimit", "an integer 0..100000 (0 = off)"),
    RETRIES("retries", "an integer 0..100"),
    SLOW_START("slowStart", "a duration >= 0, such as 30s (0 = off)"),
    STICKY_SESSIONS("stickySessions", "true or false"),
    STICKY_COOKIE("stickyCookie", "a cookie name (letters, digits and !#$%&'*+.^_`|~-)"),
    FAULTS("faults", dev.corral.fault.FaultSpec.ALLOWED),
    FAULT_SEED("faultSeed", "an integer (default: random, logged at start-up)");

    private static final List<String> NAMES =
            Arrays.stream(values()).map(Setting::configName).toList();

    private final String configName;
    private final String allowed;

    Setting(String configName, String allowed) {
        this.configName = configName;
        this.allowed = allowed;
    }

    /** The spelling in configuration, e.g. {@code maxProcesses}. */
    String configName() {
        return configName;
    }

    /** What the setting accepts, worded to follow "must be". */
    String allowed() {
        return allowed;
    }

    /** A problem with this setting's standard allowed text. */
    ConfigException.Problem problem(String value) {
        return new ConfigException.Problem(configName, value, allowed);
    }

    /** A problem with a more specific allowed text. */
    ConfigException.Problem problem(String value, String specificAllowed) {
        return new ConfigException.Problem(configName, value, specificAllowed);
    }

    static List<String> names() {
        return NAMES;
    }

    static Optional<Setting> byName(String configName) {
        return Arrays.stream(values()).filter(s -> s.configName.equals(configName)).findFirst();
    }

    @Override
    public String toString() {
        return configName;
    }
}
