package dev.corral.pool.internal;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

import javax.management.MBeanServer;

/**
 * What the engine takes from its surroundings: time, threads, randomness, and the seams to the
 * operating system (starting processes, checking their health, forwarding to them). The
 * production set ({@link #system}) uses real threads and processes; the engine's tests pass
 * a manual clock and scheduler, direct executors and in-memory processes. Engine classes read
 * time and draw random numbers only through these, never from {@code System.nanoTime()} or an
 * unseeded generator.
 *
 * @param clock            monotonic nanoseconds
 * @param wallClock        the time of day, for the times operators read (the last error's)
 * @param scheduler        the timer
 * @param forwardExecutor  runs the forwarding of requests taken from a queue
 * @param blockingExecutor runs blocking work: spawning, health checks, killing
 * @param random           routing (slowStart), recycling jitter and sticky routes; thread-safe
 * @param launcher         starts app processes
 * @param healthProbe      checks one process once
 * @param forwarder        forwards one request to its process
 * @param mbeanServer      where the engine's MBeans go (the platform MBeanServer)
 * @param shutdown         releases the threads these services own (at engine close)
 */
record EngineServices(LongSupplier clock, Clock wallClock, Scheduler scheduler, Executor forwardExecutor, Executor blockingExecutor,
                      RandomGenerator random, ProcessLauncher launcher, HealthProbe healthProbe, Forwarder forwarder,
                      MBeanServer mbeanServer, Runnable shutdown) {

    /**
     * Real threads, real processes under the lifeline in {@code runDir}, the given clock.
     *
     * @param random a thread-safe generator ({@link java.util.Random} is)
     */
    static EngineServices system(RunDir runDir, LongSupplier clock, RandomGenerator random) {
        ExecutorScheduler scheduler = new ExecutorScheduler("corral-timer");
        ExecutorService forward = Executors.newCachedThreadPool(daemonThreads("corral-forward"));
        ExecutorService blocking = Executors.newCachedThreadPool(daemonThreads("corral-spawn"));
        return new EngineServices(clock, Clock.systemUTC(), scheduler, forward, blocking, random,
                new LifelineLauncher(runDir, scheduler, blocking, clock, Accounts.system()), new SocketHealthProbe(clock),
                new HttpForwarder(clock, SystemTime::pause), ManagementFactory.getPlatformMBeanServer(), () -> {
                    scheduler.shutdown();
                    forward.shutdown();
                    blocking.shutdown();
                });
    }

    static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
