package dev.corral.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The one table of Corral's settings: every app setting and every engine setting, in documented
 * order, with its default, a one-line meaning and what it accepts. Everything that lists the
 * settings is made from this table or checked against it by a test: the binders and their error
 * messages, the README's settings table, the Jetty module's {@code [ini-template]} and
 * {@code etc/corral.xml}, the Tomcat valve's attributes and the demo's {@code --set} flags. To
 * add a setting, add its row here first (see {@link AppSettings} for the rest of the checklist).
 *
 * <p>The {@code allowed} texts are API: tests pin them and operators read them in errors.
 * Immutable.
 */
public enum Setting {
    NAME(Scope.APP, "name", null, "(required)", "blog",
            "the app's name, [A-Za-z0-9._-]+: used in logs, CORRAL_APP and its JMX names",
            "a name of letters, digits, '.', '_' and '-'"),
    APP_ROOT(Scope.APP, "appRoot", null, "(required)", "/srv/blog",
            "the app's directory (must exist); its processes start there",
            "an existing directory"),
    TYPE(Scope.APP, "type", "wsgi", null, null,
            "wsgi (Python WSGI through the bundled loader), node (node <entryPoint>) or generic (command)",
            "one of wsgi, node, generic"),
    ENTRY_POINT(Scope.APP, "entryPoint", null, "app:application (wsgi), app.js (node)", "app:application",
            "wsgi: module:callable; node: the script, relative to appRoot",
            "module:callable for wsgi or a script relative to appRoot for node"),
    COMMAND(Scope.APP, "command", null, "(none)", "gunicorn --bind unix:$CORRAL_SOCKET app:app",
            "generic: the server's command line (shell-like quoting; Corral expands $CORRAL_SOCKET, $PORT and"
                    + " ${NAME}); it listens on $CORRAL_SOCKET, or on 127.0.0.1:$PORT with listen=tcp",
            "a command line such as python3 server.py"),
    ENV(Scope.APP, "env", null, "(none)", "APP_ENV=production",
            "extra environment variables: NAME=value pairs separated by spaces (A=1 B=\"two words\")",
            "NAME=value pairs separated by whitespace, NAME matching [A-Za-z_][A-Za-z0-9_]*"),
    ENV_DROP(Scope.APP, "envDrop", null, "(none)", "AWS_* DB_PASSWORD",
            "variables of the container's environment that app processes do not inherit: names, or PREFIX* for"
                    + " all names that start with PREFIX, separated by commas or spaces; env may still set them",
            "names or PREFIX* patterns separated by commas or spaces, each NAME matching [A-Za-z_][A-Za-z0-9_]*"),
    USER(Scope.APP, "user", null, "(the container's user)", "www-data",
            "when the container runs as root, the user the app's processes run as (see Running apps as another"
                    + " user); otherwise only the container's own user",
            "a user name or uid known to the system"),
    GROUP(Scope.APP, "group", null, "(the user's primary group)", "www-data",
            "the group the app's processes run as (with root, as user and group need)",
            "a group name or gid known to the system"),
    ALLOW_ROOT(Scope.APP, "allowRoot", "false", null, null,
            "true: the app's processes may run as root (a container running as root with no user set, or"
                    + " user=root); false: start fails instead",
            "true or false"),
    PATH_PREFIX(Scope.APP, "pathPrefix", "/", null, null,
            "requests under this path go to the app; the longest matching prefix wins",
            "a path starting with '/' without whitespace, '?' or '#'"),
    VIRTUAL_HOSTS(Scope.APP, "virtualHosts", null, "(all)", "example.com,*.example.com",
            "host names the app serves, comma separated; *.example.com for subdomains",
            "host names such as example.com or *.example.com, separated by commas or spaces"),
    STATIC_DIR(Scope.APP, "staticDir", null, "public (when <appRoot>/public exists)", "public",
            "files under this directory (relative to appRoot) are served by the container itself to GET and HEAD"
                    + " under pathPrefix, never by a process (see Static files); none = off",
            "none, or an existing directory (absolute, or relative to appRoot)"),
    MIN_PROCESSES(Scope.APP, "minProcesses", "1", null, null,
            "processes kept running, 0..maxProcesses",
            "an integer 0..maxProcesses"),
    MAX_PROCESSES(Scope.APP, "maxProcesses", "6", null, null,
            "upper bound on processes, 1.." + AppConfig.MAX_PROCESSES_LIMIT,
            "an integer 1.." + AppConfig.MAX_PROCESSES_LIMIT),
    CONCURRENCY(Scope.APP, "concurrency", "1", null, null,
            "requests one process serves at once; 0 = unlimited (Node-style servers)",
            "an integer 0.." + AppConfig.CONCURRENCY_LIMIT + " (0 = unlimited)"),
    MAX_QUEUE(Scope.APP, "maxQueue", "100", null, null,
            "requests that may wait for a process; past it: 503 with Retry-After at once",
            "an integer 0.." + AppConfig.MAX_QUEUE_LIMIT),
    QUEUE_TIMEOUT(Scope.APP, "queueTimeout", "60s", null, null,
            "a request waiting longer for a process gets 503",
            "a duration > 0, such as 250ms, 30s, 5m or 1h"),
    SPAWN_TIMEOUT(Scope.APP, "spawnTimeout", "60s", null, null,
            "a process must listen within this time, or the spawn fails",
            "a duration > 0, such as 250ms, 30s, 5m or 1h"),
    SHUTDOWN_TIMEOUT(Scope.APP, "shutdownTimeout", "30s", null, null,
            "a stopping process gets SIGTERM, then SIGKILL after this time",
            "a duration >= 0, such as 250ms, 30s, 5m or 1h"),
    LISTEN(Scope.APP, "listen", "unix", null, null,
            "unix: a private socket $CORRAL_SOCKET in a 0700 directory; tcp: 127.0.0.1:$PORT",
            "one of unix, tcp"),
    IDLE_TIMEOUT(Scope.APP, "idleTimeout", "5m", null, null,
            "processes above minProcesses that served nothing this long are stopped; 0 = never",
            "a duration >= 0, such as 30s or 5m (0 = never)"),
    MAX_REQUESTS(Scope.APP, "maxRequests", "0", null, null,
            "a process is recycled after serving this many requests; 0 = off",
            "an integer 0.." + Integer.MAX_VALUE + " (0 = off)"),
    MAX_MEMORY(Scope.APP, "maxMemory", "0", null, null,
            "a process whose resident set (its whole process tree, from /proc) exceeds this, e.g. 512MB,"
                    + " is recycled; 0 = off",
            Sizes.ALLOWED),
    MAX_REQUEST_TIME(Scope.APP, "maxRequestTime", "0", null, null,
            "a request running longer kills its process and gets 504 request_timeout; 0 = off",
            "a duration >= 0, such as 30s or 5m (0 = off)"),
    CONNECT_TIMEOUT(Scope.APP, "connectTimeout", "5s", null, null,
            "connecting to a process may take this long; past it the connect failed: the request tries another"
                    + " process (retries), at last 502 connect_failed (see Timeouts)",
            "a duration > 0, such as 250ms, 5s or 1m"),
    RESPONSE_TIMEOUT(Scope.APP, "responseTimeout", "60s", null, null,
            "from the request written to the first byte of the app's answer; past it: 504 response_timeout, the"
                    + " connection closed, the process kept (see Timeouts); 0 = off",
            "a duration >= 0, such as 30s or 5m (0 = off)"),
    UPGRADE_IDLE_TIMEOUT(Scope.APP, "upgradeIdleTimeout", "10m", null, null,
            "an upgraded connection (a WebSocket) that carried no byte either way this long is closed (see"
                    + " WebSockets); 0 = never",
            "a duration >= 0, such as 30s or 10m (0 = never)"),
    HEALTH_PATH(Scope.APP, "healthPath", null, "(none)", "/health",
            "the path checked with GET (2xx/3xx = healthy); none = a socket connect is the check",
            "a path starting with '/' without whitespace or '#'"),
    HEALTH_INTERVAL(Scope.APP, "healthInterval", "2s", null, null,
            "checks of a healthy process (HAProxy's inter)",
            "a duration > 0, such as 500ms or 2s"),
    HEALTH_FAST_INTERVAL(Scope.APP, "healthFastInterval", "500ms", null, null,
            "checks while a process changes state: starting, or failing but not yet down (fastinter)",
            "a duration > 0, such as 500ms or 2s"),
    HEALTH_DOWN_INTERVAL(Scope.APP, "healthDownInterval", "5s", null, null,
            "checks of a process that is down and finishing its requests (downinter)",
            "a duration > 0, such as 500ms or 2s"),
    HEALTH_RISE(Scope.APP, "healthRise", "2", null, null,
            "passed checks in a row before a new process takes traffic (with healthPath)",
            "an integer 1..100"),
    HEALTH_FALL(Scope.APP, "healthFall", "3", null, null,
            "failed checks in a row that mark a process down",
            "an integer 1..100"),
    HEALTH_TIMEOUT(Scope.APP, "healthTimeout", "2s", null, null,
            "how long one check may take",
            "a duration > 0, such as 500ms or 2s"),
    ERROR_LIMIT(Scope.APP, "errorLimit", "10", null, null,
            "refused connects, unanswered requests or 5xx answers in a row that mark a process down; 0 = off",
            "an integer 0..100000 (0 = off)"),
    RETRIES(Scope.APP, "retries", "3", null, null,
            "a request whose connect failed, or (GET, HEAD, PUT, DELETE, OPTIONS, TRACE without a body) that a"
                    + " process closed without answering, tries this many other processes",
            "an integer 0..100"),
    SLOW_START(Scope.APP, "slowStart", "0", null, null,
            "a new process's share of traffic ramps up over this time; 0 = off",
            "a duration >= 0, such as 30s (0 = off)"),
    STICKY_SESSIONS(Scope.APP, "stickySessions", "false", null, null,
            "true: a request with the stickyCookie goes to the process that set it (see Sticky sessions)",
            "true or false"),
    STICKY_COOKIE(Scope.APP, "stickyCookie", "corral_route", null, null,
            "the sticky sessions' cookie name",
            "a cookie name (letters, digits and !#$%&'*+.^_`|~-)"),
    PREFETCH(Scope.APP, "prefetch", "0", null, null,
            "a process whose slots are all busy may take one request more, which waits in its socket so that the"
                    + " process finds it at once (as behind nginx without max_conns), while the app's recent service"
                    + " time stays below this and its typical request takes at least 0.5 ms; never a request with a body, an upgrade, a retry or a sticky one (see"
                    + " Prefetch); 0 = off",
            "a duration >= 0, such as 20ms (0 = off), with a concurrency >= 1"),
    DETAILED_ERRORS(Scope.APP, "detailedErrors", "false", null, null,
            "true: Corral's own error answers (502, 503, 504, 408, 413) show the failure's details (pids, socket"
                    + " paths, the app's last output); false: status, reason code and request id only (see Request"
                    + " failures); the log always has the details",
            "true or false"),
    ERROR_PAGES(Scope.APP, "errorPages", null, "(none)", "503=/srv/blog/errors/503.html",
            "status=file pairs separated by spaces: that HTML file (read at start-up, {{requestId}}, {{status}} and"
                    + " {{reason}} filled in) is the body of Corral's own error answers with that status",
            "status=path pairs separated by whitespace, each status one of " + ErrorPageConfig.STATUSES_TEXT
                    + " at most once, each path a readable UTF-8 file of at most 64KB"),
    RESPONSE_BUFFER_SIZE(Scope.APP, "responseBufferSize", "128KB", null, null,
            "response bytes a slow client has not taken yet that are kept in memory; past it, in a private"
                    + " temporary file (see Slow clients)",
            "a size such as 128KB or 1MB (0 = none in memory), at most responseBufferMax"),
    RESPONSE_BUFFER_MAX(Scope.APP, "responseBufferMax", "128MB", null, null,
            "response bytes kept for a slow client in all, memory and file, before the app waits for it;"
                    + " 0 = no buffering (the app writes at its client's pace)",
            Sizes.ALLOWED),
    BUFFER_REQUEST_BODY(Scope.APP, "bufferRequestBody", "true", null, null,
            "true: a request's body is read whole (memory, then a temporary file) before a process is taken, so"
                    + " a slow upload holds none; false: it streams to the app as it comes",
            "true or false"),
    MAX_REQUEST_BODY(Scope.APP, "maxRequestBody", "100MB", null, null,
            "the largest request body accepted; a larger one is answered 413 (at once when its Content-Length"
                    + " says so); 0 = no limit",
            Sizes.ALLOWED.replace("0 = off", "0 = no limit")),
    CLIENT_BODY_TIMEOUT(Scope.APP, "clientBodyTimeout", "60s", null, null,
            "the time a client has to send its whole request body (with bufferRequestBody); past it: 408",
            "a duration > 0, such as 250ms, 30s, 5m or 1h"),
    BUFFER_DIR(Scope.APP, "bufferDir", null, "(<runDir>/buffers)", "/var/tmp/corral",
            "where the buffers' temporary files go (each private, 0600, and unlinked as soon as it is made);"
                    + " made 0700 if missing",
            "a directory path (made if missing) that Corral can write"),
    FAULTS(Scope.APP, "faults", null, "(none)", "connect:0.02,latency:0.05@200ms",
            "faults to inject at Corral's own I/O seams (see Fault simulation)",
            dev.corral.fault.FaultSpec.ALLOWED),
    FAULT_SEED(Scope.APP, "faultSeed", null, "(random)", "42",
            "the fault injector's seed, logged at start-up, to replay a run",
            "an integer (default: random, logged at start-up)"),

