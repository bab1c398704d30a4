package dev.corral.testing;

import java.text.MessageFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects the engine's log lines (everything under the {@code dev.corral} logger, which the
 * engine's System.Logger calls reach through java.util.logging) so tests can assert on them;
 * and, from every logger, each record that carries a stack trace (Tomcat logs through
 * java.util.logging too).
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger("dev.corral");
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private final Level previousLevel = logger.getLevel();
    private final List<String> stackTraces = new CopyOnWriteArrayList<>();
    /** On the root logger: every record with a throwable, whichever logger wrote it. */
    private final Handler thrownCapture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getThrown() != null) {
                stackTraces.add(record.getLevel() + " " + record.getLoggerName() + ": " + record.getMessage()
                        + ": " + record.getThrown());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    public LogCapture() {
        setLevel(Level.ALL);
        logger.setLevel(Level.ALL);
        logger.addHandler(this);
        Logger.getLogger("").addHandler(thrownCapture);
    }

    /** Every record with a stack trace, from any java.util.logging logger, since this capture began. */
    public List<String> stackTraces() {
        return List.copyOf(stackTraces);
    }

    @Override
    public void publish(LogRecord record) {
        String message = record.getMessage();
        Object[] parameters = record.getParameters();
        if (parameters != null && parameters.length > 0) {
            message = new MessageFormat(message).format(parameters);
        }
        lines.add(record.getLevel() + " " + record.getLoggerName() + ": " + message);
    }

    /** Every captured line, oldest first. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The captured lines that contain every one of the fragments. */
    public List<String> matching(String... fragments) {
        return lines.stream().filter(line -> {
            for (String fragment : fragments) {
                if (!line.contains(fragment)) {
                    return false;
                }
            }
            return true;
        }).toList();
    }

    /**
     * Waits (up to 10 s) until a line with every fragment has arrived and returns the matching
     * lines: request failures are logged from a thread of their own, just after the response.
     */
    public List<String> awaitMatching(String... fragments) {
        try {
            return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .pollInterval(java.time.Duration.ofMillis(5)).until(() -> matching(fragments), found -> !found.isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return List.of();   // the caller's assertion reports what is missing, with every line
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(thrownCapture);
        logger.removeHandler(this);
        logger.setLevel(previousLevel);
    }
}
