package dev.corral.bench;

import dev.corral.config.AppSettings;
import dev.corral.tomcat.CorralValve;

import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.util.ServerInfo;
import org.apache.tomcat.util.IntrospectionUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Corral on an embedded Tomcat 11, for the benchmarks: one {@link CorralValve} per app on the
 * Host (one app, or several with {@code --app NAME}, see {@link LauncherOptions}; the valves share
 * one engine), their attributes set the way server.xml sets them, and an empty ROOT context so that requests map to
 * a Context and the valve runs async (queued requests hold no connector thread), as the README
 * asks of an installation.
 *
 * <pre>
 * java -jar bench/target/corral-bench-tomcat.jar --port 18083 \
 *      --set appRoot=bench --set minProcesses=4 --set maxProcesses=4 --set listen=tcp
 * </pre>
 *
 * <p>The connector is Tomcat's default HTTP/1.1 (NIO) connector with its defaults, except
 * {@code maxKeepAliveRequests=-1}: Tomcat's default of 100 closes every client connection after
 * 100 requests, which the other systems measured do not do; and
 * {@code socket.appWriteBufSize=65536}, which the README advises for apps with large responses:
 * Tomcat copies every blocking write into this per-connection buffer and writes it to the socket
 * whenever it is full, so its default of 8 KiB makes 32 system calls of a 256 KiB body (big256:
 * ~36 writes a response against ~8, JVM CPU per response -30..-40%, docs/PERFORMANCE.md).
 * {@code --container NAME=VALUE} sets any other connector attribute, or these again. Prints {@code corral-bench: ready ...} once started; SIGTERM or
 * SIGINT stop Tomcat and every app process.
 */
public final class TomcatLauncher {
    private TomcatLauncher() {
    }

    public static void main(String[] args) throws Exception {
        LauncherOptions options = LauncherOptions.parseOrExit("corral-bench-tomcat", args);
        BenchLogging.install();
        WarmUp.run("corral-bench-tomcat", options.warmUp, warmUp -> start(warmUp, stop -> { }));
        EmbeddedCorral started = start(options, stop -> Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                stop.run();
            } catch (Exception e) {
                System.err.println("corral-bench-tomcat: stopping failed: " + e);
            }
        }, "corral-bench-stop")));
        System.out.println(started.readyLine());
        System.out.flush();
        started.await();
    }

    /**
     * Starts Tomcat with Corral as {@code options} say; returns once Tomcat and the apps'
     * {@code minProcesses} are started. Exits the JVM (status 1) if a valve did not start.
     *
     * @param beforeStart given what stops the container (and deletes its base directory), before
     *                    it starts (to install a shutdown hook)
     */
    static EmbeddedCorral start(LauncherOptions options, Consumer<EmbeddedCorral.Action> beforeStart) throws Exception {
        Path baseDir = Files.createTempDirectory("corral-bench-tomcat-");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(options.port);
        connector.setProperty("address", options.host);
        connector.setProperty("maxKeepAliveRequests", "-1");
        connector.setProperty("socket.appWriteBufSize", "65536");
        for (Map.Entry<String, String> attribute : options.container.entrySet()) {
            if (!connector.setProperty(attribute.getKey(), attribute.getValue())) {
                System.err.println("corral-bench-tomcat: the connector has no attribute [" + attribute.getKey() + "]");
                System.exit(2);
            }
        }
        tomcat.getService().addConnector(connector);
        tomcat.setConnector(connector);
        List<CorralValve> valves = new ArrayList<>();
        for (AppSettings settings : options.apps()) {
            CorralValve valve = new CorralValve();
            for (String name : AppSettings.names()) {
                String value = settings.get(name);
                if (value != null && !IntrospectionUtils.setProperty(valve, name, value)) {
                    throw new IllegalStateException("CorralValve has no attribute " + name);
                }
            }
            // engine settings: every valve that sets one must agree, so all get the same
            options.engine.forEach((name, value) -> {
                if (!IntrospectionUtils.setProperty(valve, name, value)) {
                    throw new IllegalStateException("CorralValve has no attribute " + name);
                }
            });
            tomcat.getHost().getPipeline().addValve(valve);
            valves.add(valve);
        }
        Path docBase = Files.createDirectories(baseDir.resolve("ROOT"));
        StandardContext root = (StandardContext) tomcat.addContext("", docBase.toString());
        root.setClearReferencesThreadLocals(false);
        root.setClearReferencesRmiTargets(false);
        EmbeddedCorral.Action stop = () -> {
            try {
                tomcat.stop();
                tomcat.destroy();
            } finally {
                delete(baseDir);
            }
        };
        beforeStart.accept(stop);
        tomcat.start();
        if (valves.stream().anyMatch(valve -> valve.getCorral() == null)) {
            // Tomcat logs a failed valve start and carries on; the harness must not measure that
            System.err.println("corral-bench-tomcat: the Corral valve did not start; see the log above");
            System.exit(1);
        }
        String info = ServerInfo.getServerInfo();   // "Apache Tomcat/11.0.24"
        return new EmbeddedCorral("tomcat-" + info.substring(info.indexOf('/') + 1), connector.getLocalPort(),
                valves.get(0).getCorral(), stop, () -> tomcat.getServer().await());
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            System.err.println("corral-bench-tomcat: cannot delete " + dir + ": " + e.getMessage());
        }
    }
}
