package dev.corral.it;

import dev.corral.testing.RawHttp;

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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Tomcat 11 distribution set up the way the README says: the valve jar in
 * {@code $CATALINA_BASE/lib}, the README's complete {@code conf/server.xml} (two apps: gunicorn
 * under a path prefix, Node under another for one virtual host), a ROOT webapp (an empty
 * {@code webapps/ROOT}), started with {@code bin/catalina.sh run}. Each test gets a fresh
 * CATALINA_BASE under target/it-work, made from the unpacked distribution's {@code conf/}
 * (CATALINA_HOME is shared and never written).
 */
@Timeout(120)
class TomcatDistributionIT {
    private static final Duration START_DEADLINE = Duration.ofSeconds(60);
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(40);

    private Path home;
    private Path valveJar;
    private Path base;
    private Path runDir;
    /** The socket directory the valve is configured with (see makeBase). */
    private Path expectedRunDir;
    private int port;
    private ExternalProcess tomcat;

    @BeforeEach
    void setUp() throws IOException {
        home = It.location("corral.it.tomcatHome");
        valveJar = It.location("corral.it.tomcatJar");
        port = It.freePort();
        runDir = It.shortRunDir();
    }

    @AfterEach
    void tearDown() {
        if (tomcat != null) {
            tomcat.close();
        }
        It.deleteTree(runDir);
    }

    @Test
    void theReadmesServerXmlServesBothAppsAndStopsTheirProcessesWithTomcat() throws Exception {
        makeBase("tomcat-serves", "");
        int jmxPort = It.freePort();
        start(RemoteJmx.flags(jmxPort));
        awaitHttp();

        // blog: gunicorn under /blog on every host name
        HttpResponse<String> hello = It.get(port, "/blog/hello");
        assertEquals(200, hello.statusCode(), () -> "GET /blog/hello: " + It.describe(hello) + tomcat.logTail());
        assertTrue(hello.body().startsWith("hello from blog pid "), () -> "GET /blog/hello: " + It.describe(hello) + tomcat.logTail());
        long appPid = Long.parseLong(hello.headers().firstValue("X-Pid").orElseThrow(
                () -> new AssertionError("no X-Pid header: " + It.describe(hello))));
        // shop: Node under /shop for shop.example.com only
        RawHttp.Response shop = RawHttp.exchange(URI.create("http://127.0.0.1:" + port), "GET", "/shop/cart",
                "Host: shop.example.com");
        assertEquals(200, shop.status(), () -> "GET shop.example.com/shop/cart: " + shop + tomcat.logTail());
        assertTrue(shop.body().startsWith("hello from node shop pid "), shop::body);
        HttpResponse<String> otherHost = It.get(port, "/shop/cart");
        assertEquals(404, otherHost.statusCode(), () -> "/shop/cart on 127.0.0.1 is not the app's: " + It.describe(otherHost));
        HttpResponse<String> other = It.get(port, "/other");
        assertEquals(404, other.statusCode(), () -> "GET /other: " + It.describe(other) + tomcat.logTail());
        assertTrue(other.body().contains("Apache Tomcat"), () -> "GET /other is not Tomcat's 404 page: " + It.describe(other));
        assertFalse(other.headers().firstValue("X-Corral-Reason").isPresent(), () -> "GET /other: " + It.describe(other));

        // the process that answered is Tomcat's, under its lifeline
        List<ProcEntry> tree = tomcat.descendants();
        ProcEntry app = tree.stream().filter(e -> e.pid() == appPid).findFirst().orElseThrow(() -> new AssertionError(
                "app pid " + appPid + " (X-Pid) is not a descendant of Tomcat's JVM " + tomcat.pid() + "; descendants:"
                        + It.list(tree)));
        assertTrue(app.commandLine().contains("gunicorn"), () -> "the app process runs " + app);
        assertTrue(tree.stream().anyMatch(e -> e.commandLine().contains("corral-node")), () -> "no node:" + It.list(tree));

        // read back over remote JMX, as with jconsole; then everything an operator does
        try (RemoteJmx jmx = new RemoteJmx(jmxPort)) {
            jmx.readBack("blog", Map.of("type", "generic", "pathPrefix", "/blog", "concurrency", "2"), 1);
            jmx.readBack("shop", Map.of("type", "node", "virtualHosts", "shop.example.com", "maxProcesses", "2"), 1);
            jmx.exercise("blog", URI.create("http://127.0.0.1:" + port + "/blog/"));
        }

        List<ProcEntry> before = tomcat.descendants();
        assertTrue(tomcat.descendantGroups().size() >= 2, () -> "no lifeline leads its own process group:" + It.list(before));
        // graceful stop: SIGTERM to the JVM (catalina.sh run execs java)
        tomcat.terminateLeavingNoProcess(STOP_DEADLINE);
        String log = tomcat.logText();
        assertTrue(log.contains("serves app [blog] at pathPrefix [/blog]"), () -> "no start line of the valve" + tomcat.logTail());
        assertTrue(log.contains(" started; run directory " + expectedRunDir), () -> "the engine's run directory is not "
                + expectedRunDir + tomcat.logTail());
    }

