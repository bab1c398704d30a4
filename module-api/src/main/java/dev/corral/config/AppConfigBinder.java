package dev.corral.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

import dev.corral.config.ConfigException.Problem;

import static dev.corral.config.Setting.*;

/**
 * Turns the raw strings of an {@link AppSettings} into an {@link AppConfig}: trims, parses,
 * applies defaults and checks every rule, collecting all problems before throwing one
 * {@link ConfigException}. Settings that cannot be parsed are reported once and left out of
 * the checks that depend on them.
 *
 * <p>One instance binds once; not thread-safe (it is confined to one {@code toConfig()} call).
 */
final class AppConfigBinder {

    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
    private static final Pattern HOST_SEPARATORS = Pattern.compile("[,\\s]+");

    private final Map<Setting, String> raw;
    private final List<Problem> problems = new ArrayList<>();

    private AppConfigBinder(Map<Setting, String> raw) {
        this.raw = raw;
    }

    static AppConfig bind(Map<Setting, String> raw) {
        return new AppConfigBinder(raw).bind();
    }

    private AppConfig bind() {
        String name = value(NAME);
        AppConfigRules.name(name, problems);
        Path appRoot = appRoot();
        AppType type = choice(TYPE, AppType.values(), AppType::configName, AppConfig.DEFAULT_TYPE);
        String entryPoint = valueOr(ENTRY_POINT, type == null ? null : AppConfig.defaultEntryPoint(type));
        AppConfigRules.entryPoint(type, entryPoint, problems);
        String commandLine = value(COMMAND);
        List<String> command = commandLine == null ? null : words(COMMAND, commandLine, true);
        if (commandLine == null || command != null) {
            AppConfigRules.command(type, command, problems);
        }
        Map<String, String> env = env();
        List<String> envDrop = IsolationConfig.splitEnvDrop(value(ENV_DROP));
        String user = value(USER);
        String group = value(GROUP);
        IsolationConfig.check(envDrop, user, group, problems);
        String allowRoot = valueOr(ALLOW_ROOT, Boolean.toString(IsolationConfig.DEFAULT_ALLOW_ROOT));
        if (!allowRoot.equalsIgnoreCase("true") && !allowRoot.equalsIgnoreCase("false")) {
            problems.add(ALLOW_ROOT.problem(allowRoot));
        }
        String pathPrefix = valueOr(PATH_PREFIX, AppConfig.DEFAULT_PATH_PREFIX);
        Listen listen = choice(LISTEN, Listen.values(), Listen::configName, AppConfig.DEFAULT_LISTEN);
        if (command != null && listen != null) {
            // a variable of the container's that envDrop drops is one the process does not get
            AppConfigRules.commandVariables(type, command, commandLine, listen, env.keySet(), System.getenv().keySet()
                    .stream().filter(variable -> !IsolationConfig.drops(envDrop, variable)).collect(java.util.stream.Collectors.toSet()),
                    problems);
        }
        AppConfigRules.pathPrefix(pathPrefix, problems);
        List<String> virtualHosts = virtualHosts();
        AppConfigRules.virtualHosts(virtualHosts, problems);
        Path staticDir = staticDir(appRoot);
        Integer maxProcesses = integer(MAX_PROCESSES, AppConfig.DEFAULT_MAX_PROCESSES, 1, AppConfig.MAX_PROCESSES_LIMIT);
        Integer minProcesses = integer(MIN_PROCESSES, AppConfig.DEFAULT_MIN_PROCESSES,
                AppConfigRules.minProcessesAllowed(maxProcesses));
        if (minProcesses != null) {
            AppConfigRules.minProcesses(minProcesses, shown(MIN_PROCESSES, minProcesses), maxProcesses, problems);
        }
        Integer concurrency = integer(CONCURRENCY, AppConfig.DEFAULT_CONCURRENCY, 0, AppConfig.CONCURRENCY_LIMIT);
        Integer maxQueue = integer(MAX_QUEUE, AppConfig.DEFAULT_MAX_QUEUE, 0, AppConfig.MAX_QUEUE_LIMIT);
        Duration queueTimeout = duration(QUEUE_TIMEOUT, AppConfig.DEFAULT_QUEUE_TIMEOUT, false);
        Duration spawnTimeout = duration(SPAWN_TIMEOUT, AppConfig.DEFAULT_SPAWN_TIMEOUT, false);
        Duration shutdownTimeout = duration(SHUTDOWN_TIMEOUT, AppConfig.DEFAULT_SHUTDOWN_TIMEOUT, true);
        Duration idleTimeout = duration(IDLE_TIMEOUT, RecycleConfig.DEFAULT_IDLE_TIMEOUT, true);
        Integer maxRequests = integer(MAX_REQUESTS, RecycleConfig.DEFAULT_MAX_REQUESTS, 0, Integer.MAX_VALUE);
        String memory = value(MAX_MEMORY);
        Long maxMemory = memory == null ? Long.valueOf(RecycleConfig.DEFAULT_MAX_MEMORY) : Sizes.parse(MAX_MEMORY.configName(), memory, problems);
        Duration maxRequestTime = duration(MAX_REQUEST_TIME, RecycleConfig.DEFAULT_MAX_REQUEST_TIME, true);
        Duration connectTimeout = duration(CONNECT_TIMEOUT, TimeoutConfig.DEFAULT_CONNECT_TIMEOUT, false);
        Duration responseTimeout = duration(RESPONSE_TIMEOUT, TimeoutConfig.DEFAULT_RESPONSE_TIMEOUT, true);
        Duration upgradeIdleTimeout = duration(UPGRADE_IDLE_TIMEOUT, AppConfig.DEFAULT_UPGRADE_IDLE_TIMEOUT, true);
        String healthPath = value(HEALTH_PATH);
        if (healthPath != null && (!healthPath.startsWith("/") || healthPath.matches(".*[\\s#].*"))) {
            problems.add(HEALTH_PATH.problem(healthPath));
        }
        Duration healthInterval = duration(HEALTH_INTERVAL, HealthConfig.DEFAULT_INTERVAL, false);
        Duration healthFastInterval = duration(HEALTH_FAST_INTERVAL, HealthConfig.DEFAULT_FAST_INTERVAL, false);
        Duration healthDownInterval = duration(HEALTH_DOWN_INTERVAL, HealthConfig.DEFAULT_DOWN_INTERVAL, false);
        Integer healthRise = integer(HEALTH_RISE, HealthConfig.DEFAULT_RISE, 1, 100);
        Integer healthFall = integer(HEALTH_FALL, HealthConfig.DEFAULT_FALL, 1, 100);
        Duration healthTimeout = duration(HEALTH_TIMEOUT, HealthConfig.DEFAULT_TIMEOUT, false);
        Integer errorLimit = integer(ERROR_LIMIT, HealthConfig.DEFAULT_ERROR_LIMIT, 0, 100_000);
        Integer retries = integer(RETRIES, RoutingConfig.DEFAULT_RETRIES, 0, 100);
        Duration slowStart = duration(SLOW_START, RoutingConfig.DEFAULT_SLOW_START, true);
        Duration prefetch = duration(PREFETCH, RoutingConfig.DEFAULT_PREFETCH, true);
        if (prefetch != null && !prefetch.isZero() && concurrency != null && concurrency == 0) {
            problems.add(PREFETCH.problem(shown(PREFETCH, prefetch), "0 (off) while concurrency=0: a process that takes"
                    + " every request at once has no next request to find waiting; set a concurrency >= 1"));
        }
        String sticky = valueOr(STICKY_SESSIONS, Boolean.toString(RoutingConfig.DEFAULT_STICKY_SESSIONS));
        if (!sticky.equalsIgnoreCase("true") && !sticky.equalsIgnoreCase("false")) {
            problems.add(STICKY_SESSIONS.problem(sticky));
        }
        Long responseBufferSize = size(RESPONSE_BUFFER_SIZE, BufferConfig.DEFAULT_RESPONSE_BUFFER_SIZE);
        Long responseBufferMax = size(RESPONSE_BUFFER_MAX, BufferConfig.DEFAULT_RESPONSE_BUFFER_MAX);
        if (responseBufferSize != null && responseBufferMax != null && responseBufferMax > 0
                && responseBufferSize > responseBufferMax) {
            problems.add(RESPONSE_BUFFER_SIZE.problem(valueOr(RESPONSE_BUFFER_SIZE, Sizes.format(responseBufferSize)),
                    "a size such as 128KB or 1MB (0 = none in memory), at most responseBufferMax ["
                            + Sizes.format(responseBufferMax) + "]"));
        }
        String bufferRequestBody = valueOr(BUFFER_REQUEST_BODY, Boolean.toString(BufferConfig.DEFAULT_BUFFER_REQUEST_BODY));
        if (!bufferRequestBody.equalsIgnoreCase("true") && !bufferRequestBody.equalsIgnoreCase("false")) {
            problems.add(BUFFER_REQUEST_BODY.problem(bufferRequestBody));
        }
        String maxBody = value(MAX_REQUEST_BODY);
        Long maxRequestBody = maxBody == null ? Long.valueOf(BufferConfig.DEFAULT_MAX_REQUEST_BODY) : null;
        if (maxBody != null) {
            List<ConfigException.Problem> sizeProblems = new java.util.ArrayList<>();
            maxRequestBody = Sizes.parse(MAX_REQUEST_BODY.configName(), maxBody, sizeProblems);
            if (maxRequestBody == null) {
                problems.add(MAX_REQUEST_BODY.problem(maxBody));
            }
        }
        Duration clientBodyTimeout = duration(CLIENT_BODY_TIMEOUT, BufferConfig.DEFAULT_CLIENT_BODY_TIMEOUT, false);
        Path bufferDir = bufferDir();
        // faults: the app's setting, else -Dcorral.faults / CORRAL_FAULTS for the whole JVM
        String faultText = valueOr(FAULTS, System.getProperty("corral.faults", System.getenv("CORRAL_FAULTS")));
        dev.corral.fault.FaultSpec faults = dev.corral.fault.FaultSpec.NONE;
        try {
            faults = dev.corral.fault.FaultSpec.parse(faultText);
        } catch (IllegalArgumentException e) {
            problems.add(FAULTS.problem(faultText, dev.corral.fault.FaultSpec.ALLOWED + "; " + e.getMessage()));
        }
        String seedText = valueOr(FAULT_SEED, System.getProperty("corral.faultSeed", System.getenv("CORRAL_FAULT_SEED")));
        // no faults, no seed to log; faults without a seed get a random one (logged, to replay)
        long faultSeed = faults.isNone() ? 0 : new java.util.Random().nextLong() & Long.MAX_VALUE;
        if (seedText != null) {
            try {
                faultSeed = Long.parseLong(seedText.trim());
            } catch (NumberFormatException e) {
                problems.add(FAULT_SEED.problem(seedText));
            }
        }
        String stickyCookie = valueOr(STICKY_COOKIE, RoutingConfig.DEFAULT_STICKY_COOKIE);
        if (!stickyCookie.matches(RoutingConfig.COOKIE_NAME)) {
            problems.add(STICKY_COOKIE.problem(stickyCookie));
        }
        String detailedErrors = valueOr(DETAILED_ERRORS, Boolean.toString(ErrorPageConfig.DEFAULT_DETAILED_ERRORS));
        if (!detailedErrors.equalsIgnoreCase("true") && !detailedErrors.equalsIgnoreCase("false")) {
            problems.add(DETAILED_ERRORS.problem(detailedErrors));
        }
        Map<Integer, ErrorPageConfig.Page> errorPages = errorPages(appRoot);

        AppConfigRules.throwIfAny(problems);
        return new AppConfig(name, appRoot, type, entryPoint, command, env, pathPrefix, virtualHosts, staticDir,
                minProcesses, maxProcesses, concurrency, maxQueue, queueTimeout, spawnTimeout, shutdownTimeout,
                listen, new RecycleConfig(idleTimeout, maxRequests, maxMemory, maxRequestTime),
                new HealthConfig(healthPath, healthInterval, healthFastInterval, healthDownInterval, healthRise,
                        healthFall, healthTimeout, errorLimit),
                new RoutingConfig(retries, slowStart, Boolean.parseBoolean(sticky), stickyCookie, prefetch),
                new BufferConfig(responseBufferSize, responseBufferMax, Boolean.parseBoolean(bufferRequestBody),
                        maxRequestBody, clientBodyTimeout, bufferDir), upgradeIdleTimeout,
                new TimeoutConfig(connectTimeout, responseTimeout),
                new ErrorPageConfig(Boolean.parseBoolean(detailedErrors), errorPages), faults, faultSeed,
                new IsolationConfig(envDrop, user, group, Boolean.parseBoolean(allowRoot)));
    }

