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
     * Answers a request for the app's static files that Corral refuses (see {@link StaticFiles}):
     * 404 with reason {@code path_refused}, and the failed request's log line; the request
     * never reaches a process and is not counted as one of the app's requests.
     *
     * @param why what is wrong with the path, for the log line and the response text
     */
    void refusePath(Exchange exchange, String why);

    /**
     * Rolling restart (also triggered by touching {@code tmp/restart.txt} in the app root): new
     * processes are started and must be ready before old ones are retired one at a time, so no
     * request is lost; if the new version cannot start, the old processes keep serving.
     *
     * @return false if a restart is already running or the app is stopping
     */
    boolean restart();

    /**
     * A restart, rolling (see {@link #restart()}) or all at once: every process is retired
     * gracefully now (in-flight requests finish) and new ones are spawned; requests wait in the
     * queue meanwhile.
     *
     * @return false if a restart is already running or the app is stopping
     */
    boolean restart(boolean rolling);

    /**
     * Changes settings while the app runs: the runtime-tunable ones ({@code minProcesses},
     * {@code maxProcesses}, {@code maxQueue}, {@code queueTimeout}, {@code idleTimeout},
     * {@code maxRequests}, {@code maxMemory}, {@code maxRequestTime}), by config name, in their
     * configuration spelling ({@code "30s"}, {@code "512MB"}). Takes effect at once.
     *
     * @throws dev.corral.config.ConfigException naming each setting that cannot change at run time
     *         or each value that is not valid, with what it accepts; nothing is changed then
     */
    void change(java.util.Map<String, String> settings);

    /** Changes {@code minProcesses} and {@code maxProcesses} together (see {@link #change}). */
    default void scale(int minProcesses, int maxProcesses) {
        change(java.util.Map.of("minProcesses", Integer.toString(minProcesses),
                "maxProcesses", Integer.toString(maxProcesses)));
    }

    /**
     * Stops taking new requests: they are answered 503 {@code draining}; queued and in-flight ones
     * are still served. Until {@link #resume()}.
     */
    void drain();

    /** Takes new requests again after {@link #drain()}. */
    void resume();

    /** Whether the app is draining. */
    boolean draining();

    /**
     * Retires one process gracefully (it finishes its requests, then stops; a replacement starts
     * if the app would drop below {@code minProcesses}).
     *
     * @param pid the process's pid, as {@link ProcessStatus#pid()} shows it
     * @return false if no process of this app that takes requests has that pid
     */
    boolean detach(long pid);

    /**
     * The app's fault injector: its seed, counters of injected faults, and the spec, which can be
     * changed at run time (the app's own injector, even when no faults were configured).
     */
    dev.corral.fault.FaultInjector faults();

    /** A consistent snapshot of the pool and queue of this app. */
    AppStatus status();
}
