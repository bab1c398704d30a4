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
        String failure = group.faults.inject(dev.corral.fault.FaultPoint.HEALTH, "health check of " + process)
                ? "fault injected (seed " + group.faults.seed() + ")"
                : group.engine.services.healthProbe().check(process, health.healthPath(), health.timeout());
        switch (group.health.checked(process, failure)) {
            case STOP -> { }
            case UP -> schedule(process, health.interval());
            case DOWN -> schedule(process, health.downInterval());
            default -> schedule(process, health.fastInterval());
        }
    }
}
