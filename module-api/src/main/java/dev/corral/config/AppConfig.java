package dev.corral.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.stream.Collectors;

import dev.corral.config.ConfigException.Problem;

/**
 * The validated configuration of one app (one {@code Group} in the pool): how to start its
 * processes, which requests it serves, and its process, concurrency and queue limits.
 *
 * <p>Usually built by {@link AppSettings#toConfig()} from the raw strings a container adapter
 * collected. The constructor re-checks every typed rule and throws one {@link ConfigException}
 * listing all violations, so no invalid record exists however it is built. It does not check
 * that {@code appRoot} exists: that is a fact about the file system at bind time, which
 * {@link AppSettings#toConfig()} checks.
 *
 * <p>Normalization done by the constructor: {@code appRoot} is made absolute and normalized,
 * trailing slashes of {@code pathPrefix} are dropped (except for {@code /}), virtual hosts are
 * lower-cased, and {@code null} for {@code command}, {@code env} or {@code virtualHosts} means
 * empty. Collections are copied; {@code env} keeps its order.
 *
 * <p>Immutable and therefore thread-safe.
 *
 * @param name            the app's name, used in logs, JMX names and {@code CORRAL_APP}
 * @param appRoot         the app's directory; processes start there
 * @param type            how the app is started
 * @param entryPoint      {@code module:callable} for wsgi, a script relative to appRoot for node,
 *                        {@code null} or ignored for generic
 * @param command         the command line, split into template words ({@link CommandLine#splitTemplate}:
 *                        {@code ${NAME}} is a variable, filled in from the process's environment when it
 *                        starts, {@code $$} a dollar sign); required for generic, unused otherwise
 * @param env             extra environment variables, in order
 * @param pathPrefix      requests under this path go to the app; {@code /} means all
 * @param virtualHosts    host names the app serves ({@code *.example.com} for subdomains); empty means all
 * @param staticDir       the directory whose files the container serves itself (its real path), or
 *                        {@code null}: no static files
 * @param minProcesses    processes kept running even when idle
 * @param maxProcesses    upper bound on processes
 * @param concurrency     requests one process serves at a time; 0 means unlimited
 * @param maxQueue        requests that may wait for a process before new ones are rejected
 * @param queueTimeout    how long a request may wait in the queue
 * @param spawnTimeout    how long a process may take to start listening
 * @param shutdownTimeout how long a process may take to exit before it is killed
 * @param listen          whether processes listen on a Unix socket or a TCP port
 * @param recycle         when processes are recycled
 * @param health          how processes are health-checked
 * @param routing         retries of failed connects, slow start and sticky sessions
 * @param buffers         how request and response bodies are buffered
 * @param upgradeIdleTimeout an upgraded connection (a WebSocket) idle this long either way is
 *                        closed; zero = never
 * @param timeouts        connectTimeout and responseTimeout
 * @param errorPages      what Corral's own error answers show (detailedErrors, errorPages)
 * @param faults          the faults to inject (off by default)
 * @param faultSeed       the seed of the fault injector, so that a run can be replayed
 * @param isolation       what the processes do not inherit from the container's environment, and
 *                        the user and group they run as
 */
