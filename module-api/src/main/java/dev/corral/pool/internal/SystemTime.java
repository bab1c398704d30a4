package dev.corral.pool.internal;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The real passing of time: the one class of the engine that makes a thread wait for time to
 * pass (an injected latency fault). Everything else takes its clock from {@link EngineServices}
 * (the system clock is chosen where the engine is built, {@code Corral.Builder}), so that tests
 * drive time by hand. Stateless.
 */
final class SystemTime {
    private SystemTime() {
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
