package dev.corral.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A fresh JETTY_BASE of the unpacked {@code jetty-home} (under target/it-work) with Corral
 * installed by the README's own commands, and the Jetty that runs in it: what the Jetty ITs share.
 */
final class JettyBase {
    static final Duration START_DEADLINE = Duration.ofSeconds(60);

    final Path home;
    /** JETTY_BASE. */
    final Path dir;
    /** Where the README's {@code /srv/<app>} directories are. */
    final Path apps;
    final int port;

    private JettyBase(Path home, Path dir, int port) {
        this.home = home;
        this.dir = dir;
        this.apps = dir.resolve("apps");
        this.port = port;
    }

    /**
     * A fresh base named {@code name} with Corral installed by the README's install commands (run by
     * {@code sh} with JETTY_BASE, JETTY_HOME and CORRAL set), on a free loopback port.
     */
    static JettyBase install(String name, Readme readme) throws Exception {
        JettyBase jetty = new JettyBase(It.location("corral.it.jettyHome"), It.freshDir(name), It.freePort());
        It.location("corral.it.jettyZip");   // built by jetty-connector's package phase
        jetty.runReadme(readme.block("jetty-install"), "the README's install commands");
        assertTrue(Files.exists(jetty.dir.resolve("start.d/corral.ini")), "--add-modules=corral writes start.d/corral.ini");
        assertTrue(Files.isDirectory(jetty.dir.resolve("corral")), "--add-modules=corral makes the apps directory");
        assertTrue(Files.readString(jetty.dir.resolve("start.d/corral.ini")).contains("# corral.app.maxProcesses=6"),
                "start.d/corral.ini lists the settings");
        return jetty;
    }

    /**
     * Runs README commands in the base with {@code sh -eu} (JETTY_BASE, JETTY_HOME, CORRAL set; the
     * tests' java first on the PATH; the README's {@code /srv/} under {@link #apps}).
     */
    void runReadme(String commands, String what) throws Exception {
        String script = commands.replace("/srv/", apps + "/");
        ProcessBuilder builder = new ProcessBuilder(List.of("sh", "-eu", "-c", script)).directory(dir.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("JETTY_") || k.equals("JAVA_OPTIONS"));
        env.put("JETTY_BASE", dir.toString());
        env.put("JETTY_HOME", home.toString());
        env.put("CORRAL", It.location("corral.it.repository").toString());
        env.put("PATH", Path.of(It.javaHome(), "bin") + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        run(what, builder);
    }

    /** {@code java -jar $JETTY_HOME/start.jar <args>} in the base, to its end. */
    void startJar(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(It.java(), "-jar", home.resolve("start.jar").toString()));
        command.addAll(List.of(args));
        run("start.jar " + String.join(" ", args), new ProcessBuilder(command).directory(dir.toFile()));
    }

    private void run(String what, ProcessBuilder builder) throws Exception {
        Path log = dir.resolve("it-logs/install.log");
        try (ExternalProcess step = ExternalProcess.start(what, builder, log)) {
            boolean done = step.process().waitFor(START_DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertTrue(done, () -> what + " did not finish" + step.logTail());
            assertEquals(0, step.process().exitValue(), () -> what + " failed" + step.logTail());
        }
    }

    void appendToCorralIni(String lines) throws IOException {
        Files.writeString(dir.resolve("start.d/corral.ini"), "\n" + lines, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /**
     * Starts {@code java -Dcorral.selfCheck=true [flags] -jar $JETTY_HOME/start.jar} on the free
     * loopback port, in the base (start.jar takes the working directory as jetty.base); its output
     * goes to {@code it-logs/jetty.log}.
     */
    ExternalProcess start(List<String> jvmFlags) throws IOException {
        List<String> command = new ArrayList<>(List.of(It.java(), "-Dcorral.selfCheck=true"));
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", home.resolve("start.jar").toString(), "jetty.http.port=" + port,
                "jetty.http.host=127.0.0.1"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("JETTY_") || k.equals("JAVA_OPTIONS"));
        return ExternalProcess.start("Jetty", builder, dir.resolve("it-logs/jetty.log"));
    }

    /** Waits until {@code jetty} answers HTTP; fails if it exits first. */
    void awaitHttp(ExternalProcess jetty) {
        It.await("Jetty to answer HTTP on 127.0.0.1:" + port, START_DEADLINE, () -> {
            if (!jetty.process().isAlive()) {
                return true;
            }
            It.get(port, "/", Duration.ofSeconds(2));
            return true;
        }, jetty::logTail);
        if (!jetty.process().isAlive()) {
            fail("Jetty exited with status " + jetty.process().exitValue() + " during start" + jetty.logTail()
                    + ExternalProcess.logTail(dir.resolve("start.d/corral.ini"), "start.d/corral.ini", 80));
        }
    }
}