public record AppConfig(
        String name,
        Path appRoot,
        AppType type,
        String entryPoint,
        List<String> command,
        Map<String, String> env,
        String pathPrefix,
        List<String> virtualHosts,
        Path staticDir,
        int minProcesses,
        int maxProcesses,
        int concurrency,
        int maxQueue,
        Duration queueTimeout,
        Duration spawnTimeout,
        Duration shutdownTimeout,
        Listen listen,
        RecycleConfig recycle,
        HealthConfig health,
        RoutingConfig routing,
        BufferConfig buffers,
        Duration upgradeIdleTimeout,
        TimeoutConfig timeouts,
        ErrorPageConfig errorPages,
        dev.corral.fault.FaultSpec faults,
        long faultSeed,
        IsolationConfig isolation) {

    public static final AppType DEFAULT_TYPE = AppType.WSGI;
    public static final String DEFAULT_WSGI_ENTRY_POINT = "app:application";
    public static final String DEFAULT_NODE_ENTRY_POINT = "app.js";
    public static final List<String> DEFAULT_COMMAND = List.of();
    public static final Map<String, String> DEFAULT_ENV = Map.of();
    public static final String DEFAULT_PATH_PREFIX = "/";
    public static final List<String> DEFAULT_VIRTUAL_HOSTS = List.of();
    /** The {@code staticDir} used when none is set, if it exists under appRoot (else: no static files). */
    public static final String DEFAULT_STATIC_DIR = "public";
    /** The {@code staticDir} value that turns static files off. */
    public static final String STATIC_DIR_NONE = "none";
    public static final int DEFAULT_MIN_PROCESSES = 1;
    public static final int DEFAULT_MAX_PROCESSES = 6;
    public static final int DEFAULT_CONCURRENCY = 1;
    public static final int DEFAULT_MAX_QUEUE = 100;
    public static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_SPAWN_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    public static final Listen DEFAULT_LISTEN = Listen.UNIX;
    public static final Duration DEFAULT_UPGRADE_IDLE_TIMEOUT = Duration.ofMinutes(10);

    /** Largest valid {@code maxProcesses}. */
    public static final int MAX_PROCESSES_LIMIT = 1024;
    /** Largest valid {@code concurrency}. */
    public static final int CONCURRENCY_LIMIT = 10_000;
    /** Largest valid {@code maxQueue}. */
    public static final int MAX_QUEUE_LIMIT = 1_000_000;

    /** An app with default recycling limits. */
    public AppConfig(String name, Path appRoot, AppType type, String entryPoint, List<String> command,
                     Map<String, String> env, String pathPrefix, List<String> virtualHosts, int minProcesses,
                     int maxProcesses, int concurrency, int maxQueue, Duration queueTimeout, Duration spawnTimeout,
                     Duration shutdownTimeout, Listen listen) {
        this(name, appRoot, type, entryPoint, command, env, pathPrefix, virtualHosts, null, minProcesses, maxProcesses,
                concurrency, maxQueue, queueTimeout, spawnTimeout, shutdownTimeout, listen, RecycleConfig.ofDefaults(),
                HealthConfig.ofDefaults(), RoutingConfig.ofDefaults(), BufferConfig.ofDefaults(), DEFAULT_UPGRADE_IDLE_TIMEOUT,
                TimeoutConfig.ofDefaults(), ErrorPageConfig.ofDefaults(), dev.corral.fault.FaultSpec.NONE, 0,
                IsolationConfig.ofDefaults());
    }

    public AppConfig {
        recycle = recycle == null ? RecycleConfig.ofDefaults() : recycle;
        health = health == null ? HealthConfig.ofDefaults() : health;
        routing = routing == null ? RoutingConfig.ofDefaults() : routing;
        buffers = buffers == null ? BufferConfig.ofDefaults() : buffers;
        upgradeIdleTimeout = upgradeIdleTimeout == null ? DEFAULT_UPGRADE_IDLE_TIMEOUT : upgradeIdleTimeout;
        timeouts = timeouts == null ? TimeoutConfig.ofDefaults() : timeouts;
        errorPages = errorPages == null ? ErrorPageConfig.ofDefaults() : errorPages;
        faults = faults == null ? dev.corral.fault.FaultSpec.NONE : faults;
        isolation = isolation == null ? IsolationConfig.ofDefaults() : isolation;
        command = command == null ? DEFAULT_COMMAND : List.copyOf(command);
        env = env == null ? DEFAULT_ENV : copyOf(env);
        virtualHosts = virtualHosts == null ? DEFAULT_VIRTUAL_HOSTS
                : List.copyOf(virtualHosts).stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();

        List<Problem> problems = new ArrayList<>();
        AppConfigRules.name(name, problems);
        AppConfigRules.required(Setting.APP_ROOT, appRoot, problems);
        AppConfigRules.required(Setting.TYPE, type, problems);
        AppConfigRules.entryPoint(type, entryPoint, problems);
        AppConfigRules.command(type, command, problems);
        AppConfigRules.env(env, problems);
        AppConfigRules.pathPrefix(pathPrefix, problems);
        AppConfigRules.virtualHosts(virtualHosts, problems);
        AppConfigRules.minProcesses(minProcesses, String.valueOf(minProcesses), maxProcesses, problems);
        AppConfigRules.range(Setting.MAX_PROCESSES, maxProcesses, String.valueOf(maxProcesses), 1, MAX_PROCESSES_LIMIT, problems);
        AppConfigRules.range(Setting.CONCURRENCY, concurrency, String.valueOf(concurrency), 0, CONCURRENCY_LIMIT, problems);
        AppConfigRules.range(Setting.MAX_QUEUE, maxQueue, String.valueOf(maxQueue), 0, MAX_QUEUE_LIMIT, problems);
        AppConfigRules.duration(Setting.QUEUE_TIMEOUT, queueTimeout, shown(queueTimeout), false, problems);
        AppConfigRules.duration(Setting.SPAWN_TIMEOUT, spawnTimeout, shown(spawnTimeout), false, problems);
        AppConfigRules.duration(Setting.SHUTDOWN_TIMEOUT, shutdownTimeout, shown(shutdownTimeout), true, problems);
        AppConfigRules.duration(Setting.UPGRADE_IDLE_TIMEOUT, upgradeIdleTimeout, shown(upgradeIdleTimeout), true, problems);
        AppConfigRules.required(Setting.LISTEN, listen, problems);
        // the environment is a fact of bind time (AppSettings.toConfig checks it): here only listen's variable
        AppConfigRules.commandVariables(type, command, CommandLine.joinTemplate(command), listen, env.keySet(), null,
                problems);
        AppConfigRules.throwIfAny(problems);

        appRoot = appRoot.toAbsolutePath().normalize();
        staticDir = staticDir == null ? null : staticDir.toAbsolutePath().normalize();
        pathPrefix = AppConfigRules.normalizePathPrefix(pathPrefix);
    }

    /**
     * An app with every default: a wsgi app served from {@code app:application} under {@code /}.
     * Name and app root have no sensible defaults, so unlike other config records this
     * {@code ofDefaults} takes them.
     */
    public static AppConfig ofDefaults(String name, Path appRoot) {
        return new AppConfig(name, appRoot, DEFAULT_TYPE, defaultEntryPoint(DEFAULT_TYPE), DEFAULT_COMMAND,
                DEFAULT_ENV, DEFAULT_PATH_PREFIX, DEFAULT_VIRTUAL_HOSTS, DEFAULT_MIN_PROCESSES,
                DEFAULT_MAX_PROCESSES, DEFAULT_CONCURRENCY, DEFAULT_MAX_QUEUE, DEFAULT_QUEUE_TIMEOUT,
                DEFAULT_SPAWN_TIMEOUT, DEFAULT_SHUTDOWN_TIMEOUT, DEFAULT_LISTEN);
    }

    /** The entry point used when none is set: {@code app:application}, {@code app.js}, or none. */
    public static String defaultEntryPoint(AppType type) {
        switch (type) {
            case WSGI: return DEFAULT_WSGI_ENTRY_POINT;
            case NODE: return DEFAULT_NODE_ENTRY_POINT;
            default: return null;
        }
    }

    /** Whether a process serves any number of requests at once ({@code concurrency == 0}). */
    public boolean unlimitedConcurrency() {
        return concurrency == 0;
    }

    /**
     * Whether this app serves requests for {@code host} (a {@code Host} header value; a port, a
     * trailing dot and case are ignored). True for every host, even {@code null}, when
     * {@code virtualHosts} is empty. {@code *.example.com} matches every subdomain of
     * {@code example.com} but not {@code example.com} itself.
     */
    public boolean matchesHost(String host) {
        if (virtualHosts.isEmpty()) {
            return true;
        }
        if (host == null) {
            return false;
        }
        String bare = stripPort(host.trim()).toLowerCase(Locale.ROOT);
        if (bare.endsWith(".")) {
            bare = bare.substring(0, bare.length() - 1);
        }
        for (String vh : virtualHosts) {
            if (vh.startsWith("*.")) {
                String suffix = vh.substring(1);
                if (bare.length() > suffix.length() && bare.endsWith(suffix)) {
                    return true;
                }
            } else if (vh.equals(bare)) {
                return true;
            }
        }
        return false;
    }

    private static String stripPort(String host) {
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            return close < 0 ? host : host.substring(0, close + 1);
        }
        int colon = host.indexOf(':');
        // More than one colon is a bare IPv6 address, not host:port.
        return colon >= 0 && host.indexOf(':', colon + 1) < 0 ? host.substring(0, colon) : host;
    }

    /**
     * Whether the request target {@code rawPath} (undecoded, possibly with a query) is under
     * {@code pathPrefix}: {@code /blog} matches {@code /blog}, {@code /blog/}, {@code /blog/x},
     * {@code /blog?q} and {@code /blog;jsessionid=1}, but not {@code /blogger}. The prefix
     * {@code /} matches everything. Comparison is case-sensitive.
     */
    public boolean matchesPath(String rawPath) {
        if (pathPrefix.equals("/")) {
            return true;
        }
        if (rawPath == null || !rawPath.startsWith(pathPrefix)) {
            return false;
        }
        if (rawPath.length() == pathPrefix.length()) {
            return true;
        }
        char next = rawPath.charAt(pathPrefix.length());
        return next == '/' || next == '?' || next == ';';
    }

    /**
     * Every setting as configuration text, by config name, in documented order: what an
     * {@link AppSettings} would hold to bind to this config again. Settings without a value
     * (no entry point, no command, no env, all hosts, no health path, no static files where appRoot
     * has no {@code public/}) are left out.
     */
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(Setting.NAME.configName(), name);
        s.put(Setting.APP_ROOT.configName(), appRoot.toString());
        s.put(Setting.TYPE.configName(), type.configName());
        putIf(s, Setting.ENTRY_POINT, entryPoint);
        putIf(s, Setting.COMMAND, command.isEmpty() ? null : CommandLine.joinTemplate(command));
        putIf(s, Setting.ENV, env.isEmpty() ? null : env.entrySet().stream()
                .map(e -> CommandLine.quote(e.getKey() + "=" + e.getValue())).collect(Collectors.joining(" ")));
        putIf(s, Setting.ENV_DROP, isolation.envDrop().isEmpty() ? null : String.join(",", isolation.envDrop()));
        putIf(s, Setting.USER, isolation.user());
        putIf(s, Setting.GROUP, isolation.group());
        s.put(Setting.ALLOW_ROOT.configName(), Boolean.toString(isolation.allowRoot()));
        s.put(Setting.PATH_PREFIX.configName(), pathPrefix);
        putIf(s, Setting.VIRTUAL_HOSTS, virtualHosts.isEmpty() ? null : String.join(",", virtualHosts));
        // off: "none" only where the default would turn it on (binding again must not turn it on)
        putIf(s, Setting.STATIC_DIR, staticDir != null ? staticDir.toString()
                : java.nio.file.Files.isDirectory(appRoot.resolve(DEFAULT_STATIC_DIR)) ? STATIC_DIR_NONE : null);
        s.put(Setting.MIN_PROCESSES.configName(), Integer.toString(minProcesses));
        s.put(Setting.MAX_PROCESSES.configName(), Integer.toString(maxProcesses));
        s.put(Setting.CONCURRENCY.configName(), Integer.toString(concurrency));
        s.put(Setting.MAX_QUEUE.configName(), Integer.toString(maxQueue));
        s.put(Setting.QUEUE_TIMEOUT.configName(), Durations.format(queueTimeout));
        s.put(Setting.SPAWN_TIMEOUT.configName(), Durations.format(spawnTimeout));
        s.put(Setting.SHUTDOWN_TIMEOUT.configName(), Durations.format(shutdownTimeout));
        s.put(Setting.LISTEN.configName(), listen.configName());
        s.put(Setting.IDLE_TIMEOUT.configName(), Durations.format(recycle.idleTimeout()));
        s.put(Setting.MAX_REQUESTS.configName(), Integer.toString(recycle.maxRequests()));
        s.put(Setting.MAX_MEMORY.configName(), Sizes.format(recycle.maxMemoryBytes()));
        s.put(Setting.MAX_REQUEST_TIME.configName(), Durations.format(recycle.maxRequestTime()));
        s.put(Setting.CONNECT_TIMEOUT.configName(), Durations.format(timeouts.connectTimeout()));
        s.put(Setting.RESPONSE_TIMEOUT.configName(), Durations.format(timeouts.responseTimeout()));
        s.put(Setting.UPGRADE_IDLE_TIMEOUT.configName(), Durations.format(upgradeIdleTimeout));
        putIf(s, Setting.HEALTH_PATH, health.healthPath());
        s.put(Setting.HEALTH_INTERVAL.configName(), Durations.format(health.interval()));
        s.put(Setting.HEALTH_FAST_INTERVAL.configName(), Durations.format(health.fastInterval()));
        s.put(Setting.HEALTH_DOWN_INTERVAL.configName(), Durations.format(health.downInterval()));
        s.put(Setting.HEALTH_RISE.configName(), Integer.toString(health.rise()));
        s.put(Setting.HEALTH_FALL.configName(), Integer.toString(health.fall()));
        s.put(Setting.HEALTH_TIMEOUT.configName(), Durations.format(health.timeout()));
        s.put(Setting.ERROR_LIMIT.configName(), Integer.toString(health.errorLimit()));
        s.put(Setting.RETRIES.configName(), Integer.toString(routing.retries()));
        s.put(Setting.SLOW_START.configName(), Durations.format(routing.slowStart()));
        s.put(Setting.STICKY_SESSIONS.configName(), Boolean.toString(routing.stickySessions()));
        s.put(Setting.STICKY_COOKIE.configName(), routing.stickyCookie());
        s.put(Setting.PREFETCH.configName(), Durations.format(routing.prefetch()));
        s.put(Setting.DETAILED_ERRORS.configName(), Boolean.toString(errorPages.detailedErrors()));
        putIf(s, Setting.ERROR_PAGES, errorPages.pagesText());
        s.put(Setting.RESPONSE_BUFFER_SIZE.configName(), Sizes.format(buffers.responseBufferSize()));
        s.put(Setting.RESPONSE_BUFFER_MAX.configName(), Sizes.format(buffers.responseBufferMax()));
        s.put(Setting.BUFFER_REQUEST_BODY.configName(), Boolean.toString(buffers.bufferRequestBody()));
        s.put(Setting.MAX_REQUEST_BODY.configName(), Sizes.format(buffers.maxRequestBody()));
        s.put(Setting.CLIENT_BODY_TIMEOUT.configName(), Durations.format(buffers.clientBodyTimeout()));
        putIf(s, Setting.BUFFER_DIR, buffers.bufferDir() == null ? null : buffers.bufferDir().toString());
        s.put(Setting.FAULTS.configName(), faults.toString());
        s.put(Setting.FAULT_SEED.configName(), Long.toString(faultSeed));
        return Collections.unmodifiableMap(s);
    }

    private static void putIf(Map<String, String> settings, Setting setting, String value) {
        if (value != null) {
            settings.put(setting.configName(), value);
        }
    }

    /**
     * This config with some settings changed (config name to configuration text), checked by
     * the same rules as at start-up.
     *
     * @throws ConfigException naming every invalid value, with what its setting accepts
     */
    public AppConfig with(Map<String, String> changes) {
        AppSettings changed = new AppSettings();
        settings().forEach(changed::set);
        changes.forEach(changed::set);
        return changed.toConfig();
    }

    /** Every setting, with config names and spellings: durations as {@code 60s}, commands quoted. */
    @Override
    public String toString() {
        StringJoiner s = new StringJoiner(", ", "AppConfig[", "]");
        s.add(Setting.NAME + "=" + name);
        s.add(Setting.APP_ROOT + "=" + appRoot);
        s.add(Setting.TYPE + "=" + type.configName());
        s.add(Setting.ENTRY_POINT + "=" + Objects.toString(entryPoint, ""));
        s.add(Setting.COMMAND + "=" + CommandLine.joinTemplate(command));
        s.add(Setting.ENV + "=" + env.entrySet().stream()
                .map(e -> CommandLine.quote(e.getKey() + "=" + e.getValue())).collect(Collectors.joining(" ")));
        s.add(isolation.toString());
        s.add(Setting.PATH_PREFIX + "=" + pathPrefix);
        s.add(Setting.VIRTUAL_HOSTS + "=" + String.join(",", virtualHosts));
        s.add(Setting.STATIC_DIR + "=" + (staticDir == null ? STATIC_DIR_NONE : staticDir));
        s.add(Setting.MIN_PROCESSES + "=" + minProcesses);
        s.add(Setting.MAX_PROCESSES + "=" + maxProcesses);
        s.add(Setting.CONCURRENCY + "=" + concurrency);
        s.add(Setting.MAX_QUEUE + "=" + maxQueue);
        s.add(Setting.QUEUE_TIMEOUT + "=" + Durations.format(queueTimeout));
        s.add(Setting.SPAWN_TIMEOUT + "=" + Durations.format(spawnTimeout));
        s.add(Setting.SHUTDOWN_TIMEOUT + "=" + Durations.format(shutdownTimeout));
        s.add(Setting.LISTEN + "=" + listen.configName());
        s.add(recycle.toString());
        s.add(timeouts.toString());
        s.add(Setting.UPGRADE_IDLE_TIMEOUT + "=" + Durations.format(upgradeIdleTimeout));
        s.add(health.toString());
        s.add(routing.toString());
        s.add(errorPages.toString());
        s.add(Setting.FAULTS + "=" + faults);
        s.add(Setting.FAULT_SEED + "=" + faultSeed);
        return s.toString();
    }

    private static Map<String, String> copyOf(Map<String, String> env) {
        Map<String, String> copy = new LinkedHashMap<>();
        env.forEach((key, value) -> copy.put(Objects.requireNonNull(key, "env name"),
                Objects.requireNonNull(value, "env value")));
        return Collections.unmodifiableMap(copy);
    }

    private static String shown(Duration d) {
        return d == null ? null : Durations.format(d);
    }
}