    @Test
    void badAttributesFailTheValveNamingEachOne() throws Exception {
        // maxProcesses="0" is out of range; maxProcess is not an attribute of the valve at all
        makeBase("tomcat-bad", " maxProcesses=\"0\" maxProcess=\"2\"");
        start();
        It.await("Tomcat to report the valve's bad configuration (or to exit)", START_DEADLINE,
                () -> tomcat.logText().contains("'maxProcess' ") || !tomcat.process().isAlive(),
                tomcat::logTail);

        String log = tomcat.logText();
        List<String> problems = It.linesWith(log, "'maxProcess");
        assertTrue(log.contains("'maxProcesses' must be "), () -> "no line names maxProcesses" + tomcat.logTail());
        assertTrue(log.contains("'maxProcess' is not an attribute of CorralValve; did you mean 'maxProcesses'?"),
                () -> "no line names the unknown attribute maxProcess" + tomcat.logTail());
        assertTrue(problems.stream().anyMatch(l -> l.contains("[0]")), () -> "the value 0 is not named: " + problems);
        assertTrue(problems.stream().anyMatch(l -> l.contains("[2]")), () -> "the value 2 is not named: " + problems);

        List<ProcEntry> tree = tomcat.descendants();
        assertTrue(tree.stream().noneMatch(e -> e.commandLine().contains("gunicorn") || e.commandLine().contains("node")),
                () -> "an app process was started despite the bad configuration:" + It.list(tree));
        // Tomcat 11.0.24 gives up after a failed start: it destroys the connector and
        // `catalina.sh run` exits (with status 0). Should it keep running, /blog/ must not be served.
        boolean exitedByItself = tomcat.process().waitFor(20, TimeUnit.SECONDS);
        System.out.println("TomcatDistributionIT: after the failed start Tomcat "
                + (exitedByItself ? "exited by itself with status " + tomcat.process().exitValue() : "kept running"));
        if (!exitedByItself) {
            try {
                HttpResponse<String> hello = It.get(port, "/blog/hello", Duration.ofSeconds(5));
                assertNotEquals(200, hello.statusCode(), () -> "/blog/hello is served: " + It.describe(hello));
            } catch (IOException refusedOrTimedOut) {
                // not served: that is the point
            }
        }
        if (tomcat.process().isAlive()) {
            assertTrue(tomcat.terminate(STOP_DEADLINE), () -> "Tomcat did not exit after SIGTERM" + tomcat.logTail());
        }
        assertFalse(tomcat.logText().contains("is ready"), () -> "an app process was started" + tomcat.logTail());
    }

