package dev.corral.pool.internal;

import java.time.Duration;
import java.util.function.LongSupplier;

/** A clock that moves only when a test moves it (through {@link ManualScheduler#advance}). */
final class ManualClock implements LongSupplier {
    /** Far from zero, so that code which assumes the clock starts near 0 shows itself. */
    private long now = Duration.ofDays(3).toNanos();

    @Override
    public long getAsLong() {
        return now;
    }

    void set(long nanos) {
        if (nanos - now < 0) {
            throw new IllegalArgumentException("a clock does not go back");
        }
        now = nanos;
    }
}
