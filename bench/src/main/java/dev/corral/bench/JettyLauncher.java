package dev.corral.bench;

import dev.corral.jetty.CorralHandler;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Jetty;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.util.function.Consumer;

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
        WarmUp.run("corral-bench-jetty", options.warmUp, warmUp -> start(warmUp, stop -> { }));
        EmbeddedCorral started = start(options, stop -> Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                stop.run();
            } catch (Exception e) {
                System.err.println("corral-bench-jetty: stopping failed: " + e);
            }
        }, "corral-bench-stop")));
        System.out.println(started.readyLine());
        System.out.flush();
        started.await();
    }

    /**
     * Starts Jetty with Corral as {@code options} say; returns once Jetty and the apps'
     * {@code minProcesses} are started.
     *
     * @param beforeStart given what stops the container, before it starts (to install a shutdown hook)
     */
    static EmbeddedCorral start(LauncherOptions options, Consumer<EmbeddedCorral.Action> beforeStart) throws Exception {
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
        beforeStart.accept(server::stop);
        server.start();
        return new EmbeddedCorral("jetty-" + Jetty.VERSION, connector.getLocalPort(), corral.getCorral(), server::stop,
                server::join);
    }
}
