package dev.corral.jetty;

import dev.corral.config.AppSettings;
import dev.corral.pool.Corral;
import dev.corral.testing.ContainerFixture;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.net.URI;
import java.util.List;

/** Embedded Jetty 12 with a {@link CorralHandler} at the root, on a free loopback port. */
final class JettyFixture implements ContainerFixture {
    private Server server;
    private CorralHandler handler;

    @Override
    public URI start(List<AppSettings> apps, int maxThreads, java.util.Map<String, String> engineSettings) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(maxThreads, Math.min(8, maxThreads));
        threads.setName("jetty-test");
        server = new Server(threads);
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        handler = new CorralHandler();
        apps.forEach(handler::addApp);
        engineSettings.forEach(handler::setEngineSetting);
        server.setHandler(handler);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @Override
    public Corral corral() {
        return handler == null ? null : handler.getCorral();
    }

    @Override
    public void close() throws Exception {
        if (server != null) {
            server.stop();
        }
    }
}
