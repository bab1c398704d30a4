package dev.corral.pool.internal;

import java.time.Duration;

/**
 * Runs the active health checks of one app's processes: each process has one chain of checks,
 * scheduled on the timer and run on a blocking thread, at {@code healthInterval} while it is up,
 * {@code healthFastInterval} while it is changing state (starting, or failing but not yet down)
 * and {@code healthDownInterval} while it is down and draining. A process without a free slot
 * is not checked (a sync worker would answer only after its request): its answers count instead
 * ({@code errorLimit}). The verdicts are {@link HealthVerdicts}'.
 */
final class HealthChecker {
    private final Group group;

    HealthChecker(Group group) {
        this.group = group;
    }

    void schedule(AppProcess process, Duration delay) {
        EngineServices services = group.engine.services;
        services.scheduler().schedule(() -> services.blockingExecutor().execute(() -> run(process)), delay.toNanos());
    }

    /**
     * One extra check of a running process now, besides its chain (a failed connect or an
     * unanswered request makes it suspect): its verdict counts like any other check's. At most
     * one is pending per process; nothing without {@code healthPath}.
     */
    void checkSoonLocked(AppProcess process, Change change) {
        assert group.holdsLock();
        if (group.config.health().healthPath() == null || process.quickCheckPending) {
            return;
        }
        process.quickCheckPending = true;
        change.after(() -> group.engine.services.blockingExecutor().execute(() -> {
            group.read(() -> {
                process.quickCheckPending = false;
                return null;
            });
            if (group.read(() -> group.health.dueLocked(process)) == HealthVerdicts.Next.UP) {
                group.health.checked(process, probe(process));
            }
        }));
    }

    private void run(AppProcess process) {
        HealthVerdicts.Next due = group.read(() -> group.health.dueLocked(process));
        var health = group.config.health();
        if (due == HealthVerdicts.Next.STOP) {
            return;
        }
        if (due == HealthVerdicts.Next.BUSY) {
            schedule(process, health.interval()); // no free slot: look again later, without a verdict
            return;
        }
        String failure = probe(process);
        switch (group.health.checked(process, failure)) {
            case STOP -> { }
            case UP -> schedule(process, health.interval());
            case DOWN -> schedule(process, health.downInterval());
            default -> schedule(process, health.fastInterval());
        }
    }

    /** One check of healthPath (or an injected failure): null if it passed, else why not. */
    private String probe(AppProcess process) {
        var health = group.config.health();
        return group.faults.inject(dev.corral.fault.FaultPoint.HEALTH, "health check of " + process)
                ? "fault injected (seed " + group.faults.seed() + ")"
                : group.engine.services.healthProbe().check(process, health.healthPath(), health.timeout());
    }
}
