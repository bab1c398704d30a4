package dev.corral.pool.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Copies one output stream of an app process (its stdout or its stderr) to the container's log,
 * one line at a time at that stream's level with the app name and pid as prefix, and adds each
 * line to the process's {@link OutputTail}. One daemon thread per stream: it ends when the
 * process closes the stream.
 */
final class OutputPump implements Runnable {
    private static final System.Logger LOG = System.getLogger("dev.corral.app");

    private final InputStream output;
    private final Level level;
    private final Supplier<String> prefix;
    private final OutputTail tail;
    private Thread thread;

    private OutputPump(InputStream output, Level level, Supplier<String> prefix, OutputTail tail) {
        this.output = output;
        this.level = level;
        this.prefix = prefix;
        this.tail = tail;
    }

    /**
     * Starts copying {@code output} (named {@code stream} in the thread's name) at {@code level};
     * {@code prefix} is asked per line, as the app's pid becomes known only later.
     */
    static OutputPump start(InputStream output, String stream, Level level, Supplier<String> prefix, OutputTail tail) {
        OutputPump pump = new OutputPump(output, level, prefix, tail);
        pump.thread = new Thread(pump, "corral-" + stream + " " + prefix.get());
        pump.thread.setDaemon(true);
        pump.thread.start();
        return pump;
    }

    /** Waits until the process closed the stream and every line was copied, or until {@code deadlineNanos}. */
    void awaitEnd(long deadlineNanos) {
        try {
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                tail.add(line);
                LOG.log(level, "[{0}] {1}", prefix.get(), line);
            }
        } catch (IOException e) {
            // the process closed its output: nothing more to copy
        }
    }
}
