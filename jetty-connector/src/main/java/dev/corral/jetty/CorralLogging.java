package dev.corral.jetty;

import org.slf4j.LoggerFactory;

import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Filter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Sends Corral's log lines to SLF4J, that is to Jetty's own logging: in a Jetty distribution
 * they go where Jetty's lines go and follow {@code resources/jetty-logging.properties}
 * ({@code dev.corral.LEVEL=WARN}, {@code dev.corral.app.LEVEL=...}). {@code etc/corral.xml}
 * calls {@link #toSlf4j()}; embedded, call it before starting the server, or leave Corral on
 * java.util.logging.
 *
 * <p>The engine logs through {@code System.Logger}, which without a custom {@code LoggerFinder}
 * on the system class path (Jetty's start.jar puts {@code lib/corral} on a class loader of its
 * own) is java.util.logging. So this bridge works at that level, on Corral's loggers only:
 * each logger the engine writes to ({@link #LOGGERS}) gets a {@link Filter} that hands every
 * record to SLF4J and keeps it from java.util.logging's handlers; its level follows the SLF4J
 * logger's, so a disabled level costs nothing. A filter, not a handler, because
 * java.util.logging's shutdown hook resets the configuration: it removes and closes every
 * handler while Jetty's own shutdown hook is still stopping Corral, and the stop's log lines
 * would be lost (as they were through jul-to-slf4j's handler). A reset keeps filters. A
 * handler on {@code dev.corral} catches the records of any other {@code dev.corral.*} logger
 * until such a reset.
 *
 * <p>Thread-safe: install and uninstall are synchronized; forwarding is stateless.
 */
public final class CorralLogging {
    /** Every logger Corral writes to; a test holds this list to the loggers in Corral's sources. */
    static final List<String> LOGGERS = List.of("dev.corral", "dev.corral.pool", "dev.corral.request", "dev.corral.app",
            "dev.corral.fault", "dev.corral.jmx", "dev.corral.status", "dev.corral.events", "dev.corral.jetty");

    private static final Filter FORWARD = record -> {
        forward(record);
        return false;
    };
    private static final Handler CATCH_ALL = new Handler() {
        @Override
        public void publish(LogRecord record) {
            forward(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    /** The bridged loggers, held strongly: java.util.logging keeps only weak references. */
    private static final List<Logger> BRIDGED = new ArrayList<>();

    private CorralLogging() {
    }

    /** Sends Corral's log lines to SLF4J from now on (for the life of the JVM); idempotent. */
    public static synchronized void toSlf4j() {
        if (!BRIDGED.isEmpty()) {
            return;
        }
        for (String name : LOGGERS) {
            Logger logger = Logger.getLogger(name);
            logger.setFilter(FORWARD);
            logger.setLevel(levelOf(LoggerFactory.getLogger(name)));
            BRIDGED.add(logger);
        }
        Logger parent = Logger.getLogger("dev.corral");
        parent.addHandler(CATCH_ALL);
        parent.setUseParentHandlers(false);
    }

    /** Puts Corral's loggers back on java.util.logging's handlers (for tests). */
    static synchronized void uninstall() {
        for (Logger logger : BRIDGED) {
            logger.setFilter(null);
            logger.setLevel(null);
        }
        Logger parent = Logger.getLogger("dev.corral");
        parent.removeHandler(CATCH_ALL);
        parent.setUseParentHandlers(true);
        BRIDGED.clear();
    }

    /** The java.util.logging level that lets through exactly what {@code logger} would write. */
    static Level levelOf(org.slf4j.Logger logger) {
        if (logger.isTraceEnabled()) {
            return Level.ALL;
        } else if (logger.isDebugEnabled()) {
            return Level.FINE;
        } else if (logger.isInfoEnabled()) {
            return Level.INFO;
        } else if (logger.isWarnEnabled()) {
            return Level.WARNING;
        } else if (logger.isErrorEnabled()) {
            return Level.SEVERE;
        }
        return Level.OFF;
    }

    /** Writes {@code record} to the SLF4J logger of the same name, at the matching level. */
    static void forward(LogRecord record) {
        org.slf4j.Logger logger = LoggerFactory.getLogger(record.getLoggerName() == null ? "dev.corral" : record.getLoggerName());
        String message = message(record);
        Throwable thrown = record.getThrown();
        int level = record.getLevel().intValue();
        if (level >= Level.SEVERE.intValue()) {
            logger.error(message, thrown);
        } else if (level >= Level.WARNING.intValue()) {
            logger.warn(message, thrown);
        } else if (level >= Level.INFO.intValue()) {
            logger.info(message, thrown);
        } else if (level >= Level.FINE.intValue()) {
            logger.debug(message, thrown);
        } else {
            logger.trace(message, thrown);
        }
    }

    /** The message with its {@code {0}} parameters filled in, as java.util.logging's formatters do. */
    private static String message(LogRecord record) {
        String message = record.getMessage();
        Object[] parameters = record.getParameters();
        if (message == null || parameters == null || parameters.length == 0 || !message.contains("{")) {
            return message;
        }
        try {
            return MessageFormat.format(message, parameters);
        } catch (IllegalArgumentException e) {
            return message;
        }
    }
}
