package dev.corral.pool.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What every {@link Group} of one Corral instance shares: the run directory, the injected
 * {@link EngineServices}, the {@code maxPoolProcesses} budget and the id counters. Its parts are
 * thread-safe.
 */
final class Engine {
    final RunDir runDir;
    final EngineServices services;
    final ProcessBudget budget;
    final Management management;
    /** Called when an app needs a process but the budget is used up: stop another app's idle one. */
    volatile Consumer<Group> evictFor = group -> { };
    /** Called when a process slot was given back: apps with waiting requests may spawn now. */
    volatile Runnable slotFreed = () -> { };
    private final AtomicInteger processSeq = new AtomicInteger();
    private final AtomicLong requestSeq = new AtomicLong();
    private final String requestIdPrefix;

    Engine(RunDir runDir, EngineServices services, String requestIdPrefix, int maxPoolProcesses) {
        this.runDir = runDir;
        this.services = services;
        this.requestIdPrefix = requestIdPrefix;
        this.budget = new ProcessBudget(maxPoolProcesses);
        this.management = new Management(services.mbeanServer());
    }

    long now() {
        return services.clock().getAsLong();
    }

    int nextProcessSeq() {
        return processSeq.incrementAndGet();
    }

    String nextRequestId() {
        return requestIdPrefix + Long.toString(requestSeq.incrementAndGet(), 36);
    }
}
