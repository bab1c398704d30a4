package dev.corral.jetty;

import org.eclipse.jetty.logging.JettyLogger;
import org.eclipse.jetty.logging.StdErrAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.LogManager;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Corral's log lines reach SLF4J (Jetty's jetty-slf4j-impl here) once bridged, formatted, at
 * their level, and still after java.util.logging's reset, which its shutdown hook does while
 * Jetty is stopping Corral.
 */
class CorralLoggingTest {
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private StdErrAppender appender;
    private PrintStream previous;

    @AfterEach
    void restore() throws IOException {
        CorralLogging.uninstall();
        if (appender != null) {
            appender.setStream(previous);
        }
        LogManager.getLogManager().readConfiguration();   // what reset() took away, for the tests after this one
    }

    private String captured() {
        return written.toString(StandardCharsets.UTF_8);
    }

    private void capture() {
        JettyLogger logger = (JettyLogger) LoggerFactory.getLogger("dev.corral.pool");
        appender = (StdErrAppender) logger.getAppender();
        previous = appender.getStream();
        appender.setStream(new PrintStream(written, true, StandardCharsets.UTF_8));
    }

    @Test
    void corralsLinesGoToSlf4jAtTheirLevelAndSurviveAJulReset() {
        capture();
        CorralLogging.toSlf4j();
        CorralLogging.toSlf4j();   // idempotent
        System.Logger pool = System.getLogger("dev.corral.pool");
        pool.log(System.Logger.Level.INFO, "process {0} of app {1} is ready", "1234", "blog");
        pool.log(System.Logger.Level.WARNING, "it''s a warning with {0}", "x");
        pool.log(System.Logger.Level.ERROR, "an error", new IllegalStateException("boom"));
        pool.log(System.Logger.Level.DEBUG, "not written at INFO");
        System.getLogger("dev.corral.other").log(System.Logger.Level.INFO, "an unlisted logger {0}", "too");

        LogManager.getLogManager().reset();   // as java.util.logging's shutdown hook does
        pool.log(System.Logger.Level.INFO, "Corral stopped");

        String log = captured();
        assertTrue(log.matches("(?s).*:INFO :[a-z.]*pool:[^:]*: process 1234 of app blog is ready\n.*"), log);
        assertTrue(log.matches("(?s).*:WARN :[a-z.]*pool:[^:]*: it's a warning with x\n.*"), log);
        assertTrue(log.matches("(?s).*:ERROR:[a-z.]*pool:[^:]*: an error\n.*IllegalStateException: boom.*"), log);
        assertFalse(log.contains("not written"), log);
        assertTrue(log.contains("an unlisted logger too"), log);
        assertTrue(log.matches("(?s).*:INFO :[a-z.]*pool:[^:]*: Corral stopped\n.*"), log);
    }

    @Test
    void theLevelFollowsSlf4j() {
        assertEquals(java.util.logging.Level.INFO, CorralLogging.levelOf(LoggerFactory.getLogger("dev.corral.pool")));
    }

    @Test
    void everyLoggerOfCorralsSourcesIsBridged() throws IOException {
        Set<String> names = new TreeSet<>();
        Pattern getLogger = Pattern.compile("System\\.getLogger\\(\"([^\"]+)\"\\)");
        for (Path root : new Path[] {Path.of("../module-api/src/main/java"), Path.of("src/main/java")}) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher m = getLogger.matcher(Files.readString(file));
                    while (m.find()) {
                        names.add(m.group(1));
                    }
                }
            }
        }
        assertFalse(names.isEmpty());
        names.removeAll(CorralLogging.LOGGERS);
        assertEquals(Set.of(), names, "loggers of Corral's sources that CorralLogging.LOGGERS lacks");
    }
}
