package dev.corral.it;

import dev.corral.testing.TestApps;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Jetty 12.1 distribution with Corral installed as a third-party module, the way
 * {@code jetty-connector/src/main/config} is meant to be used: a fresh JETTY_BASE with
 * {@code modules/corral.mod}, {@code etc/corral.xml} and the jars in {@code lib/corral/},
 * {@code start.jar --add-modules=http,corral} once, then {@code start.jar} with the app given as
 * {@code corral.app.*} properties on the command line.
 */
@Timeout(120)
class JettyDistributionIT {
    private static final Duration START_DEADLINE = Duration.ofSeconds(60);
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(40);

    private Path home;
    private Path base;
    private int port;
    private ExternalProcess jetty;

    @BeforeEach
    void setUp() throws IOException {
        home = It.location("corral.it.jettyHome");
        port = It.freePort();
    }

    @AfterEach
    void tearDown() {
        if (jetty != null) {
            jetty.close();
        }
    }

    @Test
    void corralModuleServesTheAppAndStopsItsProcessesWithJetty() throws Exception {
        Path config = It.location("corral.it.jettyConfig");
        Path jars = It.location("corral.it.jettyJars");
        base = It.freshDir("jetty-module");
        Path appRoot = TestApps.install(base.resolve("apps/blog"));
        Path itLogs = Files.createDirectories(base.resolve("it-logs"));

        // the overlay: modules/corral.mod, etc/corral.xml, lib/corral/*.jar (connector + engine)
        Files.createDirectories(base.resolve("modules"));
        Files.createDirectories(base.resolve("etc"));
        Files.createDirectories(base.resolve("lib/corral"));
        Files.copy(config.resolve("modules/corral.mod"), base.resolve("modules/corral.mod"));
        Files.copy(config.resolve("etc/corral.xml"), base.resolve("etc/corral.xml"));
        List<Path> corralJars = new ArrayList<>();
        try (Stream<Path> files = Files.list(jars)) {
            files.filter(p -> p.toString().endsWith(".jar")).forEach(corralJars::add);
        }
        assertEquals(2, corralJars.size(), () -> "expected the jetty-connector and module-api jars in " + jars + ": " + corralJars);
        for (Path jar : corralJars) {
            Files.copy(jar, base.resolve("lib/corral").resolve(jar.getFileName()));
        }

        // java -jar $JETTY_HOME/start.jar --add-modules=http,corral (once, in JETTY_BASE)
        Path addLog = itLogs.resolve("add-modules.log");
        try (ExternalProcess add = ExternalProcess.start("start.jar --add-modules", jettyCommand("--add-modules=http,corral"), addLog)) {
            boolean done = add.process().waitFor(START_DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertTrue(done, () -> "start.jar --add-modules=http,corral did not finish" + add.logTail());
            assertEquals(0, add.process().exitValue(), () -> "start.jar --add-modules=http,corral failed" + add.logTail());
        }
        assertTrue(Files.exists(base.resolve("start.d/corral.ini")),
                () -> "--add-modules did not write start.d/corral.ini" + ExternalProcess.logTail(addLog, "add-modules", 80));

        int jmxPort = It.freePort();
        jetty = ExternalProcess.start("Jetty", jettyCommand(RemoteJmx.flags(jmxPort),
                "jetty.http.port=" + port,
                "jetty.http.host=127.0.0.1",
                "corral.app.name=blog",
                "corral.app.appRoot=" + appRoot,
                "corral.app.pathPrefix=/blog",
                "corral.app.shutdownTimeout=5s"), itLogs.resolve("jetty.log"));
        It.await("Jetty to answer HTTP on 127.0.0.1:" + port, START_DEADLINE, () -> {
            if (!jetty.process().isAlive()) {
                return true;
            }
            It.get(port, "/", Duration.ofSeconds(2));
            return true;
        }, jetty::logTail);
        if (!jetty.process().isAlive()) {
            fail("Jetty exited with status " + jetty.process().exitValue() + " during start" + jetty.logTail()
                    + ExternalProcess.logTail(base.resolve("start.d/corral.ini"), "start.d/corral.ini", 80));
        }

        // managed over remote JMX as with jconsole (this restarts, scales and detaches: before the pids are read)
        try (RemoteJmx jmx = new RemoteJmx(jmxPort)) {
            jmx.exercise("blog", java.net.URI.create("http://127.0.0.1:" + port + "/blog/"));
        }

        HttpResponse<String> hello = It.get(port, "/blog/hello");
        assertEquals(200, hello.statusCode(), () -> "GET /blog/hello: " + It.describe(hello) + jetty.logTail());
        assertTrue(hello.body().startsWith("hello from blog pid "), () -> "GET /blog/hello: " + It.describe(hello) + jetty.logTail());
        long appPid = Long.parseLong(hello.headers().firstValue("X-Pid").orElseThrow(
                () -> new AssertionError("no X-Pid header: " + It.describe(hello))));

        HttpResponse<String> other = It.get(port, "/other");
        assertEquals(404, other.statusCode(), () -> "GET /other: " + It.describe(other) + jetty.logTail());
        assertTrue(other.headers().firstValue("Server").orElse("").startsWith("Jetty"),
                () -> "GET /other is not Jetty's 404: " + It.describe(other));
        assertFalse(other.headers().firstValue("X-Corral-Reason").isPresent(), () -> "GET /other: " + It.describe(other));

        List<ProcEntry> tree = jetty.descendants();
        ProcEntry app = tree.stream().filter(e -> e.pid() == appPid).findFirst().orElseThrow(() -> new AssertionError(
                "app pid " + appPid + " (X-Pid) is not a descendant of Jetty's JVM " + jetty.pid() + "; descendants:"
                        + It.list(tree)));
        assertTrue(app.commandLine().contains("corral-wsgi") && app.commandLine().contains("python"),
                () -> "the app process runs " + app);
        Set<Long> groups = jetty.descendantGroups();
        assertFalse(groups.isEmpty(), () -> "no lifeline leads its own process group:" + It.list(tree));

        boolean exited = jetty.terminate(STOP_DEADLINE);
        assertTrue(exited, () -> "Jetty did not exit within " + STOP_DEADLINE.toSeconds() + " s of SIGTERM" + jetty.logTail());
        // Corral's stop waits for its processes: none may still run once the JVM is gone
        List<ProcEntry> runningAtExit = ExternalProcess.survivors(tree, groups).stream().filter(e -> !e.zombie()).toList();
        assertTrue(runningAtExit.isEmpty(), () -> "app processes still running when the JVM had exited:"
                + It.list(runningAtExit) + jetty.logTail());
        It.await("no app process of this Jetty left after its stop", Duration.ofSeconds(15),
                () -> ExternalProcess.survivors(tree, groups).isEmpty(),
                () -> "\nleft:" + It.list(ExternalProcess.survivors(tree, groups)) + jetty.logTail());
    }

    /**
     * {@code java -Dcorral.selfCheck=true -jar $JETTY_HOME/start.jar args...}, run in JETTY_BASE
     * (start.jar takes the working directory as jetty.base and its own as jetty.home).
     */
    private ProcessBuilder jettyCommand(String... args) {
        return jettyCommand(List.of(), args);
    }

    /** The same, with more JVM flags. */
    private ProcessBuilder jettyCommand(List<String> jvmFlags, String... args) {
        List<String> command = new ArrayList<>(List.of(It.java(), "-Dcorral.selfCheck=true"));
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", home.resolve("start.jar").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(base.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("JETTY_") || k.equals("JAVA_OPTIONS"));
        return builder;
    }
}
