package dev.corral.tomcat;

import dev.corral.config.AppSettings;
import dev.corral.pool.Corral;
import dev.corral.testing.ContainerFixture;

import org.apache.catalina.Host;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.AccessLogValve;
import org.apache.tomcat.util.IntrospectionUtils;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Embedded Tomcat 11 on a free loopback port, with one {@link CorralValve} per app on the Host's
 * pipeline, configured the way server.xml does it (Tomcat's own {@link IntrospectionUtils}), and
 * an {@link AccessLogValve} with Corral's request attributes before them.
 * With a ROOT context (the default) requests are mapped to a Context and the valve runs async;
 * without one, the valve runs at Host level with no Context and blocks the connector thread.
 */
final class TomcatFixture implements ContainerFixture {
    /** The access log line of {@link ContainerFixture#accessLog()}, in AccessLogValve's codes. */
    static final String ACCESS_LOG_PATTERN = "%s \"%r\" %{corral.app}r %{corral.pid}r %{corral.queueMillis}r "
            + "%{corral.reason}r %{X-Request-Id}o";
    private final boolean rootContext;
    private final List<CorralValve> valves = new ArrayList<>();
    private Tomcat tomcat;
    private Path baseDir;

    /** Tomcat with an empty ROOT context: the valve runs async. */
    TomcatFixture() {
        this(true);
    }

    TomcatFixture(boolean rootContext) {
        this.rootContext = rootContext;
    }

    /** A valve with the app's settings set as server.xml attributes. */
    static CorralValve valve(AppSettings app) {
        CorralValve valve = new CorralValve();
        for (String name : AppSettings.names()) {
            String value = app.get(name);
            if (value != null && !IntrospectionUtils.setProperty(valve, name, value)) {
                throw new IllegalStateException("CorralValve has no attribute " + name);
            }
        }
        return valve;
    }

    @Override
    public URI start(List<AppSettings> apps, int maxThreads, java.util.Map<String, String> engineSettings) throws Exception {
        List<CorralValve> list = new ArrayList<>();
        apps.forEach(app -> list.add(valve(app)));
        engineSettings.forEach((name, value) -> list.forEach(valve -> {
            if (!IntrospectionUtils.setProperty(valve, name, value)) {
                throw new IllegalStateException("CorralValve has no attribute " + name);
            }
        }));
        return startValves(list, maxThreads);
    }

    /** Starts Tomcat with these valves on the Host, in this order. */
    URI startValves(List<CorralValve> hostValves, int maxThreads) throws Exception {
        baseDir = Files.createTempDirectory("corral-tomcat-");
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxThreads", Integer.toString(maxThreads));
        connector.setProperty("minSpareThreads", Integer.toString(Math.min(8, maxThreads)));
        tomcat.getService().addConnector(connector);
        tomcat.setConnector(connector);
        Host host = tomcat.getHost();
        AccessLogValve accessLog = new AccessLogValve();
        accessLog.setDirectory(baseDir.resolve("logs").toString());
        accessLog.setPrefix("access");
        accessLog.setSuffix(".log");
        accessLog.setRotatable(false);
        accessLog.setBuffered(false);
        accessLog.setPattern(ACCESS_LOG_PATTERN);
        host.getPipeline().addValve(accessLog);
        for (CorralValve valve : hostValves) {
            host.getPipeline().addValve(valve);
            valves.add(valve);
        }
        if (rootContext) {
            Path docBase = Files.createDirectories(baseDir.resolve("ROOT"));
            StandardContext root = (StandardContext) tomcat.addContext("", docBase.toString());
            // leak detection on undeploy needs --add-opens and only warns; nothing to detect here
            root.setClearReferencesThreadLocals(false);
            root.setClearReferencesRmiTargets(false);
        }
        try {
            tomcat.start();
        } catch (Exception e) {
            close();
            throw e;
        }
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @Override
    public List<String> accessLog() throws IOException {
        Path file = baseDir == null ? null : baseDir.resolve("logs/access.log");
        return file == null || !Files.exists(file) ? List.of() : Files.readAllLines(file);
    }

    @Override
    public Corral corral() {
        return valves.isEmpty() ? null : valves.get(0).getCorral();
    }

    @Override
    public void close() throws org.apache.catalina.LifecycleException, IOException {
        if (tomcat == null) {
            return;
        }
        Tomcat stopping = tomcat;
        tomcat = null;
        try {
            stopping.stop();
            stopping.destroy();
        } finally {
            deleteBaseDir();
        }
    }

    private void deleteBaseDir() throws IOException {
        try (Stream<Path> paths = Files.walk(baseDir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
