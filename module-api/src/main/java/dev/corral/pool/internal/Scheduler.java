package dev.corral.pool.internal;

/**
 * The engine's timer: runs tasks after a delay, on its own thread. Injected (see
 * {@link EngineServices}), so that the engine's tests drive time by hand instead of sleeping.
 * Thread-safe.
 */
interface Scheduler {

    /** Runs {@code task} once, {@code delayNanos} from now (at once if not positive). */
    Cancellable schedule(Runnable task, long delayNanos);

    /** Runs {@code task} on the timer thread as soon as it is free. */
    default void execute(Runnable task) {
        schedule(task, 0);
    }

    /** A scheduled task that may still be called off. */
    @FunctionalInterface
    interface Cancellable {
        /** Calls the task off if it has not run yet; a no-op afterwards. */
        void cancel();
    }
}
