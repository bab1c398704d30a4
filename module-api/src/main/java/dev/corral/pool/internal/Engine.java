package dev.corral.pool.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What every {@link Group} of one Corral instance shares: the run directory, the spawner, the
 * timer thread, the executor that forwards dispatched-from-queue requests, the clock and the
 * id counters. Immutable; its parts are thread-safe.
 */
final class Engine {
    final RunDir runDir;
    final Spawner spawner;
    final ScheduledExecutorService scheduler;
    final Executor forwardExecutor;
    final Executor blockingExecutor;
    final LongSupplier nanoClock;
    final Forwarder forwarder;
    final ProcessBudget budget;
    /** Called when an app needs a process but the budget is used up: stop another app's idle one. */
    volatile java.util.function.Consumer<Group> evictFor = group -> { };
    /** Called when a process slot was given back: apps with waiting requests may spawn now. */
    volatile Runnable slotFreed = () -> { };
    private final AtomicInteger processSeq = new AtomicInteger();
    private final AtomicLong requestSeq = new AtomicLong();
    private final String requestIdPrefix;

    Engine(RunDir runDir, ScheduledExecutorService scheduler, Executor forwardExecutor, Executor blockingExecutor,
           LongSupplier nanoClock, String requestIdPrefix, int maxPoolProcesses) {
        this.runDir = runDir;
        this.scheduler = scheduler;
        this.forwardExecutor = forwardExecutor;
        this.blockingExecutor = blockingExecutor;
        this.nanoClock = nanoClock;
        this.requestIdPrefix = requestIdPrefix;
        this.spawner = new Spawner(runDir, scheduler, blockingExecutor, nanoClock);
        this.forwarder = new Forwarder();
        this.budget = new ProcessBudget(maxPoolProcesses);
    }

    long now() {
        return nanoClock.getAsLong();
    }

    int nextProcessSeq() {
        return processSeq.incrementAndGet();
    }

    String nextRequestId() {
        return requestIdPrefix + Long.toString(requestSeq.incrementAndGet(), 36);
    }
}
