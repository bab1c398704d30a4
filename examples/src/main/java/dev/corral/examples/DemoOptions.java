package dev.corral.examples;

import dev.corral.config.AppSettings;
import dev.corral.config.AppType;
import dev.corral.config.ConfigException;
import dev.corral.config.Setting;
import dev.corral.config.StatusConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of the Corral demo, parsed and checked before anything starts:
 *
 * <pre>
 * java -jar corral-demo.jar [--host H] [--port N] [--jmx-port N] [--set NAME=VALUE]... [--help]
 * </pre>
 *
 * <p>{@code --set} takes every app setting of {@link AppSettings#names()}, and the engine's
 * ({@link #ENGINE_SETTINGS}: maxPoolProcesses and the status settings). Settings not given
 * keep the demo's defaults ({@link #DEMO_DEFAULTS}) or else the engine's ({@code AppConfig.DEFAULT_*}).
 * Without {@code --set appRoot} the demo serves its bundled WSGI app, which only exists once
 * {@link Demo} extracts it; {@link #parse} therefore checks the settings with the working
 * directory standing in for it. That is exact, because no rule looks inside {@code appRoot}.
 *
 * <p>Immutable.
 */
public final class DemoOptions {
    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 8080;

    /** The settings the demo chooses, unless {@code --set} overrides them. */
    static final Map<String, String> DEMO_DEFAULTS = Map.of("name", "demo", "minProcesses", "2", "maxProcesses", "4",
            // a quick start: started as root (a container, CI), the demo runs its app as root too,
            // and Corral's log says so; --set user=NAME runs it as NAME, --set allowRoot=false refuses
            "allowRoot", "true");

    private static final String APP_ROOT = "appRoot";
    /** Settings of the engine rather than the app (the table's), taken by {@code --set} like the app's. */
    static final List<String> ENGINE_SETTINGS = Setting.engineSettings().stream().map(Setting::configName).toList();
    private static final String TYPE = "type";

    private final boolean help;
    private final String host;
    private final int port;
    /** Remote JMX on 127.0.0.1 at this port; -1 = none. */
    private final int jmxPort;
    private final Map<String, String> sets;

    private DemoOptions(boolean help, String host, int port, int jmxPort, Map<String, String> sets) {
        this.help = help;
        this.host = host;
        this.port = port;
        this.jmxPort = jmxPort;
        this.sets = Collections.unmodifiableMap(sets);
    }

    /**
     * Parses the command line. Options take their value as the next argument or after {@code =}
     * ({@code --port 8080}, {@code --port=8080}); a later {@code --set} of a setting wins.
     *
     * @throws UsageException naming the bad option, or every bad {@code --set} at once
     */
    public static DemoOptions parse(String... args) throws UsageException {
        boolean help = false;
        String host = DEFAULT_HOST;
        int port = DEFAULT_PORT;
        int jmxPort = -1;
        Map<String, String> sets = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            int eq = arg.indexOf('=');
            String flag = arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
            String inline = flag.equals(arg) ? null : arg.substring(eq + 1);
            switch (flag) {
                case "--help", "-h" -> help = true;
                case "--host" -> {
                    host = inline != null ? inline : value(args, ++i, flag);
                    if (host.isBlank()) {
                        throw new UsageException(List.of("--host must be a host name or address, but was empty"));
                    }
                }
                case "--port" -> port = port(inline != null ? inline : value(args, ++i, flag));
                case "--jmx-port" -> jmxPort = port(inline != null ? inline : value(args, ++i, flag));
                case "--set" -> set(inline != null ? inline : value(args, ++i, flag), sets, problems);
                default -> throw new UsageException(List.of(flag.startsWith("-")
                        ? "unknown option [" + flag + "]; the options are --host, --port, --jmx-port, --set and --help"
                        : "unexpected argument [" + arg + "]; app settings are given as --set NAME=VALUE, and a command ("
                        + String.join(", ", CorralCommand.COMMANDS) + ") must come first"));
            }
        }
        DemoOptions options = new DemoOptions(help, host, port, jmxPort, sets);
        if (help) {
            return options;
        }
        options.check(problems);
        if (!problems.isEmpty()) {
            throw new UsageException(problems);
        }
        return options;
    }

    private static String value(String[] args, int i, String flag) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(List.of(flag + " needs a value: " + flag + (flag.equals("--set") ? " NAME=VALUE" : " VALUE")));
        }
        return args[i];
    }

    private static int port(String value) throws UsageException {
        try {
            int port = Integer.parseInt(value.trim());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(List.of("--port must be an integer 0..65535 (0 = any free port), but was [" + value + "]"));
    }

    private static void set(String pair, Map<String, String> sets, List<String> problems) {
        int eq = pair.indexOf('=');
        if (eq < 0) {
            problems.add("--set needs NAME=VALUE, but was [" + pair + "]");
            return;
        }
        String name = pair.substring(0, eq);
        if (!AppSettings.names().contains(name) && !ENGINE_SETTINGS.contains(name)) {
            List<String> known = new ArrayList<>(AppSettings.names());
            known.addAll(ENGINE_SETTINGS);
            problems.add(ConfigException.Problem.unknown(name, pair.substring(eq + 1), "a setting", known) + " in --set " + pair);
            return;
        }
        sets.put(name, pair.substring(eq + 1));
    }

    /** Adds a line for every invalid setting (with a note when the value is a demo default). */
    private void check(List<String> problems) {
        if (bundledApp() && sets.containsKey(TYPE) && !sets.get(TYPE).trim().equalsIgnoreCase(AppType.WSGI.configName())) {
            problems.add("'type' [" + sets.get(TYPE) + "] needs --set appRoot=DIR: the bundled demo app is a WSGI app");
        }
        List<ConfigException.Problem> engineProblems = new ArrayList<>();
        dev.corral.config.PoolLimits.maxPoolProcesses(sets.get("maxPoolProcesses"), engineProblems);
        StatusConfig.bind(sets.get(StatusConfig.STATUS_PATH), sets.get(StatusConfig.STATUS_ALLOW),
                sets.get(StatusConfig.STATUS_PER_PROCESS_METRICS), sets.get(StatusConfig.AGENT_PORT),
                sets.get(StatusConfig.AGENT_BIND), engineProblems);
        engineProblems.forEach(problem -> problems.add(problem.toString()));
        try {
            settings(Path.of("").toAbsolutePath()).toConfig();
        } catch (ConfigException e) {
            for (ConfigException.Problem problem : e.problems()) {
                String line = problem.toString();
                if (DEMO_DEFAULTS.containsKey(problem.setting()) && !sets.containsKey(problem.setting())) {
                    line += " (the demo's default; change it with --set " + problem.setting() + "=VALUE)";
                }
                problems.add(line);
            }
        }
    }

    /** Whether to print the usage and exit. */
    public boolean help() {
        return help;
    }

    /** The address to listen on; {@code 0.0.0.0} means every interface. */
    public String host() {
        return host;
    }

    /** The port to listen on; 0 means any free port. */
    public int port() {
        return port;
    }

    /** The port for remote JMX on 127.0.0.1, or -1 for none. */
    public int jmxPort() {
        return jmxPort;
    }

    /** The engine settings given with {@code --set}, by name. */
    public Map<String, String> engineSettings() {
        Map<String, String> engine = new LinkedHashMap<>();
        sets.forEach((name, value) -> {
            if (ENGINE_SETTINGS.contains(name)) {
                engine.put(name, value);
            }
        });
        return engine;
    }

    /** Whether the bundled demo app is served (no {@code --set appRoot}). */
    public boolean bundledApp() {
        return !sets.containsKey(APP_ROOT);
    }

    /** The {@code --set} values as given, in order. */
    public Map<String, String> sets() {
        return sets;
    }

    /**
     * The app's settings: the demo defaults, overridden by {@code --set}, and {@code appRoot} set
     * to {@code bundledAppRoot} unless given.
     */
    public AppSettings settings(Path bundledAppRoot) {
        AppSettings settings = new AppSettings();
        DEMO_DEFAULTS.forEach(settings::set);
        if (bundledApp()) {
            settings.setAppRoot(bundledAppRoot.toString());
        }
        sets.forEach((name, value) -> {
            if (!ENGINE_SETTINGS.contains(name)) {
                settings.set(name, value);
            }
        });
        return settings;
    }

    /** The {@code --help} text: the options, then every setting with its default. */
    public static String usage() {
        StringBuilder s = new StringBuilder()
                .append("Usage: java -jar corral-demo.jar [--host H] [--port N] [--jmx-port N] [--set NAME=VALUE]... [--help]\n\n")
                .append("Serves one app through Corral on an embedded Jetty; Ctrl-C stops Jetty and every app process.\n")
                .append("Without --set appRoot it serves the bundled demo WSGI app.\n\n")
                .append("Options:\n")
                .append(String.format("  %-20s %s%n", "--host H", "address to listen on (default " + DEFAULT_HOST + " = all interfaces)"))
                .append(String.format("  %-20s %s%n", "--port N", "port to listen on, 0 = any free port (default " + DEFAULT_PORT + ")"))
                .append(String.format("  %-20s %s%n", "--jmx-port N", "remote JMX on 127.0.0.1:N, no authentication (jconsole localhost:N)"))
                .append(String.format("  %-20s %s%n", "--set NAME=VALUE", "an app setting; repeat for more"))
                .append(String.format("  %-20s %s%n", "--help", "print this text"))
                .append("\nApp settings (NAME: default):\n");
        for (String name : AppSettings.names()) {
            s.append(String.format("  %-16s %s%n", name, defaultOf(name)));
        }
        s.append("\nEngine settings (NAME: default), also with --set:\n");
        for (String name : ENGINE_SETTINGS) {
            s.append(String.format("  %-16s %s%n", name, defaultOf(name)));
        }
        s.append("\nExample: java -jar corral-demo.jar --port 9000 --set appRoot=/srv/blog --set entryPoint=blog:app\n");
        s.append("\nTo manage a running Corral (status, restart, scale, ...): java -jar corral-demo.jar help\n");
        return s.toString();
    }

    /** What the demo uses for a setting that is not {@code --set}: its own default, else the table's. */
    static String defaultOf(String setting) {
        if (DEMO_DEFAULTS.containsKey(setting)) {
            return DEMO_DEFAULTS.get(setting);
        }
        if (setting.equals(APP_ROOT)) {
            return "(the bundled demo app, extracted to a temporary directory)";
        }
        return Setting.byName(setting).map(Setting::defaultText).orElse(null);
    }

    @Override
    public String toString() {
        return "DemoOptions[help=" + help + ", host=" + host + ", port=" + port + ", sets=" + sets + "]";
    }

    /** A bad command line: one line per problem. The demo prints them and exits with status 2. */
    public static final class UsageException extends Exception {
        private final List<String> problems;

        public UsageException(List<String> problems) {
            super(String.join("\n", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }
}
