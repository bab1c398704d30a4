package dev.corral.pool.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs the active health checks of one app's processes: each process has one chain of checks,
 * scheduled on the timer and run on a blocking thread, at {@code healthInterval} while it is up,
 * {@code healthFastInterval} while it is changing state (starting, or failing but not yet down)
 * and {@code healthDownInterval} while it is down and draining. A process without a free slot
 * is not checked (a sync worker would answer only after its request): its answers count instead
 * ({@code errorLimit}). The verdicts are applied by {@link Group#checked}.
 */
final class HealthChecker {
    private final Group group;

    HealthChecker(Group group) {
        this.group = group;
    }

    void schedule(AppProcess process, Duration delay) {
        group.engine.scheduler.schedule(() -> group.engine.blockingExecutor.execute(() -> run(process)),
                delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void run(AppProcess process) {
        Group.CheckOutcome due;
        group.lock.lock();
        try {
            due = group.checkDueLocked(process);
        } finally {
            group.lock.unlock();
        }
        var health = group.config.health();
        if (due == Group.CheckOutcome.STOP) {
            return;
        }
        if (due == Group.CheckOutcome.BUSY) {
            schedule(process, health.interval()); // no free slot: look again later, without a verdict
            return;
        }
        String failure = group.faults.inject(dev.corral.fault.FaultPoint.HEALTH, "health check of " + process)
                ? "fault injected (seed " + group.faults.seed() + ")"
                : HealthProbe.check(process, health.healthPath(), health.timeout(), group.engine.nanoClock);
        Group.CheckOutcome next = group.checked(process, failure);
        switch (next) {
            case STOP -> { }
            case UP -> schedule(process, health.interval());
            case DOWN -> schedule(process, health.downInterval());
            default -> schedule(process, health.fastInterval());
        }
    }
}
