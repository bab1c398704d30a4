package dev.corral.pool.internal;

import dev.corral.config.AppConfig;

import java.nio.file.Path;
import java.util.List;

/**
 * Starts app processes: the seam between the engine and the operating system. The production
 * launcher ({@link LifelineLauncher}) runs each app under the lifeline script and probes its
 * socket; the engine's tests use a launcher whose processes exist only in memory. Thread-safe.
 */
interface ProcessLauncher {

    /**
     * Where an app's processes run: the user they run as ({@code null}: the launcher does not
     * start real processes) and the directory of their sockets.
     */
    record Site(ProcessUser user, Path socketDir) {
    }

    /**
     * Checks, when an app is added, that its processes can run as configured, and prepares what
     * they need (their socket directory). This default is for launchers of in-memory processes:
     * the run directory, no user.
     *
     * @throws dev.corral.config.ConfigException naming the settings that cannot be honoured
     */
    default Site admit(AppConfig config, RunDir runDir) {
        return new Site(null, runDir.path());
    }

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
