package dev.corral.pool.internal;

import dev.corral.config.AppConfig;

import java.util.List;

/**
 * Starts app processes: the seam between the engine and the operating system. The production
 * launcher ({@link LifelineLauncher}) runs each app under the lifeline script and probes its
 * socket; the engine's tests use a launcher whose processes exist only in memory. Thread-safe.
 */
interface ProcessLauncher {

    /** The full command line of a process of this app, for logs and spawn errors. */
    List<String> command(AppConfig config);

    /**
     * Starts {@code process} without blocking the caller. The listener hears {@link Listener#started}
     * once the OS process exists (its {@link AppProcess#os} is set then), and then exactly once
     * either {@link Listener#ready} or {@link Listener#failed}; a start that fails before any OS
     * process exists reports only {@code failed}.
     */
    void launch(AppProcess process, Listener listener);

    interface Listener {
        /** The OS process exists: its exit will be seen. */
        void started(AppProcess process);

        /** It listens on its socket. */
        void ready(AppProcess process);

        /** It could not be started, or did not listen within {@code spawnTimeout}. */
        void failed(AppProcess process, SpawnException failure);
    }
}
