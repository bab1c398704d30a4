package dev.corral.examples;

import dev.corral.config.AppConfig;
import dev.corral.config.AppType;
import dev.corral.config.ConfigException;
import dev.corral.examples.DemoOptions.UsageException;
import dev.corral.jetty.CorralHandler;
import dev.corral.jmx.LoopbackJmx;
import dev.corral.pool.Corral;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Corral standalone, like {@code passenger start}: an embedded Jetty whose only handler is a
 * {@link CorralHandler} serving one app (by default the bundled demo WSGI app) from a pool of
 * processes. Requests the app does not match get Jetty's 404.
 *
 * <pre>{@code
 * try (Demo demo = Demo.start(DemoOptions.parse("--port", "0", "--set", "maxProcesses=2"))) {
 *     System.out.println(demo.uri());   // http://localhost:<port>/
 * }
 * }</pre>
 *
 * <p>Lifetime: a {@code Demo} owns the Jetty {@link Server}, which owns the {@link CorralHandler},
 * which owns the engine and every app process; {@link #close()} stops them in that order, then
 * deletes the extracted demo app. {@link #main} closes it from a shutdown hook on SIGINT/SIGTERM.
 * If the JVM dies without running the hook, each app process's lifeline sees its stdin close and
 * stops the app anyway.
 *
 * <p>When the first argument names a command ({@code status}, {@code restart}, ...), {@link #main}
 * runs {@link CorralCommand} instead, which manages a running Corral over remote JMX.
 *
 * <p>Thread-safe: {@link #close()} may race with itself (it runs once).
 */
public final class Demo implements AutoCloseable {
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;
    private static final String BUNDLED_APP = "/dev/corral/demo/app.py";

    private final Server server;
    private final ServerConnector connector;
    private final CorralHandler corral;
    private final String uriHost;
    /** The extracted demo app, deleted by {@link #close()}; null when {@code --set appRoot} was given. */
    private final Path bundledAppRoot;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** --jmx-port: remote JMX on the loopback address, or -1 for none. */
    private final int jmxPort;
    private volatile LoopbackJmx jmx;

    public static void main(String[] args) {
        if (args.length > 0 && CorralCommand.isCommand(args[0])) {
            // status, restart, ...: manage a running Corral instead of starting one
            System.exit(CorralCommand.run(args, System.out, System.err));
            return;
        }
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
        } catch (UsageException e) {
            e.problems().forEach(problem -> System.err.println("corral-demo: " + problem));
            System.err.println("corral-demo: run with --help for the options and settings");
            System.exit(EXIT_USAGE);
            return;
        }
        if (options.help()) {
            System.out.print(DemoOptions.usage());
            return;
        }
        DemoLogging.install();
        Demo demo;
        try {
            demo = new Demo(options);
        } catch (IOException e) {
            System.err.println("corral-demo: cannot extract the demo app: " + e.getMessage());
            System.exit(EXIT_FAILURE);
            return;
        }
        // Registered before the start, so that a Ctrl-C during it stops what started. JUL closes
        // its handlers in its own shutdown hook, so this hook prints rather than logs.
        Thread stopper = new Thread(() -> {
            System.err.println("corral-demo: stopping Jetty and every app process");
            demo.close();
            System.err.println("corral-demo: stopped");
        }, "corral-demo-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            demo.startServer();
        } catch (Exception e) {
            removeShutdownHook(stopper);
            if (e instanceof ConfigException config) {
                config.problems().forEach(problem -> System.err.println("corral-demo: " + problem));
                System.exit(EXIT_USAGE);
                return;
            }
            System.err.println("corral-demo: " + startFailure(e, options));
            System.exit(EXIT_FAILURE);
            return;
        }
        System.out.println(demo.banner());
        try {
            demo.server.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Extracts the bundled app if needed and starts Jetty with Corral; see {@link #startServer()}.
     *
     * @throws ConfigException if the app settings are invalid
     * @throws IOException     if the port cannot be bound (cause {@link BindException}) or the app cannot be extracted
     */
    public static Demo start(DemoOptions options) throws Exception {
        return new Demo(options).startServer();
    }

    /** Extracts the bundled app if needed and configures Jetty and Corral; nothing runs yet. */
    Demo(DemoOptions options) throws IOException {
        this.server = new Server();
        this.connector = new ServerConnector(server);
        connector.setHost(options.host());
        connector.setPort(options.port());
        server.addConnector(connector);
        this.corral = new CorralHandler();
        this.jmxPort = options.jmxPort();
        server.setHandler(corral);
        // Extracted last: class loading above takes a while, and until main registers its
        // shutdown hook a SIGTERM would leave the directory behind.
        this.bundledAppRoot = options.bundledApp() ? extractBundledApp() : null;
        corral.addApp(options.settings(bundledAppRoot));
        options.engineSettings().forEach(corral::setEngineSetting);
        String host = options.host();
        this.uriHost = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") ? "localhost"
                : host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /**
     * Starts Jetty, which starts Corral and the app's {@code minProcesses}. The port is bound
     * before any app process starts (Jetty opens connectors early), so a busy port spawns
     * nothing. On failure everything is stopped again and the extracted app deleted.
     */
    Demo startServer() throws Exception {
        try {
            if (jmxPort >= 0) {
                jmx = LoopbackJmx.start(jmxPort);
            }
            server.start();
            return this;
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** The remote JMX server, or null without --jmx-port. */
    public LoopbackJmx jmx() {
        return jmx;
    }

    /** The app's URL, e.g. {@code http://localhost:8080/}, with the actual port and the path prefix. */
    public URI uri() {
        String prefix = config().pathPrefix();
        return URI.create("http://" + uriHost + ":" + connector.getLocalPort() + (prefix.equals("/") ? "/" : prefix + "/"));
    }

    /** The running engine. */
    public Corral corral() {
        return corral.getCorral();
    }

    /** The line printed once started. */
    String banner() {
        AppConfig config = config();
        String kind = config.type() == AppType.WSGI ? " Python" : config.type() == AppType.NODE ? " Node.js" : "";
        return "Corral demo: serving app [" + config.name() + "] at " + uri() + " (" + config.minProcesses() + ".."
                + config.maxProcesses() + kind + " processes)" + (corral.getStatusPath() == null ? ""
                : "; status at " + uri().resolve(corral.getStatusPath())) + (jmx == null ? "" : "; JMX at localhost:" + jmx.port()
                + " (jconsole localhost:" + jmx.port() + ")") + "; Ctrl-C stops it";
    }

    private AppConfig config() {
        return corral().apps().get(0).config();
    }

    /** Stops Jetty, which stops the engine and waits for every app process to exit; then deletes the extracted app. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.stop();
        } catch (Exception e) {
            System.err.println("corral-demo: stopping Jetty failed: " + e);
        } finally {
            if (jmx != null) {
                jmx.close();
            }
            delete(bundledAppRoot);
        }
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway; it finds the demo closed
        }
    }

    private static String startFailure(Exception e, DemoOptions options) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return "cannot listen on " + options.host() + ":" + options.port() + ": " + t.getMessage()
                        + " (choose another port with --port N, or --port 0 for any free one)";
            }
        }
        return "cannot start: " + e;
    }

    private static Path extractBundledApp() throws IOException {
        Path dir = Files.createTempDirectory("corral-demo-");
        try (InputStream in = Demo.class.getResourceAsStream(BUNDLED_APP)) {
            if (in == null) {
                throw new IOException("the demo jar lacks " + BUNDLED_APP);
            }
            Files.copy(in, dir.resolve("app.py"));
            // public code: readable by the user the app may run as (--set user=NAME, with root)
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(dir.resolve("app.py"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            delete(dir);
            throw e;
        }
        return dir;
    }

    /** Deletes a directory tree (Python adds __pycache__ to the app's); best effort. */
    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("corral-demo: cannot delete " + dir + ": " + e.getMessage());
        }
    }
}
