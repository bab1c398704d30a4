package dev.corral.pool.internal;

import dev.corral.config.Durations;
import dev.corral.config.Sizes;
import dev.corral.pool.internal.ProcessLifecycle.Routing;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Retiring worn processes gracefully (Passenger's pool idle time and max requests, Apache's
 * MaxRequestsPerChild): after {@code maxRequests}, above {@code maxMemory}, after
 * {@code idleTimeout} above {@code minProcesses}, and for a rolling restart. A recycled process
 * stops taking requests, finishes those in flight, then is stopped; where the app would drop
 * below {@code minProcesses}, the replacement starts first and the old process serves until it
 * is ready (RETIRING). Limits are jittered per process, so that a pool started at once does not
 * recycle at once (HikariCP's lesson).
 *
 * <p>Thread-safety: {@code …Locked} methods need the group lock.
 */
final class Recycling {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");
    /** Limits are raised by up to this fraction per process. */
    static final double JITTER = 0.10;

    private final Group group;

    Recycling(Group group) {
        this.group = group;
    }

    /** {@code limit} raised by a random 0..10%; 0 (off) stays 0. */
    static long jitter(long limit, RandomGenerator random) {
        if (limit <= 0) {
            return limit;
        }
        return limit + (long) (limit * JITTER * random.nextDouble());
    }

    /** Takes a process that takes requests out of routing to recycle it (see the class comment). */
    void recycleLocked(AppProcess process, String reason, Change change) {
        assert group.holdsLock();
        if (process.routing() != Routing.ENABLED || !process.takesRequests()) {
            return;
        }
        Retirement recycled = new Retirement(Retirement.Kind.RECYCLED, reason);
        group.counters.recycles++;
        if (!group.stopped && group.processes.liveLocked() - 1 < group.config.minProcesses()) {
            // the app would drop below minProcesses: the replacement starts first, and this process
            // keeps serving until it is ready (see retireReplacedLocked)
            process.routeTo(Routing.RETIRING);
            process.retirement = recycled;
            change.after(() -> LOG.log(Level.INFO, "recycling {0} once its replacement is ready: {1}", process, reason));
            if (group.spawning.starting == 0) {
                group.spawning.spawnOneLocked(change);
            }
            return;
        }
        drainLocked(process, recycled, change);
    }

    /**
     * maxProcesses was lowered: the least busy running processes above it are recycled. Not
     * while a rolling restart runs, which may keep one process above it on purpose; the upkeep
     * after it catches up.
     */
    void shrinkLocked(Change change) {
        assert group.holdsLock();
        if (group.restarts.restartingLocked()) {
            return;
        }
        int max = group.config.maxProcesses();
        while (group.processes.liveLocked() > max) {
            AppProcess idlest = null;
            for (AppProcess process : group.processes.all) {
                if (process.routing() == Routing.ENABLED && process.takesRequests() && (idlest == null
                        || process.sessions < idlest.sessions
                        || (process.sessions == idlest.sessions && process.lastUsedNanos - idlest.lastUsedNanos < 0))) {
                    idlest = process;
                }
            }
            if (idlest == null) {
                return;   // only starting or retiring ones are above it: they are counted at the next upkeep
            }
            recycleLocked(idlest, "maxProcesses is now " + max, change);
        }
    }

    /** Retires a process at once, whatever minProcesses says (a restart that is not rolling, a detach). */
    void drainLocked(AppProcess process, Retirement why, Change change) {
        assert group.holdsLock();
        change.after(() -> LOG.log(Level.INFO, "recycling {0}: {1}", process, why.reason()));
        group.processes.disableLocked(process, Routing.DRAINING, why, change);
        group.spawning.spawnIfNeededLocked(change);
    }

    /** A process became ready: one process that was waiting for its replacement retires. */
    void retireReplacedLocked(Change change) {
        assert group.holdsLock();
        for (AppProcess process : group.processes.all) {
            if (process.takesRequests() && process.routing() == Routing.RETIRING) {
                drainLocked(process, process.retirement, change);
                return;
            }
        }
    }

    /** A process waiting for its replacement gets one, if none is starting (e.g. after a failed spawn). */
    void replaceRetiringLocked(Change change) {
        assert group.holdsLock();
        if (group.spawning.starting > 0 || group.stopped || group.spawning.delaysLocked(change.now)) {
            return;
        }
        for (AppProcess process : group.processes.all) {
            if (process.takesRequests() && process.routing() == Routing.RETIRING) {
                group.spawning.spawnOneLocked(change);
                return;
            }
        }
    }

    /** maxRequests: recycles the process once it has served its (jittered) share. */
    void recycleIfWornLocked(AppProcess process, Change change) {
        assert group.holdsLock();
        if (process.maxRequests > 0 && process.processed >= process.maxRequests) {
            recycleLocked(process, "served " + process.processed + " requests (maxRequests="
                    + group.config.recycle().maxRequests() + ")", change);
        }
    }

    /** idleTimeout: stops the least recently used idle processes above {@code minProcesses}. */
    void reapIdleLocked(Change change) {
        assert group.holdsLock();
        long now = change.now;
        long idleNanos = group.config.recycle().idleTimeout().toNanos();
        if (idleNanos == 0 || group.waiting.appSizeLocked() > 0) {
            return;
        }
        List<AppProcess> idle = new ArrayList<>();
        for (AppProcess process : group.processes.all) {
            if (process.takesRequests() && process.sessions == 0 && now - process.lastUsedNanos >= idleNanos) {
                idle.add(process);
            }
        }
        idle.sort((a, b) -> Long.compare(a.lastUsedNanos - now, b.lastUsedNanos - now));
        int running = group.processes.liveLocked();
        for (AppProcess process : idle) {
            if (running <= group.config.minProcesses()) {
                return;
            }
            recycleLocked(process, "idle for " + (now - process.lastUsedNanos) / 1_000_000_000 + " s (idleTimeout="
                    + Durations.format(group.config.recycle().idleTimeout()) + ")", change);
            running--;
        }
    }

    /** The processes whose memory is to be measured now (maxMemory is set), read under the lock. */
    List<AppProcess> toMeasureLocked() {
        assert group.holdsLock();
        if (group.config.recycle().maxMemoryBytes() <= 0) {
            return List.of();
        }
        List<AppProcess> measure = new ArrayList<>();
        for (AppProcess process : group.processes.all) {
            if (process.takesRequests()) {
                measure.add(process);
            }
        }
        return measure;
    }

    /** maxMemory: recycles the processes whose resident set (measured without the lock) exceeds their limit. */
    void recycleBloatedLocked(List<AppProcess> measured, long[] residentBytes, Change change) {
        assert group.holdsLock();
        for (int i = 0; i < residentBytes.length; i++) {
            AppProcess process = measured.get(i);
            if (residentBytes[i] > process.maxMemory) {
                recycleLocked(process, "its resident set " + Sizes.format(residentBytes[i] >> 20 << 20)
                        + " exceeds maxMemory=" + Sizes.format(group.config.recycle().maxMemoryBytes()), change);
            }
        }
    }
}