    /**
     * A fresh CATALINA_BASE set up as the README says: conf/ from the distribution with the
     * README's complete server.xml (its /srv/ apps under the base's apps/, a free loopback port,
     * no shutdown port), logs/ temp/ work/ lib/ and an empty webapps/ROOT, the valve jar in lib/.
     *
     * @param blogAttributes more attributes for the blog valve (a bad configuration)
     */
    private void makeBase(String name, String blogAttributes) throws IOException {
        base = It.freshDir(name);
        Path apps = ItApps.install(base.resolve("apps"));
        It.copyTree(home.resolve("conf"), base.resolve("conf"));
        for (String dir : new String[] {"logs", "temp", "work", "lib", "webapps/ROOT"}) {
            Files.createDirectories(base.resolve(dir));
        }
        Files.copy(valveJar, base.resolve("lib").resolve(valveJar.getFileName()));

        String xml = Readme.load().block("tomcat-server.xml", apps);
        // The README's runDir="${catalina.base}/temp/corral" (Tomcat substitutes ${catalina.base}),
        // unless this checkout is so deep that a socket path there would pass ~100 bytes: then a
        // short directory under /tmp
        Path readmeRunDir = base.resolve("temp/corral");
        boolean readmeRunDirFits = readmeRunDir.resolve("99.sock").toString().length() <= 100;
        expectedRunDir = readmeRunDirFits ? readmeRunDir : runDir;
        if (!readmeRunDirFits) {
            xml = replaceOnce(xml, "runDir=\"${catalina.base}/temp/corral\"", "runDir=\"" + runDir + "\"");
        }
        xml = replaceOnce(xml, "<Server port=\"8005\" shutdown=\"SHUTDOWN\">", "<Server port=\"-1\" shutdown=\"SHUTDOWN\">");
        xml = replaceOnce(xml, "<Connector port=\"8080\" protocol=\"HTTP/1.1\"",
                "<Connector port=\"" + port + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"");
        xml = replaceOnce(xml, "name=\"blog\"", "name=\"blog\"" + blogAttributes);
        Files.writeString(base.resolve("conf/server.xml"), xml, StandardCharsets.UTF_8);
    }

    private static String replaceOnce(String text, String target, String replacement) {
        int at = text.indexOf(target);
        if (at < 0 || text.indexOf(target, at + 1) >= 0) {
            fail("the distribution's server.xml does not contain exactly one [" + target + "]");
        }
        return text.substring(0, at) + replacement + text.substring(at + target.length());
    }

    /** {@code bin/catalina.sh run} with CATALINA_HOME and CATALINA_BASE; output to logs/catalina.out. */
    private void start() throws IOException {
        start(List.of());
    }

    /** The same, with more JVM flags (CATALINA_OPTS). */
    private void start(List<String> jvmFlags) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/catalina.sh").toString(), "run").directory(base.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("CATALINA_") || k.equals("JAVA_OPTS") || k.equals("JRE_HOME")
                || k.equals("JPDA_OPTS"));
        env.put("JAVA_HOME", It.javaHome());
        env.put("CATALINA_HOME", home.toString());
        env.put("CATALINA_BASE", base.toString());
        env.put("CATALINA_OPTS", String.join(" ", "-Dcorral.selfCheck=true", String.join(" ", jvmFlags)).trim());
        tomcat = ExternalProcess.start("Tomcat catalina.out", builder, base.resolve("logs/catalina.out"));
        // catalina.sh run execs java, so the process is the JVM itself (SIGTERM reaches Tomcat's shutdown hook)
        It.await("catalina.sh to exec java", Duration.ofSeconds(10),
                () -> !tomcat.process().isAlive() || ProcEntry.read(tomcat.pid()).map(e -> e.commandLine()
                        .contains("org.apache.catalina.startup.Bootstrap")).orElse(false),
                () -> "\nprocess " + ProcEntry.read(tomcat.pid()) + "; children:" + It.list(tomcat.descendants()) + tomcat.logTail());
    }

    private void awaitHttp() {
        It.await("Tomcat to answer HTTP on 127.0.0.1:" + port, START_DEADLINE, () -> {
            if (!tomcat.process().isAlive()) {
                return true;
            }
            It.get(port, "/", Duration.ofSeconds(2));
            return true;
        }, tomcat::logTail);
        if (!tomcat.process().isAlive()) {
            fail("Tomcat exited with status " + tomcat.process().exitValue() + " during start" + tomcat.logTail());
        }
    }
}
