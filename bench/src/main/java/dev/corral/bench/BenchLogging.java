package dev.corral.bench;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * java.util.logging (and with it the engine's {@code System.Logger} records) to stderr, one line
 * per record, at INFO unless {@code -Dcorral.bench.logLevel=WARNING} (etc.) says otherwise. The
 * harness sends stderr to a log file; the engine's default logging is part of what is measured
 * (for example the one WARNING line of every request rejected because the queue is full).
 */
final class BenchLogging {
    private BenchLogging() {
    }

    static void install() {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        ConsoleHandler stderr = new ConsoleHandler();
        stderr.setLevel(Level.ALL);
        stderr.setFormatter(new Formatter() {
            private final DateTimeFormatter time =
                    DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

            @Override
            public String format(LogRecord record) {
                String line = time.format(record.getInstant()) + " " + record.getLevel().getName() + " "
                        + record.getLoggerName() + ": " + formatMessage(record) + System.lineSeparator();
                if (record.getThrown() != null) {
                    java.io.StringWriter trace = new java.io.StringWriter();
                    record.getThrown().printStackTrace(new java.io.PrintWriter(trace));
                    line += trace;
                }
                return line;
            }
        });
        root.addHandler(stderr);
        root.setLevel(Level.parse(System.getProperty("corral.bench.logLevel", "INFO")));
    }
}