    RUN_DIR(Scope.ENGINE, "runDir", null, "(a new temporary directory)", "/tmp/corral",
            "the directory of the app sockets and loader scripts (mode 0700; 0711 once an app runs as another"
                    + " user); keep it short:"
                    + " a socket path must stay under ~100 bytes",
            "a directory path"),
    MAX_POOL_PROCESSES(Scope.ENGINE, "maxPoolProcesses", "0", null, null,
            "processes all apps of the JVM may run together; 0 = no limit",
            "an integer 0..100000 (0 = no limit)"),
    STATUS_PATH(Scope.ENGINE, "statusPath", null, "(off)", "/corral-status",
            "the status page, its JSON, the Prometheus metrics and the probes are served at this path",
            "a path such as /corral-status (starting with '/', not '/' alone, no trailing '/', no whitespace,"
                    + " '?', '#', ';' or '%')"),
    STATUS_ALLOW(Scope.ENGINE, "statusAllow", "127.0.0.0/8,::1", null, null,
            "the client networks (addresses or CIDR blocks, comma separated) that may read the status",
            "an address or CIDR block such as 10.0.0.0/8, 127.0.0.1 or ::1 (a list separated by commas)"),
    STATUS_PER_PROCESS_METRICS(Scope.ENGINE, "statusPerProcessMetrics", "false", null, null,
            "true: the metrics have per-pid series too (pids churn)",
            "true or false"),
    AGENT_PORT(Scope.ENGINE, "agentPort", "0", null, null,
            "the TCP port of the HAProxy agent-check answer (up with a weight from spare capacity, drain or down;"
                    + " see Beyond one machine); 0 = off",
            "an integer 0..65535 (0 = off)"),
    AGENT_BIND(Scope.ENGINE, "agentBind", "127.0.0.1", null, null,
            "the address the agent-check port listens on (0.0.0.0 for every interface)",
            "an IP address such as 127.0.0.1, 10.0.0.5, 0.0.0.0 or ::1");

