package dev.corral.pool.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The last lines an app process wrote, stdout and stderr together in the order the
 * {@link OutputPump}s read them: what a spawn error message quotes. Thread-safe.
 */
final class OutputTail {
    static final int LINES = 30;

    /** Guarded by itself. */
    private final Deque<String> lines = new ArrayDeque<>();

    void add(String line) {
        synchronized (lines) {
            if (lines.size() == LINES) {
                lines.removeFirst();
            }
            lines.addLast(line);
        }
    }

    /** The last {@link #LINES} lines, oldest first. */
    List<String> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }
}
