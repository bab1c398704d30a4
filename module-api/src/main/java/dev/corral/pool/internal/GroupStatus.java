package dev.corral.pool.internal;

import dev.corral.pool.AppStatus;
import dev.corral.pool.ProcessStatus;

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

    AppStatus snapshotLocked() {
        assert group.holdsLock();
        List<ProcessStatus> list = new ArrayList<>(group.processes.all.size());
        int busy = 0;
        int ready = 0;
        for (AppProcess process : group.processes.all) {
            list.add(process.status());
            busy += process.sessions;
            ready += process.takesRequests() ? 1 : 0;
        }
        return new AppStatus(group.name(), group.processes.all.size(), group.spawning.starting, ready, busy,
                group.waiting.sizeLocked(), group.served, group.rejected.sum(), group.timedOut, group.failed,
                group.spawnFailures, group.lastError, list);
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
