package dev.corral.examples;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Sends java.util.logging, and with it the engine's {@code System.Logger} records, to stderr at
 * INFO, one line per record: {@code 2026-11-27 14:00:00 INFO dev.corral.pool: message}.
 * A JVM started with {@code -Djava.util.logging.config.file=...} keeps its own configuration.
 * (Jetty logs through SLF4J to jetty-slf4j-impl; see {@code jetty-logging.properties}.)
 */
final class DemoLogging {
    private DemoLogging() {
    }

    static void install() {
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return;
        }
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        ConsoleHandler stderr = new ConsoleHandler();
        stderr.setLevel(Level.ALL);
        stderr.setFormatter(new OneLineFormatter());
        root.addHandler(stderr);
        root.setLevel(Level.INFO);
    }

    /** {@code <local time> <LEVEL> <logger>: <message>}, then the stack trace if there is one. */
    static final class OneLineFormatter extends Formatter {
        private static final DateTimeFormatter TIME =
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

        @Override
        public String format(LogRecord record) {
            StringBuilder line = new StringBuilder()
                    .append(TIME.format(record.getInstant())).append(' ')
                    .append(record.getLevel().getName()).append(' ')
                    .append(record.getLoggerName()).append(": ")
                    .append(formatMessage(record)).append(System.lineSeparator());
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(trace);
            }
            return line.toString();
        }
    }
}
