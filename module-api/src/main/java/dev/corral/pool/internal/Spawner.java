package dev.corral.pool.internal;

import dev.corral.config.AppConfig;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Starts app processes and reports when each is ready (its socket accepts a connection) or has
 * failed. Every process runs under the lifeline script in its own session and process group,
 * so that stopping it, or the JVM dying, takes the app's whole process tree down with it.
 *
 * <p>Thread-safety: stateless apart from its collaborators; each spawn's progress lives in a
 * {@link Attempt} that only the scheduler thread touches.
 */
final class Spawner {
    /** How often a starting process's socket is probed. */
    static final Duration PROBE_INTERVAL = Duration.ofMillis(20);

    interface Listener {
        void ready(AppProcess process);

        void failed(AppProcess process, SpawnException failure);
    }

    private final RunDir runDir;
    private final ScheduledExecutorService scheduler;
    private final Executor blockingExecutor;
    private final LongSupplier nanoClock;

    Spawner(RunDir runDir, ScheduledExecutorService scheduler, Executor blockingExecutor, LongSupplier nanoClock) {
        this.runDir = runDir;
        this.scheduler = scheduler;
        this.blockingExecutor = blockingExecutor;
        this.nanoClock = nanoClock;
    }

    /** The full command line for a process of this app, lifeline included. */
    List<String> command(AppConfig config) {
        List<String> command = new ArrayList<>(List.of("setsid", "sh", runDir.script(RunDir.LIFELINE).toString(),
                Long.toString(Math.max(1, (config.shutdownTimeout().toMillis() + 999) / 1000))));
        switch (config.type()) {
            case WSGI -> command.addAll(List.of(Interpreters.python(), "-u", runDir.script(RunDir.WSGI_LOADER).toString(), config.entryPoint()));
            case NODE -> command.addAll(List.of("node", runDir.script(RunDir.NODE_LOADER).toString(), config.entryPoint()));
            case GENERIC -> command.addAll(config.command());
        }
        return command;
    }

    /** Starts the process; the listener hears exactly once whether it became ready or failed. */
    void spawn(AppProcess process, AppConfig config, Listener listener) {
        blockingExecutor.execute(() -> launch(process, config, listener));
    }

    private void launch(AppProcess process, AppConfig config, Listener listener) {
        List<String> command = command(config);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(config.appRoot().toFile())
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.remove("CORRAL_SOCKET");
        env.remove("PORT");
        env.putAll(config.env());
        env.put("CORRAL_APP", config.name());
        env.put("CORRAL_PROCESS_NUMBER", Integer.toString(process.seq));
        if (!"/".equals(config.pathPrefix())) {
            // the wsgi loader makes it SCRIPT_NAME and strips it from PATH_INFO, as Passenger's base URI does
            env.putIfAbsent("CORRAL_SCRIPT_NAME", config.pathPrefix());
        }
        if (process.socket != null) {
            env.put("CORRAL_SOCKET", process.socket.toString());
            try {
                Files.deleteIfExists(process.socket);
            } catch (IOException e) {
                listener.failed(process, new SpawnException(SpawnException.Step.PREPARE,
                        "cannot remove the stale socket " + process.socket + ": " + e.getMessage(), List.of()));
                return;
            }
        } else {
            env.put("PORT", Integer.toString(process.port));
        }
        if (process.group.faults.inject(dev.corral.fault.FaultPoint.SPAWN, "spawn of a process of app " + config.name())) {
            listener.failed(process, new SpawnException(SpawnException.Step.EXEC, "fork/exec failed (fault injected, seed "
                    + process.group.faults.seed() + ")", List.of()));
            return;
        }
        Process os;
        try {
            os = builder.start();
        } catch (IOException e) {
            listener.failed(process, new SpawnException(SpawnException.Step.EXEC, e.getMessage(), List.of()));
            return;
        }
        process.pgid = os.pid();
        process.output = OutputPump.start(os.getInputStream(), () -> config.name() + " " + process.pid());
        process.process = os;
        boolean neverReady = process.group.faults.inject(dev.corral.fault.FaultPoint.SPAWN_TIMEOUT,
                "readiness of " + process);
        Attempt attempt = new Attempt(process, config, listener, nanoClock.getAsLong() + config.spawnTimeout().toNanos(),
                neverReady);
        process.group.processStarted(process);
        scheduler.execute(attempt::probe);
    }

    /**
     * The app's own pid: the lifeline's child that is not a fork of the lifeline itself (its
     * stdin watcher is one, with the lifeline's command line).
     */
    static long appPid(Process lifeline) {
        String lifelineCommand = lifeline.info().commandLine().orElse("");
        return lifeline.children()
                .filter(child -> !child.info().commandLine().orElse(lifelineCommand).equals(lifelineCommand))
                .mapToLong(ProcessHandle::pid).min().orElse(lifeline.pid());
    }

    /** The readiness probing of one starting process; runs on the scheduler thread only. */
    private final class Attempt {
        private final AppProcess process;
        private final AppConfig config;
        private final Listener listener;
        private final long deadlineNanos;
        /** An injected spawn-timeout: the process's readiness is not seen, so the deadline kills it. */
        private final boolean neverReady;

        Attempt(AppProcess process, AppConfig config, Listener listener, long deadlineNanos, boolean neverReady) {
            this.neverReady = neverReady;
            this.process = process;
            this.config = config;
            this.listener = listener;
            this.deadlineNanos = deadlineNanos;
        }

        void probe() {
            Process os = process.process;
            if (!os.isAlive()) {
                blockingExecutor.execute(this::reportExit);
                return;
            }
            if (!neverReady && accepts()) {
                process.appPid = appPid(os);
                listener.ready(process);
                return;
            }
            if (nanoClock.getAsLong() - deadlineNanos >= 0) {
                os.destroyForcibly();
                List<String> tail = process.output.tail();
                listener.failed(process, new SpawnException(SpawnException.Step.AWAIT_LISTEN,
                        "the process did not listen on " + process.address() + " within spawnTimeout="
                                + dev.corral.config.Durations.format(config.spawnTimeout()) + "; it was killed"
                                + (neverReady ? " (fault injected, seed " + process.group.faults.seed() + ")" : ""), tail));
                return;
            }
            scheduler.schedule(this::probe, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }

        private boolean accepts() {
            if (process.socket != null && !Files.exists(process.socket)) {
                return false;
            }
            try (SocketChannel ignored = process.connect()) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        /** The process exited before it listened: wait for its last output, then report. */
        private void reportExit() {
            Process os = process.process;
            process.output.awaitEnd(Duration.ofSeconds(2));
            int code = os.exitValue();
            String why = code == 127 ? "the command was not found (exit code 127)"
                    : code == 126 ? "the command could not be executed (exit code 126)"
                    : "the process exited with " + ExitStatus.describe(code) + " before it listened on " + process.address();
            SpawnException.Step step = code == 126 || code == 127 ? SpawnException.Step.EXEC : SpawnException.Step.AWAIT_LISTEN;
            listener.failed(process, new SpawnException(step, why, process.output.tail()));
        }
    }
}
