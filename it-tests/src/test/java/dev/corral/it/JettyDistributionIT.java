package dev.corral.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Jetty 12.1 distribution with Corral installed exactly as the README says: its install
 * commands run as they are (unzip the archive into a fresh JETTY_BASE, {@code start.jar
 * --add-modules=http,corral}), and its apps configured the README's three ways: the
 * {@code corral.app.*} lines in {@code start.d/corral.ini} (gunicorn), files in
 * {@code $JETTY_BASE/corral/} (Node, Python's http.server on {@code $PORT}) and Jetty XML (uvicorn,
 * the bundled WSGI loader). Jetty runs as a separate process; the test serves every app, manages
 * them over remote JMX, stops Jetty with SIGTERM and finds no app process left and Corral's stop
 * lines in Jetty's log. A misspelt property fails the start, naming it, and starts no process.
 */
@Timeout(180)
class JettyDistributionIT {
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(45);

    private JettyBase jettyBase;
    private Path apps;
    private int port;
    private Readme readme;
    private ExternalProcess jetty;

    @BeforeEach
    void setUp() throws IOException {
        readme = Readme.load();
    }

    @AfterEach
    void tearDown() {
        if (jetty != null) {
            jetty.close();
        }
    }

    @Test
    void installedAsTheReadmeSaysItServesFiveAppsAndStopsThemWithJetty() throws Exception {
        install("jetty-apps");
        // Jetty's jmx, statistics and compression modules as well: Corral's handler must sit under
        // the statistics and compression handlers, so that they count and compress its answers too
        jettyBase.startJar("--add-modules=jmx,statistics,compression-gzip");
        jettyBase.appendToCorralIni(readme.block("jetty-ini", apps));
        Readme.write(jettyBase.dir.resolve("corral/shop.properties"), readme.block("jetty-app shop", apps));
        Readme.write(jettyBase.dir.resolve("corral/files.properties"), readme.block("jetty-app files", apps));
        Readme.write(jettyBase.dir.resolve("etc/corral-apps.xml"), readme.block("jetty-xml", apps));
        jettyBase.appendToCorralIni("etc/corral-apps.xml\n");

        int jmxPort = It.freePort();
        jetty = jettyBase.start(RemoteJmx.flags(jmxPort));
        jettyBase.awaitHttp(jetty);

        // every app, each through its own server
        HttpResponse<String> blog = It.get(port, "/blog/hello");
        assertEquals(200, blog.statusCode(), () -> "GET /blog/hello: " + It.describe(blog) + jetty.logTail());
        assertTrue(blog.body().startsWith("hello from blog pid "), () -> It.describe(blog));
        long gunicornWorker = Long.parseLong(blog.headers().firstValue("X-Pid").orElseThrow());
        HttpResponse<String> shop = It.get(port, "/shop/cart");
        assertTrue(shop.statusCode() == 200 && shop.body().startsWith("hello from node shop pid "), () -> It.describe(shop));
        HttpResponse<String> files = It.get(port, "/files/hello.txt");
        assertEquals(200, files.statusCode(), () -> "GET /files/hello.txt: " + It.describe(files) + jetty.logTail());
        assertEquals(ItApps.FILE_TEXT, files.body());
        HttpResponse<String> api = It.get(port, "/api/items");
        assertEquals(200, api.statusCode(), () -> "GET /api/items: " + It.describe(api) + jetty.logTail());
        assertTrue(api.body().startsWith("hello from asgi pid ") && api.body().endsWith("path /api/items\n"), api::body);
        HttpResponse<String> admin = It.get(port, "/admin/hello");
        assertTrue(admin.statusCode() == 200 && admin.body().startsWith("hello from admin pid "), () -> It.describe(admin));
        HttpResponse<byte[]> gzipped = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/blog/headers")).header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals("gzip", gzipped.headers().firstValue("Content-Encoding").orElse(null), () -> "Jetty's compression "
                + "handler does not wrap Corral's: " + gzipped.headers().map());
        try (java.io.InputStream unzipped = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gzipped.body()))) {
            String json = new String(unzipped.readAllBytes(), StandardCharsets.UTF_8);
            // and gunicorn took the path prefix off PATH_INFO, as the recipe's SCRIPT_NAME asks
            assertTrue(json.contains("\"PATH_INFO\": \"/headers\"") && json.contains("\"SCRIPT_NAME\": \"/blog\""), json);
        }
        HttpResponse<String> other = It.get(port, "/other");
        assertEquals(404, other.statusCode(), () -> "GET /other: " + It.describe(other));
        assertFalse(other.headers().firstValue("X-Corral-Reason").isPresent(), () -> "GET /other: " + It.describe(other));

        List<ProcEntry> tree = jetty.descendants();
        ProcEntry worker = tree.stream().filter(e -> e.pid() == gunicornWorker).findFirst().orElseThrow(() ->
                new AssertionError("gunicorn's worker " + gunicornWorker + " is not a descendant of Jetty:" + It.list(tree)));
        assertTrue(worker.commandLine().contains("gunicorn"), worker::toString);
        for (String server : List.of("uvicorn", "http.server", "corral-node", "corral-wsgi")) {
            assertTrue(tree.stream().anyMatch(e -> e.commandLine().contains(server)), () -> "no " + server + ":" + It.list(tree));
        }

        // read back over remote JMX, as with jconsole; then everything an operator does, on gunicorn
        try (RemoteJmx jmx = new RemoteJmx(jmxPort)) {
            jmx.readBack("blog", Map.of("type", "generic", "pathPrefix", "/blog", "concurrency", "2", "env", "SCRIPT_NAME=/blog"), 1);
            jmx.readBack("shop", Map.of("type", "node", "entryPoint", "app.js", "concurrency", "0"), 1);
            jmx.readBack("files", Map.of("type", "generic", "listen", "tcp"), 1);
            jmx.readBack("api", Map.of("type", "generic", "concurrency", "0", "pathPrefix", "/api"), 1);
            jmx.readBack("admin", Map.of("type", "wsgi", "maxProcesses", "2"), 1);
            ObjectName statistics = jmx.connection().queryNames(
                    new ObjectName("org.eclipse.jetty.server.handler:type=statisticshandler,*"), null).iterator().next();
            int counted = ((Number) jmx.connection().getAttribute(statistics, "requests")).intValue();
            assertTrue(counted >= 7, () -> "Jetty's StatisticsHandler counted " + counted + " of the 7 requests to Corral's apps");
            jmx.exercise("blog", URI.create("http://127.0.0.1:" + port + "/blog/"));
        }

        List<ProcEntry> before = jetty.descendants();
        assertTrue(jetty.descendantGroups().size() >= 5, () -> "a process group per app process:" + It.list(before));
        jetty.terminateLeavingNoProcess(STOP_DEADLINE);

        // Corral's lines go through Jetty's logging, its last ones at the stop included (they were
        // lost when java.util.logging's shutdown hook reset its handlers while Jetty stopped Corral)
        String log = jetty.logText();
        assertTrue(log.matches("(?s).*:INFO :[a-z.]*pool:[^\\n]*: Corral 0[^\\n]* started; run directory .*"),
                () -> "no start line of Corral in Jetty's log format" + jetty.logTail());
        int shutdown = log.indexOf(":JettyShutdownThread:");
        assertTrue(shutdown > 0, () -> "Jetty's shutdown hook logged nothing" + jetty.logTail());
        String stop = log.substring(shutdown);
        for (String app : List.of("blog", "shop", "files", "api", "admin")) {
            assertTrue(stop.matches("(?s).*:INFO :[a-z.]*pool:[^\\n]*: process \\d+ of app " + app + " exited with [^\\n]*\\n.*"),
                    () -> "no exit line of app " + app + " in Jetty's log after SIGTERM" + jetty.logTail());
        }
        assertTrue(stop.matches("(?s).*:INFO :[a-z.]*pool:JettyShutdownThread: Corral stopped\\n.*"),
                () -> "no 'Corral stopped' in Jetty's log after SIGTERM" + jetty.logTail());
    }

    @Test
    void theReadmesRecipesAreTheSettingsOfTheAppsThisTestServes() {
        assertUsed("gunicorn", readme.block("jetty-ini"), (k, v) -> "corral.app." + k + "=" + v);
        assertUsed("port", readme.block("jetty-app files"), (k, v) -> k + "=" + v);
        assertUsed("uvicorn", readme.block("jetty-xml"), (k, v) -> "<Set name=\"" + k + "\">" + v + "</Set>");
    }

    /** Every {@code k=v} line of recipe {@code name} is a line of {@code config}, spelled by {@code line}. */
    private void assertUsed(String name, String config, java.util.function.BiFunction<String, String, String> line) {
        List<String> lines = config.lines().map(String::strip).toList();
        for (String setting : Readme.withoutComments(readme.block("recipe " + name)).lines().toList()) {
            int eq = setting.indexOf('=');
            String expected = line.apply(setting.substring(0, eq), setting.substring(eq + 1));
            assertTrue(lines.contains(expected), () -> "the " + name + " recipe's " + setting + " is not tested: no line ["
                    + expected + "] in\n" + config);
        }
    }

    @Test
    void aMisspeltPropertyFailsTheStartNamingTheSettingItMeansAndStartsNoProcess() throws Exception {
        install("jetty-misspelt");
        Path runDir = It.shortRunDir();
        try {
            jettyBase.appendToCorralIni(readme.block("jetty-ini", apps) + "corral.runDir=" + runDir + "\ncorral.app.maxProces=4\n");
            jetty = jettyBase.start(List.of());
            List<ProcEntry> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            It.await("Jetty to exit after its failed start", JettyBase.START_DEADLINE, () -> {
                ProcEntry.all().stream().filter(e -> e.commandLine().contains(runDir.toString())).forEach(seen::add);
                return !jetty.process().isAlive();
            }, jetty::logTail);
            assertEquals(List.of(), seen, "processes of Corral's run directory while Jetty started");
            assertTrue(jetty.process().exitValue() != 0, () -> "exit status " + jetty.process().exitValue() + jetty.logTail());
            String log = jetty.logText();
            assertTrue(log.contains("'corral.app.maxProces' is not a Corral property; did you mean 'corral.app.maxProcesses'? "
                    + "(set to [4]) in start.d/corral.ini"), () -> "the log does not name the misspelt property" + jetty.logTail());
            assertFalse(log.contains("is ready"), () -> "an app process was started" + jetty.logTail());
            assertTrue(ProcEntry.all().stream().noneMatch(e -> e.commandLine().contains(runDir.toString())),
                    () -> "a process of Corral's run directory is left:" + It.list(ProcEntry.all()));
        } finally {
            It.deleteTree(runDir);
        }
    }

    /** A fresh JETTY_BASE with Corral installed by the README's commands, and the README's apps under {@code apps/}. */
    private void install(String name) throws Exception {
        jettyBase = JettyBase.install(name, readme);
        apps = ItApps.install(jettyBase.apps);
        port = jettyBase.port;
    }
}
