package dev.corral.pool.internal;

import dev.corral.event.AppRestarted;
import dev.corral.event.AppUnableToStart;
import dev.corral.event.ProcessExited;
import dev.corral.event.ProcessReady;
import dev.corral.event.ProcessSpawned;
import dev.corral.event.QueueFull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One app's events for {@link EventBus}: builds them from the engine's objects and publishes
 * them. Callers publish after unlocking (in a {@link Change}'s actions, or outside any change);
 * publishing never blocks. Queue-full events are rate-limited here, to one per
 * {@link #QUEUE_FULL_INTERVAL}, each counting the rejections since the previous one.
 *
 * <p>Lifetime: its group's. Thread-safe.
 */
final class GroupEvents {
    static final Duration QUEUE_FULL_INTERVAL = Duration.ofSeconds(1);
    private final Group group;
    /** Rejections not yet reported in a QueueFull event. */
    private final AtomicLong unreported = new AtomicLong();
    /** The engine time from which the next QueueFull event may go out. */
    private final AtomicLong nextQueueFull = new AtomicLong(Long.MIN_VALUE);

    GroupEvents(Group group) {
        this.group = group;
    }

    private Instant time() {
        return group.engine.services.wallClock().instant();
    }

    void spawned(AppProcess process) {
        if (EventBus.listened()) {
            EventBus.publish(new ProcessSpawned(group.name(), time(), process.pgid(), process.generation));
        }
    }

    void ready(AppProcess process, long startupNanos) {
        if (EventBus.listened()) {
            EventBus.publish(new ProcessReady(group.name(), time(), process.pid(), process.pgid(), process.generation,
                    startupNanos / 1_000_000));
        }
    }

    void exited(AppProcess process, String cause, int exitCode, List<Session> inFlight) {
        if (EventBus.listened()) {
            List<String> interrupted = new ArrayList<>(inFlight.size());
            process.cutShort(inFlight).forEach(interrupted::add);   // ended just before the exit, by it
            inFlight.forEach(session -> interrupted.add(session.request.describe()));
            EventBus.publish(new ProcessExited(group.name(), time(), process.pid(), process.pgid(), cause, exitCode,
                    ExitStatus.describe(exitCode), process.processed, interrupted));
        }
    }

    void restarted(int generation, boolean rolling) {
        if (EventBus.listened()) {
            EventBus.publish(new AppRestarted(group.name(), time(), generation, rolling));
        }
    }

    void unableToStart(int failedSpawns, String error, boolean restart) {
        if (EventBus.listened()) {
            EventBus.publish(new AppUnableToStart(group.name(), time(), failedSpawns, error, restart));
        }
    }

    /** A request was answered 503 queue_full: an event now, unless one went out less than a second ago. */
    void rejected(long now) {
        if (!EventBus.listened()) {
            return;
        }
        unreported.incrementAndGet();
        long next = nextQueueFull.get();
        if (now - next >= 0 || next == Long.MIN_VALUE) {
            if (nextQueueFull.compareAndSet(next, now + QUEUE_FULL_INTERVAL.toNanos())) {
                long rejected = unreported.getAndSet(0);
                if (rejected > 0) {
                    EventBus.publish(new QueueFull(group.name(), time(), group.config.maxQueue(), rejected));
                }
            }
        }
    }
}
