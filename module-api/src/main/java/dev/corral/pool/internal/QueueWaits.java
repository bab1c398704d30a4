package dev.corral.pool.internal;

import java.util.Arrays;

/**
 * How long an app's requests waited for a process: every request counts once, when it gets a
 * slot (0 if at once) or leaves the queue otherwise (timed out, client gone, rejected as the app
 * stopped). Kept two ways: a cumulative histogram since start, with fixed bucket bounds, for
 * Prometheus; and the last minute in one-second slots of finer buckets (four per doubling, from
 * 100 µs), for the p50 and p99 an operator reads. Recording is a few array increments.
 *
 * <p>Thread-safety: guarded by the group lock.
 */
final class QueueWaits {
    /** The cumulative histogram's upper bounds, in seconds (Prometheus {@code le}); the last bucket is +Inf. */
    static final double[] BOUNDS_SECONDS = dev.corral.pool.AppStatus.QUEUE_WAIT_BUCKETS_SECONDS.stream()
            .mapToDouble(Double::doubleValue).toArray();
    private static final long FINEST_NANOS = 100_000;
    private static final int FINE_BUCKETS = 96;
    private static final int WINDOW_SECONDS = 60;

    private final long[] cumulative = new long[BOUNDS_SECONDS.length + 1];
    private long count;
    private long sumNanos;
    /** The last minute: per slot, the second it holds (-1: none) and its fine bucket counts. */
    private final long[] slotSecond = new long[WINDOW_SECONDS];
    private final long[][] slots = new long[WINDOW_SECONDS][FINE_BUCKETS];

    QueueWaits() {
        Arrays.fill(slotSecond, Long.MIN_VALUE);
    }

    void record(long waitedNanos, long now) {
        long waited = Math.max(0, waitedNanos);
        count++;
        sumNanos += waited;
        int bucket = 0;
        while (bucket < BOUNDS_SECONDS.length && waited > BOUNDS_SECONDS[bucket] * 1e9) {
            bucket++;
        }
        cumulative[bucket]++;
        long second = Math.floorDiv(now, 1_000_000_000L);
        int slot = (int) Math.floorMod(second, (long) WINDOW_SECONDS);
        if (slotSecond[slot] != second) {
            slotSecond[slot] = second;
            Arrays.fill(slots[slot], 0);
        }
        slots[slot][fineBucket(waited)]++;
    }

    private static int fineBucket(long nanos) {
        if (nanos < FINEST_NANOS) {
            return 0;
        }
        double quarters = 4 * (Math.log((double) nanos / FINEST_NANOS) / Math.log(2));
        return (int) Math.min(FINE_BUCKETS - 1, 1 + Math.floor(quarters));
    }

    /** A fine bucket's upper bound in nanoseconds. */
    private static long upperNanos(int bucket) {
        return bucket == 0 ? FINEST_NANOS : (long) (FINEST_NANOS * Math.pow(2, bucket / 4.0));
    }

    /**
     * The wait that {@code quantile} (0..1) of the last minute's requests stayed within, in
     * milliseconds (the upper bound of its bucket, within 19%); 0 when none was recorded.
     */
    double percentileMillis(double quantile, long now) {
        long second = Math.floorDiv(now, 1_000_000_000L);
        long[] merged = new long[FINE_BUCKETS];
        long total = 0;
        for (int slot = 0; slot < WINDOW_SECONDS; slot++) {
            if (second - slotSecond[slot] < WINDOW_SECONDS && slotSecond[slot] <= second) {
                for (int b = 0; b < FINE_BUCKETS; b++) {
                    merged[b] += slots[slot][b];
                    total += slots[slot][b];
                }
            }
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(quantile * total);
        long seen = 0;
        for (int b = 0; b < FINE_BUCKETS; b++) {
            seen += merged[b];
            if (seen >= rank && merged[b] > 0) {
                return b == 0 ? 0 : upperNanos(b) / 1e6;
            }
        }
        return upperNanos(FINE_BUCKETS - 1) / 1e6;
    }

    /** Requests recorded since start. */
    long count() {
        return count;
    }

    /** Their waits added up, in seconds. */
    double sumSeconds() {
        return sumNanos / 1e9;
    }

    /** Cumulative counts per {@link #BOUNDS_SECONDS} bound, then +Inf (Prometheus {@code _bucket}). */
    java.util.List<Long> cumulativeCounts() {
        java.util.List<Long> counts = new java.util.ArrayList<>(cumulative.length);
        long running = 0;
        for (long bucket : cumulative) {
            running += bucket;
            counts.add(running);
        }
        return counts;
    }
}
