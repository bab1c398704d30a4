package dev.corral.jetty;

import dev.corral.config.AppSettings;
import dev.corral.pool.Corral;
import dev.corral.testing.ContainerFixture;

import org.eclipse.jetty.logging.JettyLogger;
import org.eclipse.jetty.logging.StdErrAppender;
import org.eclipse.jetty.server.CustomRequestLog;
import org.eclipse.jetty.server.RequestLogWriter;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Embedded Jetty 12 with a {@link CorralHandler} at the root, on a free loopback port; a
 * {@link CustomRequestLog} with Corral's request attributes, and what Jetty's own logger writes
 * kept (besides going to stderr) to find stack traces in it.
 */
final class JettyFixture implements ContainerFixture {
    /** The access log line of {@link ContainerFixture#accessLog()}, in CustomRequestLog's codes. */
    static final String ACCESS_LOG_FORMAT = "%s \"%r\" %{corral.app}attr %{corral.pid}attr %{corral.queueMillis}attr "
            + "%{corral.reason}attr %{X-Request-Id}o";
    /** A line where Jetty's StdErrAppender begins an entry: {@code 2026-12-03 00:38:37.123:WARN :...}. */
    private static final Pattern ENTRY_START = Pattern.compile("^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}:");

    /** The server's graceful stop timeout (0: none, Jetty's embedded default). */
    private final long stopTimeoutMillis;
    private Server server;
    private CorralHandler handler;
    private Path accessLog;
    private StdErrAppender appender;
    private PrintStream jettyStream;
    private final ByteArrayOutputStream jettyLog = new ByteArrayOutputStream();

    /** Jetty as embedded code gets it: no graceful stop. */
    JettyFixture() {
        this(0);
    }

    /** With a graceful stop of up to {@code stopTimeoutMillis} (the distribution's graceful module: 5 s). */
    JettyFixture(long stopTimeoutMillis) {
        this.stopTimeoutMillis = stopTimeoutMillis;
    }

    @Override
    public URI start(List<AppSettings> apps, int maxThreads, java.util.Map<String, String> engineSettings) throws Exception {
        captureJettyLog();
        QueuedThreadPool threads = new QueuedThreadPool(maxThreads, Math.min(8, maxThreads));
        threads.setName("jetty-test");
        server = new Server(threads);
        server.setStopTimeout(stopTimeoutMillis);
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        accessLog = Files.createTempFile("corral-jetty-access-", ".log");
        server.setRequestLog(new CustomRequestLog(new RequestLogWriter(accessLog.toString()), ACCESS_LOG_FORMAT));
        handler = new CorralHandler();
        apps.forEach(handler::addApp);
        engineSettings.forEach(handler::setEngineSetting);
        server.setHandler(handler);
        try {
            server.start();
        } catch (Exception e) {
            close();
            throw e;
        }
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    /** Jetty's logger (jetty-slf4j-impl) writes to stderr and, while this fixture runs, to {@link #jettyLog}. */
    private void captureJettyLog() {
        if (LoggerFactory.getLogger("org.eclipse.jetty") instanceof JettyLogger logger
                && logger.getAppender() instanceof StdErrAppender stdErr) {
            appender = stdErr;
            jettyStream = stdErr.getStream();
            PrintStream original = jettyStream != null ? jettyStream : System.err;   // null: System.err
            stdErr.setStream(new PrintStream(new OutputStream() {
                @Override
                public void write(int b) {
                    original.write(b);
                    synchronized (jettyLog) {
                        jettyLog.write(b);
                    }
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    original.write(b, off, len);
                    synchronized (jettyLog) {
                        jettyLog.write(b, off, len);
                    }
                }
            }, true, StandardCharsets.UTF_8));
        }
    }

    @Override
    public List<String> accessLog() throws IOException {
        return accessLog == null ? List.of() : Files.readAllLines(accessLog);
    }

    @Override
    public List<String> stackTraces() {
        String text;
        synchronized (jettyLog) {
            text = jettyLog.toString(StandardCharsets.UTF_8);
        }
        List<String> entries = new ArrayList<>();
        StringBuilder entry = null;
        for (String line : text.split("\n")) {
            if (ENTRY_START.matcher(line).find()) {
                addIfStackTrace(entries, entry);
                entry = new StringBuilder(line);
            } else if (entry != null) {
                entry.append('\n').append(line);
            }
        }
        addIfStackTrace(entries, entry);
        return entries;
    }

    private static void addIfStackTrace(List<String> entries, StringBuilder entry) {
        if (entry != null && entry.indexOf("\n\tat ") >= 0) {
            entries.add(entry.toString());
        }
    }

    @Override
    public Corral corral() {
        return handler == null ? null : handler.getCorral();
    }

    @Override
    public void close() throws Exception {
        try {
            if (server != null) {
                server.stop();
            }
        } finally {
            if (appender != null) {
                appender.setStream(jettyStream);
                appender = null;
            }
            if (accessLog != null) {
                Files.deleteIfExists(accessLog);
            }
        }
    }
}
