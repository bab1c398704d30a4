package dev.corral.pool.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The last ten minutes of one app's queue depth and busy slots, one sample a second (taken by the
 * engine's upkeep), for the status page's chart. A ring of fixed size: no growth, ever.
 *
 * <p>Thread-safety: its own monitor (sampled by the upkeep, read by status requests).
 */
final class StatusHistory {
    static final int SAMPLES = 600;

    /** One sample: when (wall-clock milliseconds), requests queued, requests in flight, ready processes. */
    record Sample(long millis, int queued, int busy, int ready) {
    }

    private final Sample[] ring = new Sample[SAMPLES];
    private int next;
    private int size;

    synchronized void add(Sample sample) {
        ring[next] = sample;
        next = (next + 1) % SAMPLES;
        size = Math.min(SAMPLES, size + 1);
    }

    /** The samples, oldest first. */
    synchronized List<Sample> samples() {
        List<Sample> samples = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            samples.add(ring[(next - size + i + SAMPLES) % SAMPLES]);
        }
        return samples;
    }
}
