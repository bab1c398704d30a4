package dev.corral.bench;

import dev.corral.jetty.CorralHandler;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Jetty;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.util.stream.Collectors;

/**
 * Corral on an embedded Jetty 12, for the benchmarks: one {@link CorralHandler} serving one app
 * (the settings given with {@code --set}), or several ({@code --app NAME}, see
 * {@link LauncherOptions}), on a loopback port, nothing else in the handler tree.
 *
 * <pre>
 * java -jar bench/target/corral-bench-jetty.jar --port 18082 \
 *      --set appRoot=bench --set minProcesses=4 --set maxProcesses=4 --set listen=tcp
 * </pre>
 *
 * <p>Jetty's defaults are kept (a {@link QueuedThreadPool} of at most 200 threads, one
 * {@link ServerConnector}); {@code --container maxThreads=N} changes the pool's size. Prints
 * {@code corral-bench: ready ...} on stdout once Jetty and the app's {@code minProcesses} are
 * started; SIGTERM or SIGINT stop Jetty, the engine and every app process.
 */
public final class JettyLauncher {
    private JettyLauncher() {
    }

    public static void main(String[] args) throws Exception {
        LauncherOptions options = LauncherOptions.parseOrExit("corral-bench-jetty", args);
        BenchLogging.install();
        QueuedThreadPool threads = new QueuedThreadPool(options.containerInt("maxThreads", 200));
        threads.setName("jetty");
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(options.host);
        connector.setPort(options.port);
        server.addConnector(connector);
        CorralHandler corral = new CorralHandler();
        options.apps().forEach(corral::addApp);
        options.engine.forEach(corral::setEngineSetting);
        server.setHandler(corral);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
            } catch (Exception e) {
                System.err.println("corral-bench-jetty: stopping failed: " + e);
            }
        }, "corral-bench-stop"));
        server.start();
        System.out.println("corral-bench: ready container=jetty-" + Jetty.VERSION + " port=" + connector.getLocalPort()
                + corral.getCorral().apps().stream().map(app -> " app=" + app.config()).collect(Collectors.joining()));
        System.out.flush();
        server.join();
    }
}
