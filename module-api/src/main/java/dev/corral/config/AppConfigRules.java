package dev.corral.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.corral.config.ConfigException.Problem;

/**
 * The rules for typed app settings, shared by {@link AppConfig}'s constructor and by
 * {@link AppSettings#toConfig()} so that each rule is written once. Each check appends problems
 * instead of throwing, so callers can report everything at once. A {@code null} argument for
 * another setting (such as {@code type} in {@link #entryPoint}) means "unknown, already reported":
 * the cross-setting part of the check is skipped.
 *
 * <p>Stateless and thread-safe.
 */
final class AppConfigRules {

    // No character that would need quoting in a JMX ObjectName (STYLE.md rule 13): the name is
    // the value of the app's MBeans' name= and app= keys as it is.
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final String IDENTIFIER = "[A-Za-z_][A-Za-z0-9_]*";
    private static final String DOTTED = IDENTIFIER + "(?:\\." + IDENTIFIER + ")*";
    static final Pattern WSGI_ENTRY_POINT = Pattern.compile(DOTTED + ":" + DOTTED);
    static final Pattern ENV_NAME = Pattern.compile(IDENTIFIER);
    static final Pattern VIRTUAL_HOST = Pattern.compile("(?:\\*\\.)?[A-Za-z0-9.-]+");
    private static final Pattern BAD_PATH_CHARS = Pattern.compile("[\\s?#]");

    /** Environment variables Corral sets for each app process itself. */
    static final Set<String> RESERVED_ENV = Set.of("CORRAL_SOCKET", "CORRAL_APP", "PORT");

    static final String WSGI_ENTRY_POINT_ALLOWED = "a WSGI entry point module:callable, such as app:application";
    static final String NODE_ENTRY_POINT_ALLOWED = "a script path relative to appRoot, such as app.js";
    static final String GENERIC_COMMAND_ALLOWED =
            "a command line such as python3 server.py (required when type is generic)";
    static final String RESERVED_ENV_ALLOWED = "free of CORRAL_SOCKET, CORRAL_APP and PORT (set by Corral)";
    static final String UNIQUE_ENV_ALLOWED = "NAME=value pairs naming each NAME at most once";

    private AppConfigRules() {
    }

    static void required(Setting setting, Object value, List<Problem> problems) {
        if (value == null) {
            problems.add(setting.problem(null));
        }
    }

    static void name(String name, List<Problem> problems) {
        if (name == null || !NAME.matcher(name).matches()) {
            problems.add(Setting.NAME.problem(name));
        }
    }

    /** The entry point's meaning depends on {@code type}; generic apps have none. */
    static void entryPoint(AppType type, String entryPoint, List<Problem> problems) {
        if (type == AppType.WSGI && (entryPoint == null || !WSGI_ENTRY_POINT.matcher(entryPoint).matches())) {
            problems.add(Setting.ENTRY_POINT.problem(entryPoint, WSGI_ENTRY_POINT_ALLOWED));
        } else if (type == AppType.NODE && !isRelativeScript(entryPoint)) {
            problems.add(Setting.ENTRY_POINT.problem(entryPoint, NODE_ENTRY_POINT_ALLOWED));
        }
    }

