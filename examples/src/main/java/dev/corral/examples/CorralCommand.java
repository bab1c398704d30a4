package dev.corral.examples;

import dev.corral.examples.DemoOptions.UsageException;
import dev.corral.jmx.AppMXBean;
import dev.corral.jmx.EngineMXBean;
import dev.corral.jmx.FaultsMXBean;
import dev.corral.jmx.ProcessMXBean;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.management.ObjectName;

/**
 * The {@code corral} command, like {@code passenger-status} and {@code passenger-config}: the
 * subcommands of {@code corral-demo.jar} that manage a running Corral (a Jetty, a Tomcat, or a
 * demo started with {@code --jmx-port}) through its MBeans over remote JMX.
 *
 * <pre>
 * java -jar corral-demo.jar status [--jmx HOST:PORT] [APP] [--json]
 * java -jar corral-demo.jar restart APP [--all-at-once]
 * java -jar corral-demo.jar scale APP MIN MAX
 * </pre>
 *
 * <p>Exit status: {@value #EXIT_OK} done; {@value #EXIT_FAILURE} failed (the target is
 * unreachable, the app or process unknown, the change refused), with one line per problem and
 * never a stack trace; {@value #EXIT_USAGE} a bad command line, as for the demo.
 *
 * <p>Stateless: {@link #run} may be called from any thread, any number of times (the tests call
 * it in-process).
 */
public final class CorralCommand {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = Demo.EXIT_FAILURE;
    static final int EXIT_USAGE = Demo.EXIT_USAGE;
    /** Where {@code --jmx} points when not given: the port the README's examples open. */
    public static final String DEFAULT_JMX = "localhost:9010";
    /** The version of the {@code status --json} document, its first field. */
    static final int JSON_VERSION = 1;

    /** The subcommands, in the order the usage lists them. */
    static final List<String> COMMANDS = List.of("status", "restart", "scale", "drain", "resume", "detach", "faults", "help");

    private CorralCommand() {
    }

    /** Whether {@code arg}, the first argument of the jar, names a subcommand rather than a demo option. */
    public static boolean isCommand(String arg) {
        return COMMANDS.contains(arg);
    }

    /**
     * Runs one command, {@code args[0]} being its name.
     *
     * @return the exit status: {@value #EXIT_OK}, {@value #EXIT_FAILURE} or {@value #EXIT_USAGE}
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Invocation invocation;
        try {
            invocation = Invocation.parse(args);
        } catch (UsageException e) {
            e.problems().forEach(problem -> err.println("corral: " + problem));
            err.println("corral: run 'java -jar corral-demo.jar help' for the commands");
            return EXIT_USAGE;
        }
        if (invocation.help()) {
            out.print(usage());
            return EXIT_OK;
        }
        try {
            execute(invocation, out);
            return EXIT_OK;
        } catch (Failure failure) {
            failure.getMessage().lines().forEach(line -> err.println("corral: " + line));
            return EXIT_FAILURE;
        } catch (RuntimeException e) {
            // a bug of ours rather than the operator's problem, but still no stack trace for them
            err.println("corral: " + invocation.command() + " failed: " + e.getClass().getSimpleName() + ": "
                    + CorralJmx.reason(e));
            return EXIT_FAILURE;
        }
    }

    /** The text of {@code help}. */
    public static String usage() {
        return """
                Usage: java -jar corral-demo.jar COMMAND [--jmx HOST:PORT] ARGUMENTS...

                Manages a running Corral (in Jetty, in Tomcat, or the demo started with --jmx-port N)
                through its MBeans over remote JMX.

                Commands:
                  status [APP] [--json]        every app (or one) with its counts, settings and processes,
                                               like passenger-status; --json: the MBeans' attributes as JSON
                  restart APP [--all-at-once]  rolling restart: one process at a time, each once its
                                               replacement is ready; --all-at-once: every process at once
                  scale APP MIN MAX            sets minProcesses and maxProcesses
                  drain APP                    new requests get 503 draining; queued and running ones finish
                  resume APP                   takes new requests again
                  detach PID                   retires one process gracefully: it finishes its requests
                  faults APP SPEC|off          injects faults, e.g. connect:0.02,spawn:0.1,latency:0.05@200ms;
                                               off: none
                  help                         prints this text

                Options:
                  --jmx HOST:PORT   the JVM's remote JMX, as for jconsole (default %s): the demo's
                                    --jmx-port, or com.sun.management.jmxremote.port of Jetty or Tomcat;
                                    no authentication
                  --url URL         status only: read the status endpoint instead (the engine's statusPath,
                                    e.g. http://localhost:8080/corral-status; this client in statusAllow)

                Exit status: 0 done; 1 failed (target unreachable, unknown app or process, change refused);
                2 bad command line.

                Example: java -jar corral-demo.jar scale blog 2 8 --jmx localhost:9010
                """.formatted(DEFAULT_JMX);
    }