    /** Whose setting it is: one app's, or the engine's (shared by every app of the JVM). */
    public enum Scope {
        APP, ENGINE
    }

    private static final List<Setting> APP_SETTINGS =
            Arrays.stream(values()).filter(s -> s.scope == Scope.APP).toList();
    private static final List<Setting> ENGINE_SETTINGS =
            Arrays.stream(values()).filter(s -> s.scope == Scope.ENGINE).toList();
    private static final List<String> APP_NAMES = APP_SETTINGS.stream().map(Setting::configName).toList();

    private final Scope scope;
    private final String configName;
    private final String defaultValue;
    private final String defaultText;
    private final String example;
    private final String meaning;
    private final String allowed;

    /**
     * @param defaultValue the default as configuration text, or null when there is none
     * @param defaultText  how the default reads when there is no default value, e.g. "(required)"
     * @param example      a value to show when there is no default value
     */
    Setting(Scope scope, String configName, String defaultValue, String defaultText, String example, String meaning,
            String allowed) {
        this.scope = scope;
        this.configName = configName;
        this.defaultValue = defaultValue;
        this.defaultText = defaultText;
        this.example = example;
        this.meaning = meaning;
        this.allowed = allowed;
    }

    public Scope scope() {
        return scope;
    }

    /** The spelling in configuration, e.g. {@code maxProcesses}. */
    public String configName() {
        return configName;
    }

    /** The default as configuration text ({@code 60s}), or empty when the setting has none. */
    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /** The default as documented: the default value, or what applies without one ({@code (required)}). */
    public String defaultText() {
        return defaultValue != null ? defaultValue : defaultText;
    }

    /** A value to show in an example: the default value, or a typical value. */
    public String example() {
        return defaultValue != null ? defaultValue : example;
    }

    /** What the setting does, in one line. */
    public String meaning() {
        return meaning;
    }

    /** What the setting accepts, worded to follow "must be". */
    public String allowed() {
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

    /** The app settings, in documented order. */
    public static List<Setting> appSettings() {
        return APP_SETTINGS;
    }

    /** The engine settings, in documented order. */
    public static List<Setting> engineSettings() {
        return ENGINE_SETTINGS;
    }

    static List<String> names() {
        return APP_NAMES;
    }

    /** The setting of either scope with this config name. */
    public static Optional<Setting> byName(String configName) {
        return Arrays.stream(values()).filter(s -> s.configName.equals(configName)).findFirst();
    }

    /** The app setting with this config name. */
    static Optional<Setting> appSetting(String configName) {
        return byName(configName).filter(s -> s.scope == Scope.APP);
    }

    @Override
    public String toString() {
        return configName;
    }
}
