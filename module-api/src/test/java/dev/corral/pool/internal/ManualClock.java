package dev.corral.pool.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/** A clock that moves only when a test moves it (through {@link ManualScheduler#advance}). */
final class ManualClock implements LongSupplier {
    /** Far from zero, so that code which assumes the clock starts near 0 shows itself. */
    private long now = Duration.ofDays(3).toNanos();

    @Override
    public long getAsLong() {
        return now;
    }

    /** The time of day, moving with this clock from 2026-01-01T00:00:00Z. */
    Clock wall() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        long origin = now;
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Instant instant() {
                return start.plusNanos(now - origin);
            }
        };
    }

    void set(long nanos) {
        if (nanos - now < 0) {
            throw new IllegalArgumentException("a clock does not go back");
        }
        now = nanos;
    }
}
