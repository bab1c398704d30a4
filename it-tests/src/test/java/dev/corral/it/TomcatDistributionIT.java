package dev.corral.it;

import dev.corral.testing.TestApps;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Tomcat 11 distribution set up the way the README says: the valve jar in
 * {@code $CATALINA_BASE/lib}, one {@code <Valve>} per app inside {@code <Host>} in
 * {@code conf/server.xml}, a ROOT webapp (an empty {@code webapps/ROOT}), started with
 * {@code bin/catalina.sh run}. Each test gets a fresh CATALINA_BASE under target/it-work, made
 * from the unpacked distribution's {@code conf/} (CATALINA_HOME is shared and never written).
 */
@Timeout(120)
class TomcatDistributionIT {
    private static final Duration START_DEADLINE = Duration.ofSeconds(60);
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(40);

    private Path home;
    private Path valveJar;
    private Path base;
    private Path appRoot;
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
    void servesTheAppUnderItsPrefixAndStopsItsProcessesWithTomcat() throws Exception {
        makeBase("tomcat-serves", Map.of("name", "blog", "appRoot", "APP_ROOT", "type", "wsgi", "pathPrefix", "/blog",
                "shutdownTimeout", "5s"));
        int jmxPort = It.freePort();
        start(RemoteJmx.flags(jmxPort));
        awaitHttp();
        // managed over remote JMX as with jconsole (this restarts, scales and detaches: before the pids are read)
        try (RemoteJmx jmx = new RemoteJmx(jmxPort)) {
            jmx.exercise("blog", java.net.URI.create("http://127.0.0.1:" + port + "/blog/"));
        }

        HttpResponse<String> hello = It.get(port, "/blog/hello");
        assertEquals(200, hello.statusCode(), () -> "GET /blog/hello: " + It.describe(hello) + tomcat.logTail());
        assertTrue(hello.body().startsWith("hello from blog pid "), () -> "GET /blog/hello: " + It.describe(hello) + tomcat.logTail());
        long appPid = Long.parseLong(hello.headers().firstValue("X-Pid").orElseThrow(
                () -> new AssertionError("no X-Pid header: " + It.describe(hello))));

        HttpResponse<String> other = It.get(port, "/other");
        assertEquals(404, other.statusCode(), () -> "GET /other: " + It.describe(other) + tomcat.logTail());
        assertTrue(other.body().contains("Apache Tomcat"), () -> "GET /other is not Tomcat's 404 page: " + It.describe(other));
        assertFalse(other.headers().firstValue("X-Corral-Reason").isPresent(), () -> "GET /other: " + It.describe(other));

        // the process that answered is Tomcat's, under its lifeline
        List<ProcEntry> tree = tomcat.descendants();
        ProcEntry app = tree.stream().filter(e -> e.pid() == appPid).findFirst().orElseThrow(() -> new AssertionError(
                "app pid " + appPid + " (X-Pid) is not a descendant of Tomcat's JVM " + tomcat.pid() + "; descendants:"
                        + It.list(tree)));
        assertTrue(app.commandLine().contains("corral-wsgi") && app.commandLine().contains("python"),
                () -> "the app process runs " + app);
        Set<Long> groups = tomcat.descendantGroups();
        assertFalse(groups.isEmpty(), () -> "no lifeline leads its own process group:" + It.list(tree));

        // graceful stop: SIGTERM to the JVM (catalina.sh run execs java)
        boolean exited = tomcat.terminate(STOP_DEADLINE);
        assertTrue(exited, () -> "Tomcat did not exit within " + STOP_DEADLINE.toSeconds() + " s of SIGTERM" + tomcat.logTail());
        // Corral's stop waits for its processes: none may still run once the JVM is gone
        List<ProcEntry> runningAtExit = ExternalProcess.survivors(tree, groups).stream().filter(e -> !e.zombie()).toList();
        assertTrue(runningAtExit.isEmpty(), () -> "app processes still running when the JVM had exited:"
                + It.list(runningAtExit) + tomcat.logTail());
        It.await("no app process of this Tomcat left after its stop", Duration.ofSeconds(15),
                () -> ExternalProcess.survivors(tree, groups).isEmpty(),
                () -> "\nleft:" + It.list(ExternalProcess.survivors(tree, groups)) + tomcat.logTail());
        String log = tomcat.logText();
        assertTrue(log.contains("serves app [blog] at pathPrefix [/blog]"), () -> "no start line of the valve" + tomcat.logTail());
        assertTrue(log.contains(" started; run directory " + expectedRunDir), () -> "the engine's run directory is not "
                + expectedRunDir + tomcat.logTail());
    }

    @Test
    void badAttributesFailTheValveNamingEachOne() throws Exception {
        // maxProcesses="0" is out of range; maxProcess is not an attribute of the valve at all
        makeBase("tomcat-bad", Map.of("name", "blog", "appRoot", "APP_ROOT", "pathPrefix", "/blog",
                "maxProcesses", "0", "maxProcess", "2"));
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
        assertTrue(tree.stream().noneMatch(e -> e.commandLine().contains("corral-wsgi")),
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
        assertFalse(tomcat.logText().contains("of app blog is ready"), () -> "an app process was started" + tomcat.logTail());
    }

    /**
     * A fresh CATALINA_BASE: conf/ from the distribution, logs/ temp/ work/ lib/ and an empty
     * webapps/ROOT, the valve jar in lib/, and the distribution's server.xml with a free
     * loopback port, no shutdown port, and the valve inside {@code <Host>}.
     *
     * @param attributes the valve's attributes; the value APP_ROOT stands for the installed test app
     */
    private void makeBase(String name, Map<String, String> attributes) throws IOException {
        base = It.freshDir(name);
        appRoot = TestApps.install(base.resolve("apps/blog"));
        It.copyTree(home.resolve("conf"), base.resolve("conf"));
        for (String dir : new String[] {"logs", "temp", "work", "lib", "webapps/ROOT"}) {
            Files.createDirectories(base.resolve(dir));
        }
        Files.copy(valveJar, base.resolve("lib").resolve(valveJar.getFileName()));

        // The README's runDir="${catalina.base}/temp/corral" (Tomcat substitutes ${catalina.base}),
        // unless this checkout is so deep that a socket path there would pass ~100 bytes: then a
        // short directory under /tmp
        Path readmeRunDir = base.resolve("temp/corral");
        boolean readmeRunDirFits = readmeRunDir.resolve("99.sock").toString().length() <= 100;
        expectedRunDir = readmeRunDirFits ? readmeRunDir : runDir;
        StringBuilder valve = new StringBuilder("<Valve className=\"dev.corral.tomcat.CorralValve\"");
        valve.append(" runDir=\"").append(readmeRunDirFits ? "${catalina.base}/temp/corral" : runDir.toString()).append('"');
        attributes.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(a -> valve.append(' ').append(a.getKey())
                .append("=\"").append(a.getValue().equals("APP_ROOT") ? appRoot.toString() : a.getValue()).append('"'));
        valve.append("/>\n      ");

        Path serverXml = base.resolve("conf/server.xml");
        String xml = Files.readString(serverXml, StandardCharsets.UTF_8);
        xml = replaceOnce(xml, "<Server port=\"8005\" shutdown=\"SHUTDOWN\">", "<Server port=\"-1\" shutdown=\"SHUTDOWN\">");
        xml = replaceOnce(xml, "<Connector port=\"8080\" protocol=\"HTTP/1.1\"",
                "<Connector port=\"" + port + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"");
        xml = replaceOnce(xml, "</Host>", valve + "</Host>");
        Files.writeString(serverXml, xml, StandardCharsets.UTF_8);
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
