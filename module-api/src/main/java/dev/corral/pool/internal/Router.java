package dev.corral.pool.internal;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Chooses the process that takes a request: the one with the most free slots, ties going to
 * the least recently used (so that idle processes age out evenly and {@code idleTimeout} can
 * reap the rest); with {@code slowStart}, a process ready for less than that takes a request
 * only with the probability of the part of slowStart it has been up (HAProxy ramps a server's
 * weight so), and is never skipped when no other process has a free slot; with sticky
 * sessions, the process a route names.
 *
 * <p>Pure: it only reads the processes it is given (under the group lock) and draws from its
 * random source, which the engine injects (seeded in tests).
 */
final class Router {
    private final RandomGenerator random;

    Router(RandomGenerator random) {
        this.random = random;
    }

    /**
     * The process that takes a request now, or null when none has a free slot.
     *
     * @param exclude a process not to choose (the one a connect just failed on), or null
     * @param slowStartNanos the slowStart ramp, 0 = off
     */
    AppProcess choose(List<AppProcess> processes, int concurrency, AppProcess exclude, long slowStartNanos, long now) {
        if (slowStartNanos > 0 && withFreeSlots(processes, concurrency, exclude) > 1) {
            AppProcess ramped = leastBusy(processes, concurrency, exclude, slowStartNanos, now);
            if (ramped != null) {
                return ramped;
            }
        }
        return leastBusy(processes, concurrency, exclude, 0, now);
    }

    /** The process a sticky route names, if it takes requests; null if it is down or gone. */
    AppProcess sticky(List<AppProcess> processes, String route) {
        for (AppProcess process : processes) {
            if (process.route.equals(route)) {
                return process.takesRequests() ? process : null;
            }
        }
        return null;
    }

    /** The routable process with the most free slots (ties: least recently used), skipping ramping ones by chance. */
    private AppProcess leastBusy(List<AppProcess> processes, int concurrency, AppProcess exclude, long slowStartNanos,
                                 long now) {
        AppProcess best = null;
        int bestFree = 0;
        for (AppProcess process : processes) {
            if (!process.takesRequests() || process == exclude || (slowStartNanos > 0 && ramping(process, slowStartNanos, now))) {
                continue;
            }
            int free = process.freeSlots(concurrency);
            if (free > bestFree || (free == bestFree && free > 0 && process.lastUsedNanos - best.lastUsedNanos < 0)) {
                best = process;
                bestFree = free;
            }
        }
        return best;
    }

    /** slowStart: true when a process still ramping up sits this request out. */
    private boolean ramping(AppProcess process, long slowStartNanos, long now) {
        long up = now - process.readyNanos;
        return up < slowStartNanos && random.nextLong(slowStartNanos) >= up;
    }

    private static int withFreeSlots(List<AppProcess> processes, int concurrency, AppProcess exclude) {
        int free = 0;
        for (AppProcess process : processes) {
            if (process.takesRequests() && process != exclude && process.freeSlots(concurrency) > 0) {
                free++;
            }
        }
        return free;
    }
}
