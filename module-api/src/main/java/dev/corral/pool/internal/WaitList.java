package dev.corral.pool.internal;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An app's waiting requests: the app's queue, and each process's own queue for the requests
 * that belong to it alone (sticky sessions), all oldest first. A freed slot takes the older of
 * the heads of its own queue and the app's queue (HAProxy learned to compare both); a process
 * that leaves routing hands its own queue back to the app's, in order.
 *
 * <p>Queue timeouts use one timer per app, not one per request: it is set for the earliest
 * deadline among the queues' heads (each queue is in arrival order, hence in deadline order,
 * a deadline being arrival + {@code queueTimeout}), and when it fires it takes every expired
 * request off the heads and sets itself for the next. Jetty's {@code CyclicTimeouts} has the
 * same shape but reads the system clock itself, which the engine's manual-clock tests could not
 * drive; this one reads the injected clock.
 *
 * <p>Thread-safety: guarded by the group lock, like the {@link Waiter}s in it; the timer task
 * itself takes the lock ({@link Group#expireWaiters}).
 */
final class WaitList {
    private final Group group;
    private final WaitQueue app = new WaitQueue();
    private final Map<AppProcess, WaitQueue> own = new IdentityHashMap<>();
    /** The pending timer and its deadline; null when none is set. */
    private Scheduler.Cancellable timer;
    private long timerAt;

    WaitList(Group group) {
        this.group = group;
    }

    /** Queues a request, in the app's queue or (sticky) in {@code home}'s own; sets the timer if this deadline is the earliest. */
    Waiter addLocked(RequestInfo request, AppProcess home, long now) {
        assert group.holdsLock();
        Waiter waiter = new Waiter(request, now);
        (home == null ? app : own.computeIfAbsent(home, p -> new WaitQueue())).add(waiter);
        long deadline = deadline(waiter);
        if (timer == null || deadline - timerAt < 0) {
            setTimerLocked(deadline, now);
        }
        return waiter;
    }

    /** The oldest request of the app's queue, taken out, or null. */
    Waiter pollLocked(long now) {
        assert group.holdsLock();
        return leave(app.pollFirst(), now);
    }

    /** The oldest request of the app's queue, left in it, or null. */
    Waiter peekLocked() {
        assert group.holdsLock();
        return app.peekFirst();
    }

    /** The request {@link #pollForLocked} would take for {@code process}, left where it waits, or null. */
    Waiter peekForLocked(AppProcess process) {
        assert group.holdsLock();
        WaitQueue mine = own.get(process);
        Waiter ownHead = mine == null ? null : mine.peekFirst();
        Waiter appHead = app.peekFirst();
        if (ownHead == null || appHead == null) {
            return ownHead == null ? appHead : ownHead;
        }
        return ownHead.arrivedNanos() - appHead.arrivedNanos() < 0 ? ownHead : appHead;
    }

    /** The request a freed slot on {@code process} takes: the older of its own queue's head and the app's, or null. */
    Waiter pollForLocked(AppProcess process, long now) {
        assert group.holdsLock();
        Waiter head = peekForLocked(process);
        return head == null ? null : leave(head.queue.pollFirst(), now);
    }

    /** Takes a waiter out wherever it waits (its client left); false if it had left already. */
    boolean removeLocked(Waiter waiter, long now) {
        assert group.holdsLock();
        if (!waiter.queue.remove(waiter)) {
            return false;
        }
        leave(waiter, now);
        return true;
    }

    /** {@code process} leaves routing: its own queue goes back to the app's, in arrival order. */
    void returnToAppLocked(AppProcess process) {
        assert group.holdsLock();
        WaitQueue mine = own.remove(process);
        if (mine != null) {
            app.mergeFrom(mine);
        }
    }

    /** Every request whose queueTimeout has passed, taken out, oldest first per queue; then the timer is set for the next. */
    List<Waiter> expireLocked(long now) {
        assert group.holdsLock();
        timer = null;
        List<Waiter> expired = new ArrayList<>();
        expireHeads(app, now, expired);
        own.values().forEach(queue -> expireHeads(queue, now, expired));
        rescheduleLocked(now);
        return expired;
    }

    /** Sets the timer for the earliest deadline among the heads (queueTimeout changed, or one fired). */
    void rescheduleLocked(long now) {
        assert group.holdsLock();
        long next = Long.MAX_VALUE;
        boolean any = false;
        for (WaitQueue queue : queues()) {
            Waiter head = queue.peekFirst();
            if (head != null && (!any || deadline(head) - next < 0)) {
                next = deadline(head);
                any = true;
            }
        }
        if (any) {
            setTimerLocked(next, now);
        } else if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /** Takes every waiter out (the app is stopping), own queues first merged, oldest first. */
    List<Waiter> drainLocked(long now) {
        assert group.holdsLock();
        own.keySet().forEach(process -> app.mergeFrom(own.get(process)));
        own.clear();
        List<Waiter> all = new ArrayList<>(app.size());
        Waiter waiter;
        while ((waiter = pollLocked(now)) != null) {
            all.add(waiter);
        }
        return all;
    }

    /** Requests waiting in the app's queue and in every process's own queue. */
    int sizeLocked() {
        assert group.holdsLock();
        int size = app.size();
        for (WaitQueue queue : own.values()) {
            size += queue.size();
        }
        return size;
    }

    /** When the oldest waiting request arrived, or {@code now} when none waits. */
    long oldestArrivalLocked(long now) {
        assert group.holdsLock();
        long oldest = now;
        for (WaitQueue queue : queues()) {
            Waiter head = queue.peekFirst();
            if (head != null && head.arrivedNanos() - oldest < 0) {
                oldest = head.arrivedNanos();
            }
        }
        return oldest;
    }

    /** Requests waiting in the app's queue (those any process may take). */
    int appSizeLocked() {
        assert group.holdsLock();
        return app.size();
    }

    /** Requests waiting for {@code process} alone. */
    int ownSizeLocked(AppProcess process) {
        assert group.holdsLock();
        WaitQueue mine = own.get(process);
        return mine == null ? 0 : mine.size();
    }

    /** Visits every waiter; the action must not change the queues. */
    void forEachLocked(Consumer<Waiter> action) {
        assert group.holdsLock();
        queues().forEach(queue -> queue.forEach(action));
    }

    private List<WaitQueue> queues() {
        List<WaitQueue> queues = new ArrayList<>(own.size() + 1);
        queues.add(app);
        queues.addAll(own.values());
        return queues;
    }

    private long deadline(Waiter waiter) {
        return waiter.arrivedNanos() + group.config.queueTimeout().toNanos();
    }

    private void expireHeads(WaitQueue queue, long now, List<Waiter> expired) {
        Waiter head;
        while ((head = queue.peekFirst()) != null && now - deadline(head) >= 0) {
            expired.add(leave(queue.pollFirst(), now));
        }
    }

    private void setTimerLocked(long deadline, long now) {
        assert group.holdsLock();
        if (timer != null) {
            timer.cancel();
        }
        timerAt = deadline;
        timer = group.engine.services.scheduler().schedule(group::expireWaiters, deadline - now);
    }

    /** A waiter left its queue: the time it waited counts towards its request's queue time. */
    private static Waiter leave(Waiter waiter, long now) {
        if (waiter != null) {
            waiter.request.queuedNanos += now - waiter.enqueuedNanos;
        }
        return waiter;
    }
}