    /** The trimmed raw value, or {@code null} if not set. */
    private String value(Setting s) {
        String v = raw.get(s);
        return v == null ? null : v.trim();
    }

    private String valueOr(Setting s, String defaultValue) {
        String v = value(s);
        return v == null ? defaultValue : v;
    }

    /** The value as the user wrote it (trimmed), or the default, for problems about a parsed value. */
    private String shown(Setting s, Object parsed) {
        String v = value(s);
        return v == null ? String.valueOf(parsed) : v;
    }

    /** The buffers' directory: made (0700) if missing, and it must be a writable directory then. */
    private Path bufferDir() {
        String v = value(BUFFER_DIR);
        if (v == null) {
            return null;
        }
        try {
            Path dir = Path.of(v).toAbsolutePath().normalize();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            }
            if (Files.isWritable(dir)) {
                return dir;
            }
        } catch (InvalidPathException | java.io.IOException | UnsupportedOperationException e) {
            // reported below
        }
        problems.add(BUFFER_DIR.problem(v));
        return null;
    }

    /**
     * The static files' directory as its real path (so that the containers' checks against links
     * leaving it see the directory itself, not a deploy link), or null for none: {@code none},
     * or the default {@code public} when appRoot has no such directory. A configured directory
     * must exist.
     */
    private Path staticDir(Path appRoot) {
        String v = value(STATIC_DIR);
        v = v == null || v.isEmpty() ? null : v;
        if (v != null && v.equalsIgnoreCase(AppConfig.STATIC_DIR_NONE)) {
            return null;
        }
        if (appRoot == null) {
            return null;   // reported: appRoot
        }
        try {
            Path dir = appRoot.resolve(v == null ? AppConfig.DEFAULT_STATIC_DIR : v).normalize();
            if (Files.isDirectory(dir)) {
                return dir.toRealPath();
            }
        } catch (InvalidPathException | java.io.IOException e) {
            // reported below like any other path that is no directory
        }
        if (v != null) {
            problems.add(STATIC_DIR.problem(v));
        }
        return null;
    }

    private Path appRoot() {
        String v = value(APP_ROOT);
        if (v != null && !v.isEmpty()) {
            try {
                Path dir = Path.of(v).toAbsolutePath().normalize();
                if (Files.isDirectory(dir)) {
                    return dir;
                }
            } catch (InvalidPathException e) {
                // reported below like any other path that is not a directory
            }
        }
        problems.add(APP_ROOT.problem(v));
        return null;
    }

    private <E extends Enum<E>> E choice(Setting s, E[] values, Function<E, String> configName, E defaultValue) {
        String v = value(s);
        if (v == null) {
            return defaultValue;
        }
        return Arrays.stream(values).filter(e -> configName.apply(e).equalsIgnoreCase(v)).findFirst()
                .orElseGet(() -> {
                    problems.add(s.problem(v));
                    return null;
                });
    }

    /**
     * The words of a command line (template words, with variable references, when
     * {@code template}), or {@code null} (and a problem) if its quotes do not close.
     */
    private List<String> words(Setting s, String line, boolean template) {
        try {
            return template ? CommandLine.splitTemplate(line) : CommandLine.split(line);
        } catch (IllegalArgumentException e) {
            String what = e.getMessage().startsWith("bad variable") ? "a command line with well-formed ${NAME} references"
                    : "a command line with closed quotes";
            problems.add(s.problem(line, what + " (" + e.getMessage() + ")"));
            return null;
        }
    }

    /** {@code NAME=value} words in order; words without {@code =} and repeated names are problems. */
    private Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        String v = value(ENV);
        List<String> words = v == null ? List.of() : words(ENV, v, false);
        if (words == null) {
            return env;
        }
        for (String word : words) {
            int eq = word.indexOf('=');
            if (eq < 0) {
                problems.add(ENV.problem(word));
            } else if (env.putIfAbsent(word.substring(0, eq), word.substring(eq + 1)) != null) {
                problems.add(ENV.problem(word, AppConfigRules.UNIQUE_ENV_ALLOWED));
            }
        }
        AppConfigRules.env(env, problems);
        return env;
    }

    /**
     * The error pages: {@code status=path} words (quoted like {@code env}'s), each status one of
     * Corral's own at most once, each file (relative to appRoot) read now, as UTF-8, at most
     * {@link ErrorPageConfig#MAX_PAGE_BYTES}: a missing or unreadable page fails the start.
     */
    private Map<Integer, ErrorPageConfig.Page> errorPages(Path appRoot) {
        Map<Integer, ErrorPageConfig.Page> pages = new java.util.TreeMap<>();
        String v = value(ERROR_PAGES);
        List<String> words = v == null ? List.of() : words(ERROR_PAGES, v, false);
        if (words == null) {
            return pages;
        }
        for (String word : words) {
            int eq = word.indexOf('=');
            String status = eq < 0 ? "" : word.substring(0, eq).trim();
            String file = eq < 0 ? "" : word.substring(eq + 1).trim();
            if (!status.matches("[0-9]{3}") || !ErrorPageConfig.STATUSES.contains(Integer.valueOf(status))
                    || file.isEmpty()) {
                problems.add(ERROR_PAGES.problem(word));
                continue;
            }
            if (pages.containsKey(Integer.valueOf(status))) {
                problems.add(ERROR_PAGES.problem(word, "status=path pairs with each status at most once"));
                continue;
            }
            try {
                Path path = Path.of(file);
                if (!path.isAbsolute() && appRoot != null) {
                    path = appRoot.resolve(path);
                }
                path = path.normalize();
                if (!Files.isRegularFile(path) || Files.size(path) > ErrorPageConfig.MAX_PAGE_BYTES) {
                    problems.add(ERROR_PAGES.problem(word, "status=path pairs, each path a readable UTF-8 file of at"
                            + " most 64KB (" + path + " is " + (Files.isRegularFile(path) ? "larger" : "no file") + ")"));
                    continue;
                }
                String html = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                        .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(path))).toString();
                pages.put(Integer.valueOf(status), new ErrorPageConfig.Page(path, html));
            } catch (InvalidPathException | java.io.IOException e) {
                problems.add(ERROR_PAGES.problem(word, "status=path pairs, each path a readable UTF-8 file of at most"
                        + " 64KB (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")"));
            }
        }
        return pages;
    }

    private List<String> virtualHosts() {
        String v = value(VIRTUAL_HOSTS);
        if (v == null || v.isEmpty()) {
            return AppConfig.DEFAULT_VIRTUAL_HOSTS;
        }
        return Arrays.stream(HOST_SEPARATORS.split(v)).filter(h -> !h.isEmpty()).toList();
    }

    /** An integer in {@code min..max}, or {@code null} (and a problem). */
    private Integer integer(Setting s, int defaultValue, int min, int max) {
        Integer i = integer(s, defaultValue, s.allowed());
        if (i != null) {
            AppConfigRules.range(s, i, shown(s, i), min, max, problems);
        }
        return i;
    }

    /** An integer, or {@code null} (and a problem naming {@code allowed}) if not a number. */
    private Integer integer(Setting s, int defaultValue, String allowed) {
        String v = value(s);
        if (v == null) {
            return defaultValue;
        }
        if (INTEGER.matcher(v).matches()) {
            try {
                return Integer.valueOf(v);
            } catch (NumberFormatException tooLarge) {
                // reported below: no int setting accepts a number this large
            }
        }
        problems.add(s.problem(v, allowed));
        return null;
    }

    /** A size setting's bytes (its default when not set), or null after adding a problem. */
    private Long size(Setting s, long defaultValue) {
        String text = value(s);
        return text == null ? Long.valueOf(defaultValue) : Sizes.parse(s.configName(), text, problems);
    }

    private Duration duration(Setting s, Duration defaultValue, boolean zeroAllowed) {
        String v = value(s);
        if (v == null) {
            return defaultValue;
        }
        Duration d = Durations.parse(s.configName(), v, problems);
        if (d != null) {
            AppConfigRules.duration(s, d, v, zeroAllowed, problems);
        }
        return d;
    }
}
