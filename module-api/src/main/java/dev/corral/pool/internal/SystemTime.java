package dev.corral.pool.internal;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The real passing of time: the one class of the engine that reads the system's monotonic clock
 * or makes a thread wait for time to pass. Everything else takes its clock (and a pause, where it
 * must wait) from {@link EngineServices}, so that tests drive time by hand. Stateless.
 */
final class SystemTime {
    private SystemTime() {
    }

    static long nanoTime() {
        return System.nanoTime();
    }

    /** Waits {@code duration} (an injected latency), keeping an interrupt for the caller. */
    static void pause(Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        long left;
        while ((left = end - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(left);
        }
    }
}