    private static boolean isRelativeScript(String entryPoint) {
        if (entryPoint == null || entryPoint.isBlank() || entryPoint.startsWith("/") || entryPoint.startsWith("\\")) {
            return false;
        }
        try {
            return !Path.of(entryPoint).isAbsolute();
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** A generic app is nothing but its command; other types may set one but need not. */
    static void command(AppType type, List<String> command, List<Problem> problems) {
        if (type == AppType.GENERIC && (command == null || command.isEmpty())) {
            problems.add(Setting.COMMAND.problem(command == null ? null : "", GENERIC_COMMAND_ALLOWED));
        }
    }

    /** The variables Corral sets for every process of an app, whatever its settings. */
    static final List<String> CORRAL_VARIABLES = List.of("CORRAL_APP", "CORRAL_PROCESS_NUMBER", "CORRAL_SCRIPT_NAME");

    /**
     * The variables a generic command refers to must be set for its process: {@code $PORT} only
     * with {@code listen=tcp}, {@code $CORRAL_SOCKET} only with {@code listen=unix}, and any
     * other one by Corral, the {@code env} setting or (when {@code containerEnv} is not null)
     * the container's environment. Other types do not run {@code command}.
     *
     * @param shown the command line as the user wrote it
     */
    static void commandVariables(AppType type, List<String> command, String shown, Listen listen, Set<String> env,
                                 Set<String> containerEnv, List<Problem> problems) {
        if (type != AppType.GENERIC || listen == null) {
            return;
        }
        String own = listen == Listen.UNIX ? "CORRAL_SOCKET" : "PORT";
        String other = listen == Listen.UNIX ? "PORT" : "CORRAL_SOCKET";
        Set<String> reported = new java.util.LinkedHashSet<>();
        for (String word : command) {
            for (String name : CommandLine.references(word)) {
                if (!reported.add(name) || name.equals(own) || CORRAL_VARIABLES.contains(name)
                        || (!name.equals(other) && (env.contains(name) || containerEnv == null || containerEnv.contains(name)))) {
                    continue;
                }
                if (name.equals(other)) {
                    problems.add(Setting.COMMAND.problem(shown, "a command line for listen=" + listen.configName()
                            + ", which sets $" + own + ": $" + other + " is set only with listen="
                            + (listen == Listen.UNIX ? Listen.TCP : Listen.UNIX).configName()));
                    continue;
                }
                List<String> known = new java.util.ArrayList<>(List.of(own));
                known.addAll(CORRAL_VARIABLES);
                known.addAll(env);
                known.addAll(new java.util.TreeSet<>(containerEnv));
                String hint = Suggestions.closest(name, known).map(n -> " (did you mean $" + n + "?)").orElse("");
                problems.add(Setting.COMMAND.problem(shown, "a command line whose variables are set for its process"
                        + " ($" + own + ", $CORRAL_APP, $CORRAL_PROCESS_NUMBER, $CORRAL_SCRIPT_NAME, the env setting's"
                        + " and the container's environment): $" + name + " is none of them" + hint));
            }
        }
    }

    static void env(Map<String, String> env, List<Problem> problems) {
        env.forEach((key, value) -> {
            String pair = key + "=" + value;
            if (!ENV_NAME.matcher(key).matches()) {
                problems.add(Setting.ENV.problem(pair));
            } else if (RESERVED_ENV.contains(key)) {
                problems.add(Setting.ENV.problem(pair, RESERVED_ENV_ALLOWED));
            }
        });
    }

    static void pathPrefix(String pathPrefix, List<Problem> problems) {
        if (pathPrefix == null || !pathPrefix.startsWith("/") || BAD_PATH_CHARS.matcher(pathPrefix).find()) {
            problems.add(Setting.PATH_PREFIX.problem(pathPrefix));
        }
    }

    /** Drops trailing slashes, so {@code /blog/} and {@code /blog} mean the same; {@code /} stays. */
    static String normalizePathPrefix(String pathPrefix) {
        int end = pathPrefix.length();
        while (end > 1 && pathPrefix.charAt(end - 1) == '/') {
            end--;
        }
        return pathPrefix.substring(0, end);
    }

    static void virtualHosts(List<String> hosts, List<Problem> problems) {
        for (String host : hosts) {
            if (!VIRTUAL_HOST.matcher(host).matches()) {
                problems.add(Setting.VIRTUAL_HOSTS.problem(host));
            }
        }
    }

    /** Checks {@code min..max}; {@code shown} is the value as the user wrote it. */
    static void range(Setting setting, int value, String shown, int min, int max, List<Problem> problems) {
        if (value < min || value > max) {
            problems.add(setting.problem(shown));
        }
    }

    /**
     * What minProcesses accepts: up to maxProcesses when that is known and valid, otherwise up to
     * the largest valid maxProcesses (so one bad value does not make the other look wrong).
     */
    static String minProcessesAllowed(Integer maxProcesses) {
        return "an integer 0.." + minProcessesUpperBound(maxProcesses) + " (at most maxProcesses)";
    }

    static void minProcesses(int value, String shown, Integer maxProcesses, List<Problem> problems) {
        if (value < 0 || value > minProcessesUpperBound(maxProcesses)) {
            problems.add(Setting.MIN_PROCESSES.problem(shown, minProcessesAllowed(maxProcesses)));
        }
    }

    private static int minProcessesUpperBound(Integer maxProcesses) {
        boolean maxValid = maxProcesses != null && maxProcesses >= 1 && maxProcesses <= AppConfig.MAX_PROCESSES_LIMIT;
        return maxValid ? maxProcesses : AppConfig.MAX_PROCESSES_LIMIT;
    }

    /** Checks that {@code d} is positive, or not negative when {@code zeroAllowed}. */
    static void duration(Setting setting, Duration d, String shown, boolean zeroAllowed, List<Problem> problems) {
        if (d == null) {
            problems.add(setting.problem(null));
        } else if (d.isNegative() || (d.isZero() && !zeroAllowed)) {
            problems.add(setting.problem(shown));
        }
    }

    /** Throws one exception with all problems, in the documented order of the settings. */
    static void throwIfAny(List<Problem> problems) {
        problems.sort(Comparator.comparingInt(p -> Setting.byName(p.setting()).map(Enum::ordinal).orElse(-1)));
        ConfigException.throwIfAny(problems);
    }
}
