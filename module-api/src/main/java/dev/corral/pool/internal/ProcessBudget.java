package dev.corral.pool.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code maxPoolProcesses}: how many app processes all apps of one engine may run together
 * (0 = no limit). A slot is taken when a spawn starts and given back when the process is gone.
 * Thread-safe (lock-free: every group takes and gives back slots under its own lock).
 */
final class ProcessBudget {
    private volatile int max;
    private final AtomicInteger used = new AtomicInteger();
    /** Apps whose waiting requests found the budget used up; they come first for a freed slot. */
    private final java.util.Set<Object> starving = java.util.concurrent.ConcurrentHashMap.newKeySet();

    ProcessBudget(int max) {
        this.max = max;
    }

    int max() {
        return max;
    }

    /** Changes the limit; processes above a lowered one are not stopped, only no more start. */
    void setMax(int max) {
        this.max = max;
    }

    int used() {
        return used.get();
    }

    /**
     * Takes a slot for {@code app}. A spawn that only keeps {@code minProcesses} ({@code forWaiters}
     * false) yields to apps whose requests are waiting for a slot, so a freed slot goes to them.
     */
    boolean tryTake(Object app, boolean forWaiters) {
        if (!forWaiters) {
            starving.remove(app);
            if (!starving.isEmpty()) {
                return false;
            }
        }
        while (true) {
            int now = used.get();
            if (max > 0 && now >= max) {
                if (forWaiters) {
                    starving.add(app);
                }
                return false;
            }
            if (used.compareAndSet(now, now + 1)) {
                starving.remove(app);
                return true;
            }
        }
    }

    void giveBack() {
        used.decrementAndGet();
    }
}
