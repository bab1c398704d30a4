package dev.corral.pool.internal;

import dev.corral.pool.internal.ProcessLifecycle.Life;
import dev.corral.pool.internal.ProcessLifecycle.Routing;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * An app's processes (Passenger's ProcessListManagement): adding one when its spawn starts,
 * taking one out of routing, stopping it once drained, and removing it when it has exited,
 * which gives its {@code maxPoolProcesses} slot back exactly once.
 *
 * <p>Thread-safety: guarded by the group lock, except {@link #exited}, which takes it.
 */
final class ProcessList {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");

    private final Group group;
    /** Every process that exists: starting, running or stopping (not DEAD). */
    final List<AppProcess> all = new ArrayList<>();

    ProcessList(Group group) {
        this.group = group;
    }

    void addLocked(AppProcess process) {
        assert group.holdsLock();
        all.add(process);
    }

    /** Processes that serve or soon will: starting, or taking requests. */
    int liveLocked() {
        assert group.holdsLock();
        int n = 0;
        for (AppProcess process : all) {
            if (process.life() == Life.STARTING || process.takesRequests()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Takes a process out of routing ({@code to}: DRAINING or DOWN) for {@code why}: what waited
     * for it alone goes back to the app's queue and to any process with a free slot; it stops
     * once its in-flight requests are done.
     */
    void disableLocked(AppProcess process, Routing to, Retirement why, Change change) {
        assert group.holdsLock();
        process.routeTo(to);
        process.retirement = why;
        group.tunnels.leftRoutingLocked(process);
        leftRoutingLocked(process, change);
        stopIfDrainedLocked(process, change);
    }

    /** A process stopped taking requests: its own queue goes to the app's, and from there to free processes. */
    private void leftRoutingLocked(AppProcess process, Change change) {
        assert group.holdsLock();
        WaitList waiting = group.waiting;
        if (waiting.ownSizeLocked(process) == 0) {
            return;
        }
        waiting.returnToAppLocked(process);
        group.sessions.serveQueueLocked(change);
        group.spawning.spawnIfNeededLocked(change);
    }

    /** A drained process with nothing in flight is stopped. */
    void stopIfDrainedLocked(AppProcess process, Change change) {
        assert group.holdsLock();
        if (process.draining() && process.sessions == 0) {
            process.moveTo(Life.STOPPING);
            change.after(() -> ProcessStopper.stop(group, process));
        }
    }

    /**
     * A process that is gone leaves the list and gives its maxPoolProcesses slot back; its MBean,
     * if its OS process had started (ready or not), goes.
     */
    void removeDeadLocked(AppProcess process, Change change) {
        assert group.holdsLock();
        boolean started = process.os != null;
        process.moveTo(Life.DEAD);
        leftRoutingLocked(process, change);
        all.remove(process);
        if (started) {
            change.after(() -> group.engine.management.processGone(process));
        }
        group.engine.budget.giveBack();
        change.after(group.engine.slotFreed);
    }

    /** The OS process exited (it is reaped): accounting, a crash's back-off, and its one exit line. */
    void exited(AppProcess process, int exitCode) {
        Life was;
        boolean expected;
        List<Session> inFlight;
        String cause;
        long now;
        try (Change change = group.change()) {
            now = change.now;
            was = process.life();
            expected = process.expectsExit();
            inFlight = new ArrayList<>(process.active);
            // a process whose spawn failed (reported by the launcher) ends as a failed spawn whether
            // Corral killed it (spawnTimeout) or it exited first: never as a crash
            cause = expected ? process.retirement.kind().name().toLowerCase(java.util.Locale.ROOT)
                    : was == Life.STARTING || process.spawnFailed() ? "spawn_failed" : "crashed";
            group.counters.exit(cause);
            if (expected && process.retirement.provesTheAppWorks()) {
                group.spawning.forgiveLocked();
            }
            // a STARTING process's exit is reported by the launcher, with the app's output; a DEAD
            // one was removed when its spawn failed
            if (was != Life.STARTING && was != Life.DEAD) {
                if (!expected) {
                    group.counters.crashes++;
                    group.errorLocked(process + " exited unexpectedly with " + ExitStatus.describe(exitCode));
                    group.spawning.crashedLocked(process, change);
                }
                removeDeadLocked(process, change);
            }
            group.spawning.spawnIfNeededLocked(change);
        }
        process.closeIdle();
        ProcessStopper.logExit(process, was, expected, exitCode, inFlight, now);
        group.events.exited(process, cause, exitCode, inFlight);
    }

    /** An operator retires the process with this pid: see {@link dev.corral.pool.App#detach}. */
    boolean detach(long pid) {
        try (Change change = group.change()) {
            for (AppProcess process : all) {
                if (process.pid() == pid && process.takesRequests()) {
                    group.recycling.drainLocked(process, new Retirement(Retirement.Kind.DETACHED,
                            "detached by an operator"), change);
                    return true;
                }
            }
            return false;
        }
    }

    /** maxPoolProcesses: stops this app's least recently used idle process for another app. */
    boolean evictIdleFor(Group needy) {
        try (Change change = group.change()) {
            AppProcess lru = null;
            for (AppProcess process : all) {
                if (process.takesRequests() && process.sessions == 0
                        && (lru == null || process.lastUsedNanos - lru.lastUsedNanos < 0)) {
                    lru = process;
                }
            }
            if (lru == null || group.waiting.appSizeLocked() > 0) {
                return false;
            }
            // evicted even below minProcesses: the pool's limit wins, as in Passenger
            String reason = "evicted: app [" + needy.name() + "] needs a process and maxPoolProcesses="
                    + group.engine.budget.max() + " are running";
            AppProcess evicted = lru;
            change.after(() -> LOG.log(Level.INFO, "recycling {0}: {1}", evicted, reason));
            disableLocked(lru, Routing.DRAINING, new Retirement(Retirement.Kind.EVICTED, reason), change);
            group.spawning.spawnIfNeededLocked(change);
            return true;
        }
    }

    /**
     * Whether a process of this app was evicted and has not exited yet: its maxPoolProcesses
     * slot is on its way to the app that needed it, so no other process is evicted meanwhile.
     */
    boolean evictionUnderway() {
        return group.read(() -> all.stream()
                .anyMatch(p -> p.retirement != null && p.retirement.kind() == Retirement.Kind.EVICTED));
    }

    /** The last time an idle process of this app served a request (Long.MAX_VALUE: none is idle), for choosing whom to evict. */
    long idleSinceNanos() {
        return group.read(() -> {
            long oldest = Long.MAX_VALUE;
            for (AppProcess process : all) {
                if (process.takesRequests() && process.sessions == 0) {
                    oldest = Math.min(oldest, process.lastUsedNanos);
                }
            }
            return oldest;
        });
    }

    /** Processes that still exist, for the final kill at shutdown. */
    List<AppProcess> snapshot() {
        return group.read(() -> new ArrayList<>(all));
    }
}