    private static void execute(Invocation invocation, PrintStream out) throws Failure {
        if (invocation.url() != null) {
            statusFromUrl(invocation.url(), invocation.operands().isEmpty() ? null : invocation.operands().get(0),
                    invocation.json(), out);
            return;
        }
        List<String> operands = invocation.operands();
        try (CorralJmx jmx = CorralJmx.connect(invocation.host(), invocation.port())) {
            switch (invocation.command()) {
                case "status" -> status(jmx, operands.isEmpty() ? null : operands.get(0), invocation.json(), out);
                case "restart" -> restart(jmx, operands.get(0), !invocation.allAtOnce(), out);
                case "scale" -> scale(jmx, operands.get(0), Integer.parseInt(operands.get(1)),
                        Integer.parseInt(operands.get(2)), out);
                case "drain" -> {
                    AppMXBean app = jmx.app(operands.get(0));
                    jmx.run(app::drain);
                    out.println("app [" + operands.get(0) + "]: draining: new requests are answered 503 until resume");
                }
                case "resume" -> {
                    AppMXBean app = jmx.app(operands.get(0));
                    jmx.run(app::resume);
                    out.println("app [" + operands.get(0) + "]: taking new requests again");
                }
                case "detach" -> detach(jmx, Long.parseLong(operands.get(0)), out);
                case "faults" -> faults(jmx, operands.get(0), operands.get(1), out);
                default -> throw new IllegalStateException("no command " + invocation.command());
            }
        }
    }

