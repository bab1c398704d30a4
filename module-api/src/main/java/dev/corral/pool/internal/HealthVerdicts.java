package dev.corral.pool.internal;

import dev.corral.config.Durations;
import dev.corral.config.HealthConfig;
import dev.corral.pool.internal.ProcessLifecycle.Routing;

import java.lang.System.Logger.Level;
import java.util.List;

/**
 * What health checks and answers say about a process, with HAProxy's rules: a starting process
 * takes traffic after {@code healthRise} passed checks in a row; a running one is marked DOWN
 * after {@code healthFall} failed checks in a row, or after {@code errorLimit} connect errors or
 * 5xx answers in a row; a DOWN process takes no request, finishes those in flight, and is
 * replaced. The {@link HealthChecker} runs the checks and asks here what to do next.
 *
 * <p>Thread-safety: {@code …Locked} methods need the group lock; the others take it.
 */
final class HealthVerdicts {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");

    /** What the health checker does after a check. */
    enum Next { STOP, RISING, UP, FAILING, DOWN, BUSY }

    private final Group group;

    HealthVerdicts(Group group) {
        this.group = group;
    }

    /** Whether and how a check of this process should run now (BUSY: it has no free slot). */
    Next dueLocked(AppProcess process) {
        assert group.holdsLock();
        switch (process.life()) {
            case STARTING:
                return Next.RISING;
            case RUNNING:
                if (process.takesRequests()) {
                    return process.freeSlots(group.config.concurrency()) > 0 ? Next.UP : Next.BUSY;
                }
                return process.routing() == Routing.DOWN ? Next.DOWN : Next.STOP;
            default:
                return Next.STOP;
        }
    }

    /**
     * Applies one check's verdict ({@code failure} null = passed) and says how the checker goes on.
     */
    Next checked(AppProcess process, String failure) {
        Next next;
        boolean rose = false;
        SpawnException timedOut = null;
        try (Change change = group.change()) {
            HealthConfig h = group.config.health();
            process.lastCheckNanos = change.now;
            process.lastCheckFailure = failure;
            switch (process.life()) {
                case STARTING -> {
                    process.passedChecks = failure == null ? process.passedChecks + 1 : 0;
                    if (process.passedChecks >= h.rise()) {
                        rose = true;
                        next = Next.STOP; // becomeReady starts the checks of a ready process
                    } else if (failure != null && change.now - process.createdNanos > group.config.spawnTimeout().toNanos()) {
                        timedOut = new SpawnException(SpawnException.Step.HEALTH_CHECK, "the health check of "
                                + h.healthPath() + " did not pass " + h.rise() + " times in a row within "
                                + "spawnTimeout=" + Durations.format(group.config.spawnTimeout()) + "; last: " + failure,
                                process.os == null ? List.of() : process.os.outputTail());
                        next = Next.STOP;
                    } else {
                        next = Next.RISING;
                    }
                }
                case RUNNING -> {
                    if (!process.takesRequests()) {
                        next = process.routing() == Routing.DOWN ? Next.DOWN : Next.STOP;
                    } else if (failure == null) {
                        process.failedChecks = 0;
                        process.passedChecks++;
                        next = Next.UP;
                    } else if (++process.failedChecks >= h.fall()) {
                        process.passedChecks = 0;
                        markDownLocked(process, "after " + process.failedChecks + " failed checks: " + failure, change);
                        next = Next.DOWN;
                    } else {
                        process.passedChecks = 0;
                        next = Next.FAILING;
                    }
                }
                default -> next = Next.STOP;
            }
        }
        if (rose) {
            group.spawning.becomeReady(process);
        } else if (timedOut != null) {
            group.engine.services.blockingExecutor().execute(() -> ProcessStopper.kill(process));
            group.spawning.failed(process, timedOut);
        }
        return next;
    }

    /** errorLimit: counts consecutive connect errors and 5xx answers of a process. */
    void countErrorLocked(AppProcess process, boolean error, String what, Change change) {
        assert group.holdsLock();
        int limit = group.config.health().errorLimit();
        if (!error) {
            process.consecutiveErrors = 0;
        } else if (limit > 0 && ++process.consecutiveErrors >= limit) {
            markDownLocked(process, "after " + process.consecutiveErrors + " errors in a row (errorLimit=" + limit
                    + "), the last: " + what, change);
        }
    }

    /** DOWN: no new request and none from the queue; in-flight ones finish; then it is replaced. */
    private void markDownLocked(AppProcess process, String why, Change change) {
        assert group.holdsLock();
        if (!process.takesRequests()) {
            return;
        }
        group.errorLocked(process + " DOWN " + why);
        change.after(() -> LOG.log(Level.WARNING, "{0} DOWN {1}", process, why));
        change.after(() -> LOG.log(Level.INFO, "recycling {0}: {1}", process, "DOWN " + why));
        group.processes.disableLocked(process, Routing.DOWN, new Retirement(Retirement.Kind.DOWN, "DOWN " + why), change);
        group.spawning.spawnIfNeededLocked(change);
    }
}
