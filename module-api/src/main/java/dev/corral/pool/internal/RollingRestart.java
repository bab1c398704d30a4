package dev.corral.pool.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Rolling restarts of an app (a JMX operation, or touching {@code tmp/restart.txt} in the app
 * root, as in Passenger): a new process is spawned and must become ready before one old process
 * is retired (gracefully: in-flight requests finish), and so on until none is old. While it runs
 * the app may have one process above {@code maxProcesses}. A new process that fails to start is
 * tried again after the spawn back-off; if the new version fails three times in a row, the
 * restart stops and the old processes keep serving (Passenger's deployment error resistance).
 *
 * <p>Thread-safety: the generation and the restarting flag are guarded by the group lock; the
 * restart.txt fields are touched by the maintenance task alone (one at a time per group).
 */
final class RollingRestart {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");
    /** How often {@code tmp/restart.txt} is looked at, at most. */
    static final Duration RESTART_FILE_INTERVAL = Duration.ofSeconds(2);

    private final Group group;

    // Guarded by the group lock.
    /** The current restart generation: processes of older ones are replaced by a rolling restart. */
    private int generation;
    /** A rolling restart is replacing the processes of older generations. */
    private boolean restarting;
    /** New-version spawns failed in a row during this restart. */
    private int failedSpawns;
    /** The generation of a restart all at once whose first new process is not ready yet, or 0. */
    private int allAtOnce;

    // Confined to the maintenance task.
    /** restart.txt: when it was last looked at, and the modification time seen then (-1: never looked). */
    private long fileCheckedNanos;
    private long fileMillis = -1;

    RollingRestart(Group group) {
        this.group = group;
    }

    int generation() {
        return generation;
    }

    boolean restartingLocked() {
        assert group.holdsLock();
        return restarting;
    }

    /** @return false when a restart is already running or the app is stopping */
    boolean start() {
        try (Change change = group.change()) {
            if (restarting || group.stopped) {
                return false;
            }
            restarting = true;
            failedSpawns = 0;
            generation++;
            allAtOnce = 0;
            int started = generation;
            change.after(() -> LOG.log(Level.INFO, "rolling restart of app [{0}] started (generation {1})",
                    group.name(), started));
            rollLocked(change);
            return true;
        }
    }

    /** A restart all at once: every process is retired now; new ones start at once (requests wait meanwhile). */
    boolean restartAll() {
        try (Change change = group.change()) {
            if (group.stopped) {
                return false;
            }
            restarting = false;
            generation++;
            allAtOnce = generation;
            int started = generation;
            change.after(() -> LOG.log(Level.INFO, "restart of app [{0}] (generation {1}): every process is retired now",
                    group.name(), started));
            for (AppProcess process : new java.util.ArrayList<>(group.processes.all)) {
                if (process.takesRequests()) {
                    group.counters.recycles++;
                    group.recycling.drainLocked(process, new Retirement(Retirement.Kind.RECYCLED, "restarted"), change);
                }
            }
            group.spawning.spawnIfNeededLocked(change);
            return true;
        }
    }

    /** Drives the restart: one new process starting at a time, until no old one is left. */
    private void rollLocked(Change change) {
        assert group.holdsLock();
        if (!restarting) {
            return;
        }
        boolean oldLeft = false;
        boolean newStarting = false;
        for (AppProcess process : group.processes.all) {
            boolean starting = process.life() == ProcessLifecycle.Life.STARTING;
            oldLeft |= (starting || process.takesRequests()) && process.generation < generation;
            newStarting |= starting && process.generation == generation;
        }
        if (!oldLeft) {
            restarting = false;
            int done = generation;
            change.after(() -> LOG.log(Level.INFO, "rolling restart of app [{0}] done", group.name()));
            change.after(() -> group.events.restarted(done, true));
        } else if (!newStarting) {
            group.spawning.spawnOneLocked(change);
        }
    }

    /** A process became ready: if it is of the new generation, the least busy old one is retired. */
    void readyLocked(AppProcess process, Change change) {
        assert group.holdsLock();
        if (allAtOnce != 0 && process.generation == allAtOnce) {
            int done = allAtOnce;
            allAtOnce = 0;
            change.after(() -> group.events.restarted(done, false));
        }
        if (!restarting || process.generation != generation) {
            return;
        }
        failedSpawns = 0;
        AppProcess oldest = null;
        for (AppProcess candidate : group.processes.all) {
            if (candidate.takesRequests() && candidate.generation < generation
                    && (oldest == null || candidate.sessions < oldest.sessions)) {
                oldest = candidate;
            }
        }
        if (oldest != null) {
            group.recycling.recycleLocked(oldest, "replaced by a rolling restart", change);
        }
        rollLocked(change);
    }

    /**
     * A spawn failed: if it was the new version's, it is tried again after the spawn back-off
     * (one failure may be transient); after {@link SpawnBackoff#FAILED_SPAWNS_TO_GIVE_UP} in a
     * row the new version cannot start: the restart stops and the old processes keep serving.
     */
    void spawnFailedLocked(AppProcess process, Change change) {
        assert group.holdsLock();
        if (!restarting || process.generation != generation) {
            return;
        }
        int failed = ++failedSpawns;
        if (failed >= SpawnBackoff.FAILED_SPAWNS_TO_GIVE_UP) {
            restarting = false;
            change.after(() -> LOG.log(Level.ERROR, "rolling restart of app [{0}] failed: the new version could not"
                    + " start ({1} spawns failed in a row); the old processes keep serving", group.name(), failed));
            String error = group.counters.lastError;
            change.after(() -> group.events.unableToStart(failed, error, true));
        } else {
            change.after(() -> LOG.log(Level.WARNING, "rolling restart of app [{0}]: a new process failed to start"
                    + " ({1} of {2} in a row); it is tried again", group.name(), failed,
                    SpawnBackoff.FAILED_SPAWNS_TO_GIVE_UP));
        }
    }

    /** The upkeep: a restart whose last new process failed to start goes on once the back-off allows. */
    void resumeLocked(Change change) {
        assert group.holdsLock();
        if (restarting && !group.spawning.delaysLocked(change.now)) {
            rollLocked(change);
        }
    }

    /** restart.txt: touching {@code appRoot/tmp/restart.txt} restarts the app (looked at every few seconds). */
    void checkRestartFile(long now) {
        if (now - fileCheckedNanos < RESTART_FILE_INTERVAL.toNanos() && fileMillis >= 0) {
            return;
        }
        fileCheckedNanos = now;
        long modified;
        try {
            Path file = group.config.appRoot().resolve("tmp").resolve("restart.txt");
            modified = Files.exists(file) ? Files.getLastModifiedTime(file).toMillis() : 0;
        } catch (IOException | RuntimeException e) {
            return;
        }
        long seen = fileMillis;
        fileMillis = modified;
        if (seen >= 0 && modified != 0 && modified != seen) {
            LOG.log(Level.INFO, "app [{0}]: tmp/restart.txt was touched", group.name());
            start();
        }
    }
}