    /**
     * {@code status --url}: the status endpoint's text ({@code ?format=text}) or JSON
     * ({@code ?format=json}), for one app with {@code &app=NAME}.
     */
    private static void statusFromUrl(String url, String only, boolean json, PrintStream out) throws Failure {
        java.net.URI uri;
        try {
            uri = java.net.URI.create(url + (url.contains("?") ? "&" : "?") + "format=" + (json ? "json" : "text")
                    + (only == null ? "" : "&app=" + java.net.URLEncoder.encode(only, java.nio.charset.StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            throw new Failure("--url must be an http URL such as http://localhost:8080/corral-status, but was [" + url + "]");
        }
        java.net.http.HttpResponse<String> response;
        try {
            response = java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build()
                    .send(java.net.http.HttpRequest.newBuilder(uri).timeout(java.time.Duration.ofSeconds(10)).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new Failure("cannot read the status at " + url + ": " + (e.getMessage() == null ? e : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted reading the status at " + url);
        }
        switch (response.statusCode()) {
            case 200 -> out.print(json ? response.body() + "\n" : response.body());
            case 403 -> throw new Failure("the status at " + url + " refused this client (403): add its address to statusAllow");
            case 404 -> throw new Failure(response.body().isBlank() ? "no status at " + url + " (404): is it the engine's statusPath?"
                    : response.body().strip().lines().findFirst().orElse(""));
            default -> throw new Failure("the status at " + url + " answered " + response.statusCode() + ": "
                    + response.body().strip().lines().findFirst().orElse(""));
        }
    }

    private static void status(CorralJmx jmx, String only, boolean json, PrintStream out) throws Failure {
        List<String> all = jmx.apps();
        if (only != null) {
            jmx.appName(only);
        }
        List<String> apps = only != null ? List.of(only) : all;
        if (json) {
            // The layout of the status page's ?format=json, so that one reader takes both: the
            // engine's attributes at the top, its Version as "corral" ("version" is the layout's).
            Map<String, Object> engine = jmx.attributes(CorralJmx.engineName());
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("version", JSON_VERSION);
            document.put("corral", engine.get("version"));
            document.put("runDir", engine.get("runDir"));
            document.put("maxPoolProcesses", engine.get("maxPoolProcesses"));
            List<Object> appList = new ArrayList<>();
            for (String app : apps) {
                Map<String, Object> attributes = jmx.attributes(jmx.appName(app));
                List<Object> processList = new ArrayList<>();
                for (ObjectName process : jmx.processes(app)) {
                    processList.add(jmx.attributes(process));
                }
                attributes.put("processList", processList);
                appList.add(attributes);
            }
            document.put("apps", appList);
            out.println(Json.write(document));
            return;
        }
        EngineMXBean engine = jmx.engine();
        String version = jmx.call(engine::getVersion);
        int processes = jmx.call(engine::getProcesses);
        int maxPoolProcesses = jmx.call(engine::getMaxPoolProcesses);
        out.println("Corral " + version + " at JMX " + jmx.target());
        out.println("  apps: " + (all.isEmpty() ? "none" : String.join(", ", all)));
        out.println("  processes " + processes + " (maxPoolProcesses: "
                + (maxPoolProcesses == 0 ? "no limit" : maxPoolProcesses) + ")");
        out.println("  run dir " + jmx.call(engine::getRunDir));
        for (String name : apps) {
            AppMXBean app = jmx.app(name);
            out.println();
            out.print(jmx.call(app::statusText));
        }
    }

    private static void restart(CorralJmx jmx, String name, boolean rolling, PrintStream out) throws Failure {
        AppMXBean app = jmx.app(name);
        if (!jmx.call(() -> app.restart(rolling))) {
            throw new Failure("app [" + name + "] did not restart: a restart is under way already, or the app is stopping");
        }
        out.println("app [" + name + "]: " + (rolling ? "rolling restart started (one process at a time)"
                : "restart started (every process at once)") + "; 'status " + name + "' shows the progress");
    }

    private static void scale(CorralJmx jmx, String name, int min, int max, PrintStream out) throws Failure {
        AppMXBean app = jmx.app(name);
        jmx.run(() -> app.scale(min, max));
        out.println("app [" + name + "]: minProcesses " + jmx.call(app::getMinProcesses) + ", maxProcesses "
                + jmx.call(app::getMaxProcesses));
    }

    private static void detach(CorralJmx jmx, long pid, PrintStream out) throws Failure {
        ProcessMXBean process = jmx.process(pid);
        if (!jmx.call(process::detach)) {
            throw new Failure("process " + pid + " takes no requests (state " + jmx.call(process::getState) + ")");
        }
        out.println("process " + pid + ": detached; it finishes its requests, then stops");
    }

    private static void faults(CorralJmx jmx, String name, String spec, PrintStream out) throws Failure {
        FaultsMXBean faults = jmx.faults(name);
        jmx.run(spec.equals("off") ? faults::off : () -> faults.setSpec(spec));
        String inForce = jmx.call(faults::getSpec);
        out.println("app [" + name + "]: " + (inForce.isEmpty() ? "faults off"
                : "faults " + inForce + " (seed " + jmx.call(faults::getSeed) + ")"));
    }

    /**
     * A command that failed for a reason the operator can act on; its message is one line per
     * problem, printed without a stack trace.
     */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    /** A parsed command line. */
    record Invocation(String command, List<String> operands, String host, int port, String url, boolean json,
                      boolean allAtOnce, boolean help) {

        /** The operands each command takes, as the usage names them. */
        private static final Map<String, List<String>> OPERANDS = Map.of(
                "status", List.of("[APP]"), "restart", List.of("APP"), "scale", List.of("APP", "MIN", "MAX"),
                "drain", List.of("APP"), "resume", List.of("APP"), "detach", List.of("PID"),
                "faults", List.of("APP", "SPEC|off"), "help", List.of());
        private static final Set<String> COMMON_OPTIONS = Set.of("--jmx", "--help", "-h");

        static Invocation parse(String... args) throws UsageException {
            if (args.length == 0 || !isCommand(args[0])) {
                throw new UsageException(List.of("no command given; the commands are " + String.join(", ", COMMANDS)));
            }
            String command = args[0];
            List<String> operands = new ArrayList<>();
            String jmx = null;
            String url = null;
            boolean json = false;
            boolean allAtOnce = false;
            boolean help = command.equals("help");
            for (int i = 1; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("-") || arg.matches("-\\d+")) {
                    operands.add(arg);
                    continue;
                }
                int eq = arg.indexOf('=');
                String flag = arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
                String inline = flag.equals(arg) ? null : arg.substring(eq + 1);
                if (!COMMON_OPTIONS.contains(flag) && !options(command).contains(flag)) {
                    throw new UsageException(List.of("unknown option [" + flag + "] for " + command + "; its options are "
                            + String.join(", ", allOptions(command))));
                }
                switch (flag) {
                    case "--help", "-h" -> help = true;
                    case "--jmx" -> jmx = inline != null ? inline : value(args, ++i, flag, "HOST:PORT");
                    case "--url" -> url = inline != null ? inline : value(args, ++i, flag, "URL");
                    case "--json" -> json = true;
                    case "--all-at-once" -> allAtOnce = true;
                    default -> throw new IllegalStateException("option without a case: " + flag);
                }
            }
            if (help) {
                return new Invocation(command, operands, null, 0, null, false, false, true);
            }
            if (jmx != null && url != null) {
                throw new UsageException(List.of("give --jmx HOST:PORT or --url URL, not both"));
            }
            checkOperands(command, operands);
            String target = jmx != null ? jmx : DEFAULT_JMX;
            int colon = target.lastIndexOf(':');
            String host = colon > 0 ? target.substring(0, colon) : "";
            boolean bracketed = host.startsWith("[") && host.endsWith("]") && host.length() > 2;
            if (host.isEmpty() || host.contains(":") && !bracketed || host.contains("/")) {
                throw new UsageException(List.of("--jmx must be HOST:PORT, such as " + DEFAULT_JMX + ", but was [" + target + "]"));
            }
            int port = port(target.substring(colon + 1), target);
            return new Invocation(command, List.copyOf(operands), host, port, url, json, allAtOnce, false);
        }

        private static List<String> options(String command) {
            return switch (command) {
                case "status" -> List.of("--json", "--url");
                case "restart" -> List.of("--all-at-once");
                default -> List.of();
            };
        }

        private static List<String> allOptions(String command) {
            List<String> all = new ArrayList<>(List.of("--jmx"));
            all.addAll(options(command));
            all.add("--help");
            return all;
        }

        private static void checkOperands(String command, List<String> operands) throws UsageException {
            List<String> expected = OPERANDS.get(command);
            boolean optional = expected.size() == 1 && expected.get(0).startsWith("[");
            if (optional ? operands.size() > 1 : operands.size() != expected.size()) {
                throw new UsageException(List.of(command + " takes " + (expected.isEmpty() ? "no arguments"
                        : String.join(" ", expected)) + ", but got " + (operands.isEmpty() ? "none" : String.join(" ", operands))));
            }
            switch (command) {
                case "scale" -> {
                    wholeNumber(operands.get(1), "scale", "MIN");
                    wholeNumber(operands.get(2), "scale", "MAX");
                }
                case "detach" -> {
                    if (wholeNumber(operands.get(0), "detach", "PID") <= 0) {
                        throw new UsageException(List.of("detach takes a PID > 0, but got [" + operands.get(0) + "]"));
                    }
                }
                default -> {
                }
            }
        }

        /** {@code operand} as a long, or for scale as an int (what the operation takes). */
        private static long wholeNumber(String operand, String command, String name) throws UsageException {
            try {
                return command.equals("scale") ? Integer.parseInt(operand) : Long.parseLong(operand);
            } catch (NumberFormatException e) {
                long limit = command.equals("scale") ? Integer.MAX_VALUE : Long.MAX_VALUE;
                throw new UsageException(List.of(command + " takes a whole number" + (operand.matches("-?\\d+")
                        ? " up to " + limit : "") + " for " + name + ", but got [" + operand + "]"));
            }
        }

        private static String value(String[] args, int i, String flag, String what) throws UsageException {
            if (i >= args.length) {
                throw new UsageException(List.of(flag + " needs a value: " + flag + " " + what));
            }
            return args[i];
        }

        private static int port(String value, String target) throws UsageException {
            try {
                int port = Integer.parseInt(value);
                if (port >= 1 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new UsageException(List.of("--jmx must be HOST:PORT with a port 1..65535, but was [" + target + "]"));
        }
    }
}
