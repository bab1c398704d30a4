package dev.corral.pool.internal;

import java.lang.System.Logger.Level;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes the one line every failed request leaves (logger {@code dev.corral.request}) from a
 * thread of its own, so that a storm of rejections (a full queue answering thousands of 503s a
 * second) does not queue the container's threads on the log handler's lock (java.util.logging's
 * handlers are synchronized and flush every record: under contention each line cost a lock
 * convoy of ~250 µs on 2 cores). Nothing is dropped: past {@link #MAX_PENDING} lines waiting, the
 * caller writes its line itself (back-pressure), and {@link #flush} writes what waits (the engine
 * calls it when it closes). Lines keep their order per caller. Thread-safe.
 */
final class RequestLog {
    private static final System.Logger LOG = System.getLogger("dev.corral.request");
    static final int MAX_PENDING = 10_000;

    private static final ConcurrentLinkedQueue<Line> PENDING = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger SIZE = new AtomicInteger();
    private static volatile boolean writerWaiting;
    private static final Thread WRITER = startWriter();

    private record Line(Level level, String text) {
    }

    private RequestLog() {
    }

    /** Logs one line (already formatted), soon and in order, unless the level is off. */
    static void log(Level level, String text) {
        if (!LOG.isLoggable(level)) {
            return;
        }
        if (SIZE.incrementAndGet() > MAX_PENDING) {
            SIZE.decrementAndGet();
            LOG.log(level, text);
            return;
        }
        PENDING.add(new Line(level, text));
        if (writerWaiting) {
            LockSupport.unpark(WRITER);
        }
    }

    /** Writes every waiting line on the calling thread. */
    static void flush() {
        writePending();
    }

    private static Thread startWriter() {
        Thread writer = new Thread(RequestLog::run, "corral-request-log");
        writer.setDaemon(true);
        writer.start();
        return writer;
    }

    private static void run() {
        while (true) {
            writePending();
            writerWaiting = true;
            if (PENDING.isEmpty()) {
                // no lost wake-up: a caller adds its line before it reads writerWaiting (both volatile)
                LockSupport.park(RequestLog.class);
            }
            writerWaiting = false;
        }
    }

    private static void writePending() {
        Line line;
        while ((line = PENDING.poll()) != null) {
            SIZE.decrementAndGet();
            try {
                LOG.log(line.level(), line.text());
            } catch (RuntimeException e) {
                // a broken handler must not end the writer
            }
        }
    }
}
