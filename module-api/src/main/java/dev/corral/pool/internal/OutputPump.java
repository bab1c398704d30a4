package dev.corral.pool.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Copies an app process's output (stdout and stderr merged) to the container's log, one line
 * at a time with the app name and pid as prefix, and keeps the last lines for spawn error
 * messages. One daemon thread per process: it ends when the process closes its output.
 */
final class OutputPump implements Runnable {
    private static final System.Logger LOG = System.getLogger("dev.corral.app");
    static final int TAIL_LINES = 30;

    private final InputStream output;
    private final java.util.function.Supplier<String> prefix;
    /** Guarded by itself. */
    private final Deque<String> tail = new ArrayDeque<>();

    OutputPump(InputStream output, java.util.function.Supplier<String> prefix) {
        this.output = output;
        this.prefix = prefix;
    }

    private Thread thread;

    /** Starts copying; {@code prefix} is asked per line, as the app's pid becomes known only later. */
    static OutputPump start(InputStream output, java.util.function.Supplier<String> prefix) {
        OutputPump pump = new OutputPump(output, prefix);
        pump.thread = new Thread(pump, "corral-output " + prefix.get());
        pump.thread.setDaemon(true);
        pump.thread.start();
        return pump;
    }

    /** Waits (bounded) until the process closed its output and every line was copied. */
    void awaitEnd(java.time.Duration max) {
        try {
            thread.join(max.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (tail) {
                    if (tail.size() == TAIL_LINES) {
                        tail.removeFirst();
                    }
                    tail.addLast(line);
                }
                LOG.log(Level.INFO, "[{0}] {1}", prefix.get(), line);
            }
        } catch (IOException e) {
            // the process closed its output: nothing more to copy
        }
    }

    /** The last lines the process wrote, oldest first. */
    List<String> tail() {
        synchronized (tail) {
            return new ArrayList<>(tail);
        }
    }
}
