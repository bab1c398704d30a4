package dev.corral.bench;

import dev.corral.config.AppSettings;
import dev.corral.config.ConfigException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line shared by the benchmark launchers ({@link JettyLauncher}, {@link TomcatLauncher}):
 *
 * <pre>
 * --port N              loopback port to listen on (required; 0 = any free one)
 * --host H              address to listen on (default 127.0.0.1)
 * --set NAME=VALUE      an app setting, the names of README's table; repeat for more
 * --app NAME            starts the settings of one more app (several apps in one Corral): the
 *                       {@code --set}s after it are that app's; those before the first
 *                       {@code --app} are every app's. Without {@code --app}: one app, "bench"
 * --engine NAME=VALUE   an engine setting (maxPoolProcesses, statusPath, statusAllow, statusPerProcessMetrics,
 *                       agentPort, agentBind)
 * --container NAME=VALUE  a container option (Tomcat: connector attribute; Jetty: see JettyLauncher)
 * --warm-up N           before starting, drive N requests through a throwaway container of the
 *                       same kind and an in-JVM target ({@link WarmUp}; default 0: none)
 * </pre>
 *
 * <p>The apps' settings are checked here, all problems at once, before any container starts.
 * Immutable.
 */
final class LauncherOptions {
    final String host;
    final int port;
    /** Settings of every app (before the first {@code --app}). */
    final Map<String, String> sets;
    /** Per app named with {@code --app}, in order: its own settings. Empty: one app, "bench". */
    final Map<String, Map<String, String>> apps;
    final Map<String, String> container;
    /** Engine settings, applied as the adapter's setters (Jetty) or valve attributes (Tomcat). */
    final Map<String, String> engine;
    /** Requests of the self-warm-up before the start (0: none). */
    final int warmUp;

    private LauncherOptions(String host, int port, Map<String, String> sets, Map<String, Map<String, String>> apps,
                            Map<String, String> container, Map<String, String> engine, int warmUp) {
        this.host = host;
        this.port = port;
        this.sets = Map.copyOf(sets);
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        apps.forEach((name, settings) -> copy.put(name, Map.copyOf(settings)));
        this.apps = java.util.Collections.unmodifiableMap(copy);
        this.container = Map.copyOf(container);
        this.engine = Map.copyOf(engine);
        this.warmUp = warmUp;
    }

    /** Parses and checks the command line; exits with status 2 and a message naming the problem. */
    static LauncherOptions parseOrExit(String launcher, String... args) {
        String host = "127.0.0.1";
        int port = -1;
        int warmUp = 0;
        Map<String, String> sets = new LinkedHashMap<>();
        Map<String, Map<String, String>> apps = new LinkedHashMap<>();
        Map<String, String> current = sets;
        Map<String, String> container = new LinkedHashMap<>();
        Map<String, String> engine = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (value == null) {
                problems.add(flag + " needs a value");
                break;
            }
            i++;
            switch (flag) {
                case "--host" -> host = value;
                case "--port" -> {
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        problems.add("--port must be an integer 0..65535, but was [" + value + "]");
                    }
                }
                case "--set" -> pair(value, current, "--set", problems);
                case "--app" -> {
                    if (apps.containsKey(value)) {
                        problems.add("--app [" + value + "] is given twice");
                    }
                    current = apps.computeIfAbsent(value, name -> new LinkedHashMap<>());
                }
                case "--container" -> pair(value, container, "--container", problems);
                case "--engine" -> pair(value, engine, "--engine", problems);
                case "--warm-up" -> {
                    try {
                        warmUp = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        warmUp = -1;
                    }
                    if (warmUp < 0 || warmUp > 1_000_000) {
                        problems.add("--warm-up must be an integer 0..1000000, but was [" + value + "]");
                    }
                }
                default -> problems.add("unknown option [" + flag + "]; the options are --host, --port, --set, --app, --engine, --container, --warm-up");
            }
        }
        if (port < 0 || port > 65535) {
            problems.add("--port N is required (0..65535)");
        }
        LauncherOptions options = new LauncherOptions(host, port, sets, apps, container, engine, warmUp);
        if (problems.isEmpty()) {
            for (AppSettings app : options.apps()) {
                String which = options.apps.isEmpty() ? "" : "app [" + app.get("name") + "]: ";
                try {
                    app.toConfig();
                } catch (ConfigException e) {
                    e.problems().forEach(problem -> problems.add(which + problem));
                } catch (RuntimeException e) {
                    problems.add(which + e.getMessage());
                }
            }
        }
        if (!problems.isEmpty()) {
            problems.forEach(problem -> System.err.println(launcher + ": " + problem));
            System.exit(2);
        }
        return options;
    }

    private static void pair(String value, Map<String, String> into, String flag, List<String> problems) {
        int eq = value.indexOf('=');
        if (eq <= 0) {
            problems.add(flag + " needs NAME=VALUE, but was [" + value + "]");
        } else {
            into.put(value.substring(0, eq), value.substring(eq + 1));
        }
    }

    /**
     * The apps' settings, in order: without {@code --app}, one app, {@code name=bench} unless
     * given, then every {@code --set}; otherwise per {@code --app NAME}: the common
     * {@code --set}s, then {@code name=NAME}, then its own.
     */
    /** The apps' default {@code allowRoot}: benchmarks run as root (see {@link #apps()}). */
    static final String ALLOW_ROOT = "true";

    List<AppSettings> apps() {
        // the benchmark machines run it as root: a container running as root starts no app as root
        // without allowRoot=true (--set allowRoot=false or --set user=NAME override it)
        if (apps.isEmpty()) {
            AppSettings settings = new AppSettings();
            settings.set("name", "bench");
            settings.set("allowRoot", ALLOW_ROOT);
            sets.forEach(settings::set);
            return List.of(settings);
        }
        List<AppSettings> result = new ArrayList<>();
        apps.forEach((name, own) -> {
            AppSettings settings = new AppSettings();
            settings.set("allowRoot", ALLOW_ROOT);
            sets.forEach(settings::set);
            settings.set("name", name);
            own.forEach(settings::set);
            result.add(settings);
        });
        return result;
    }

    int containerInt(String name, int otherwise) {
        String value = container.get(name);
        return value == null ? otherwise : Integer.parseInt(value.trim());
    }
}
