package dev.corral.pool;

import dev.corral.config.AppConfig;

/**
 * One configured application: its pool of processes and its request queue.
 *
 * <p>Thread-safe. Obtained from {@link Corral#addApp} and valid until the {@link Corral} closes.
 */
public interface App {

    /** The app's name (its {@code name} setting). */
    String name();

    /** The validated settings the app runs with. */
    AppConfig config();

    /**
     * Takes one request: forwards it to the least busy ready process at once (on the calling
     * thread), or queues it without holding the calling thread, or rejects it with a 503.
     * The exchange is always ended, exactly once, by the engine.
     */
    void dispatch(Exchange exchange);

    /**
     * Rolling restart (also triggered by touching {@code tmp/restart.txt} in the app root): new
     * processes are started and must be ready before old ones are retired one at a time, so no
     * request is lost; if the new version cannot start, the old processes keep serving.
     *
     * @return false if a restart is already running or the app is stopping
     */
    boolean restart();

    /**
     * The app's fault injector: its seed, counters of injected faults, and the spec, which can be
     * changed at run time. {@code FaultInjector.NONE} when no faults were configured.
     */
    dev.corral.fault.FaultInjector faults();

    /** A consistent snapshot of the pool and queue of this app. */
    AppStatus status();
}
