package dev.corral.pool.internal;

import dev.corral.pool.AppStatus;
import dev.corral.pool.ProcessStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What an app's state looks like from outside (Passenger's StateInspection): consistent
 * snapshots taken under the lock, the counts quoted in error messages, and two hints published
 * after every change for the lock-free fast path (rejecting a storm on a full queue without
 * queueing on the lock, and the client probe's "is anything queued?").
 *
 * <p>Thread-safety: the hints are volatile, written under the group lock; the rest needs the lock.
 */
final class GroupStatus {
    private final Group group;
    /** The number of waiting requests after the last change. */
    private volatile int queuedHint;
    /** Free slots on processes that take requests after the last change (0 also when none does). */
    private volatile int freeSlotsHint;

    GroupStatus(Group group) {
        this.group = group;
    }

    /** Publishes the hints; called at the end of every change, under the lock. */
    void publishLocked() {
        assert group.holdsLock();
        queuedHint = group.waiting.sizeLocked();
        int concurrency = group.config.concurrency();
        int free = 0;
        for (AppProcess process : group.processes.all) {
            if (process.takesRequests()) {
                free += concurrency == 0 ? 1 : Math.max(0, concurrency - process.sessions);
            }
        }
        freeSlotsHint = free;
    }

    int queuedHint() {
        return queuedHint;
    }

    /** A full queue and no free slot after the last change (a hint: the state may change meanwhile). */
    boolean queueLooksFull() {
        return freeSlotsHint == 0 && queuedHint >= group.config.maxQueue() && !group.stopped;
    }

    /** A process's state as read under the lock, and its OS process, to read memory and CPU time from after. */
    private record Taken(ProcessStatus locked, OsProcess os) {
    }

    /**
     * A consistent snapshot: the app's state is read under the lock, then (unless {@code table}
     * is null) each process's memory and CPU time from {@code table} without it.
     */
    AppStatus snapshot(ProcessTable table) {
        List<Taken> taken = new ArrayList<>();
        AppStatus s = group.read(() -> {
            long at = group.engine.now();
            Counters c = group.counters;
            int busy = 0;
            int ready = 0;
            for (AppProcess process : group.processes.all) {
                taken.add(new Taken(rawLocked(process, at), process.os));
                busy += process.sessions;
                ready += process.takesRequests() ? 1 : 0;
            }
            int concurrency = group.config.concurrency();
            return new AppStatus(group.name(), group.processes.all.size(), group.spawning.starting, ready, busy,
                    concurrency == 0 ? -1 : ready * concurrency, group.waiting.sizeLocked(),
                    (at - group.waiting.oldestArrivalLocked(at)) / 1_000_000, c.served, c.rejected.sum(), c.timedOut,
                    c.failed, c.failuresByReason(), c.queueWaits.percentileMillis(0.5, at),
                    c.queueWaits.percentileMillis(0.99, at), c.spawnFailures, c.crashes, c.recycles, c.lastError,
                    c.lastError == null ? null : Instant.ofEpochMilli(c.lastErrorMillis), group.draining(),
                    group.restarts.restartingLocked(), group.restarts.generation(), c.exitsByCause(),
                    c.queueWaits.cumulativeCounts(), c.queueWaits.sumSeconds(), List.of());
        });
        List<ProcessStatus> list = taken.stream()
                .map(t -> table != null ? withOsReadings(t.locked(), t.os(), table) : t.locked())
                .toList();
        return new AppStatus(s.name(), s.processes(), s.spawning(), s.ready(), s.busy(), s.capacity(), s.queued(),
                s.oldestQueuedMillis(), s.served(), s.rejected(), s.timedOut(), s.failed(), s.failuresByReason(),
                s.queueWaitP50Millis(), s.queueWaitP99Millis(), s.spawnFailures(), s.crashes(), s.recycles(),
                s.lastError(), s.lastErrorTime(), s.draining(), s.restarting(), s.generation(), s.exitsByCause(),
                s.queueWaitBuckets(), s.queueWaitSumSeconds(), list);
    }

    /**
     * One process's snapshot, for its own MBean: read under the lock, then (with
     * {@code osReadings}) its memory and CPU time from the operating system without it.
     */
    ProcessStatus process(AppProcess process, boolean osReadings) {
        ProcessStatus locked = group.read(() -> rawLocked(process, group.engine.now()));
        return osReadings ? withOsReadings(locked, process.os, ProcessTable.lazy()) : locked;
    }

    /** What the lock guards of a process; memory and CPU time are filled in without it. */
    private ProcessStatus rawLocked(AppProcess p, long now) {
        return new ProcessStatus(p.pid(), p.pgid(), p.stateName(), p.sessions, p.processed, p.address(), p.generation,
                (now - p.createdNanos) / 1_000_000, (now - p.lastUsedNanos) / 1_000_000, 0, 0,
                p.lastCheckNanos < 0 ? null : p.lastCheckFailure == null ? "passed" : p.lastCheckFailure,
                p.lastCheckNanos < 0 ? -1 : (now - p.lastCheckNanos) / 1_000_000, p.passedChecks, p.failedChecks);
    }

    private static ProcessStatus withOsReadings(ProcessStatus s, OsProcess os, ProcessTable table) {
        if (os == null || !os.isAlive()) {
            return s;
        }
        ProcessTable.Usage usage = os.usage(table);
        return new ProcessStatus(s.pid(), s.processGroup(), s.state(), s.sessions(), s.processed(), s.address(),
                s.generation(), s.uptimeMillis(), s.idleMillis(), usage.residentBytes(), usage.cpuMillis(), s.lastCheck(),
                s.lastCheckAgoMillis(), s.checksPassed(), s.checksFailed());
    }

    /** "processes=, ready=, busy=, queued=", for error messages. */
    String countsLocked() {
        assert group.holdsLock();
        int busy = 0;
        int ready = 0;
        for (AppProcess process : group.processes.all) {
            busy += process.sessions;
            ready += process.takesRequests() ? 1 : 0;
        }
        return "processes=" + group.processes.all.size() + ", ready=" + ready + ", busy=" + busy
                + ", queued=" + group.waiting.sizeLocked();
    }
}
