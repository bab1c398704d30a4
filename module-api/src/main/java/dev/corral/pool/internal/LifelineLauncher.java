package dev.corral.pool.internal;

import dev.corral.config.AppConfig;
import dev.corral.config.CommandLine;
import dev.corral.config.Durations;
import dev.corral.fault.FaultInjector;
import dev.corral.fault.FaultPoint;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The production {@link ProcessLauncher}: starts every process under the lifeline script in its
 * own session and process group, so that stopping it, or the JVM dying, takes the app's whole
 * process tree down with it; then probes its socket until it accepts a connection (ready) or
 * {@code spawnTimeout} passes. The spawn and spawn-timeout fault points sit here.
 *
 * <p>An app that runs as another user ({@link ProcessUser}) has the lifeline run as the
 * container's user (root), which can therefore always signal and kill the app's group, and the
 * app run by {@code setpriv} as its user; its sockets go in that user's private directory.
 * The environment a process gets: the container's, minus {@code envDrop}, plus HOME, USER and
 * LOGNAME of its user when it switches, plus {@code env}, plus Corral's own variables.
 *
 * <p>Thread-safety: stateless apart from its collaborators; each spawn's progress lives in an
 * {@link Attempt} that only the scheduler thread touches.
 */
final class LifelineLauncher implements ProcessLauncher {
    /** How often a starting process's socket is probed. */
    static final Duration PROBE_INTERVAL = Duration.ofMillis(20);

    private final RunDir runDir;
    private final Scheduler scheduler;
    private final Executor blockingExecutor;
    private final LongSupplier clock;
    private final Accounts accounts;

    LifelineLauncher(RunDir runDir, Scheduler scheduler, Executor blockingExecutor, LongSupplier clock, Accounts accounts) {
        this.runDir = runDir;
        this.accounts = accounts;
        this.scheduler = scheduler;
        this.blockingExecutor = blockingExecutor;
        this.clock = clock;
    }

    /**
     * Decides who the app's processes run as ({@link ProcessUser#decide}: the container's user,
     * or with root, {@code user}/{@code group}), and makes their socket directory.
     */
    @Override
    public Site admit(AppConfig config, RunDir dir) {
        ProcessUser user = ProcessUser.decide(config.isolation(), accounts);
        if (user.switches() && !onPath(ProcessUser.SETPRIV)) {
            throw new dev.corral.config.ConfigException(List.of(new dev.corral.config.ConfigException.Problem(
                    dev.corral.config.Setting.USER.configName(), config.isolation().user(),
                    "a user Corral can switch to: that needs setpriv (util-linux) on the PATH, and there is none")));
        }
        try {
            return new Site(user, dir.socketDir(user));
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException(new IOException("cannot prepare the socket directory of app [" + config.name()
                    + "] (processes running as " + user + ") in " + dir.path() + ": " + e.getMessage(), e));
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String entry : path.split(File.pathSeparator)) {
            if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, program))) {
                return true;
            }
        }
        return false;
    }

    /** The command line as logged: a generic command's variables as {@code $NAME}, unexpanded. */
    @Override
    public List<String> command(AppConfig config) {
        return command(config, name -> "$" + name, null);
    }

    /**
     * The command line, a generic command's variables filled in by {@code variables} (each
     * process's own environment when it starts: its socket or port differs), run as {@code user}
     * (null: the container's user).
     */
    private List<String> command(AppConfig config, Function<String, String> variables, ProcessUser user) {
        List<String> command = new ArrayList<>(List.of("setsid", "sh", runDir.script(RunDir.LIFELINE).toString(),
                Long.toString(Math.max(1, (config.shutdownTimeout().toMillis() + 999) / 1000))));
        if (user != null) {
            command.addAll(user.commandPrefix());   // after the lifeline: it stays the container's, to kill the tree
        }
        switch (config.type()) {
            case WSGI -> command.addAll(List.of(Interpreters.python(), "-u", runDir.script(RunDir.WSGI_LOADER).toString(), config.entryPoint()));
            case NODE -> command.addAll(List.of("node", runDir.script(RunDir.NODE_LOADER).toString(), config.entryPoint()));
            case GENERIC -> config.command().forEach(word -> command.add(CommandLine.expand(word, variables)));
        }
        return command;
    }

    @Override
    public void launch(AppProcess process, Listener listener) {
        blockingExecutor.execute(() -> start(process, listener));
    }

    private void start(AppProcess process, Listener listener) {
        AppConfig config = process.group.config;
        FaultInjector faults = process.group.faults;
        ProcessBuilder builder = new ProcessBuilder()
                .directory(config.appRoot().toFile());   // stdout and stderr: two pipes, two log levels
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(config.isolation()::drops);
        env.remove("CORRAL_SOCKET");
        env.remove("PORT");
        ProcessUser user = process.group.site.user();
        if (user != null) {
            env.putAll(user.identityEnv());
        }
        env.putAll(config.env());
        env.put("CORRAL_APP", config.name());
        env.put("CORRAL_PROCESS_NUMBER", Integer.toString(process.number));
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
        builder.command(command(config, env::get, user));
        if (faults.inject(FaultPoint.SPAWN, "spawn of a process of app " + config.name())) {
            listener.failed(process, new SpawnException(SpawnException.Step.EXEC, "fork/exec failed (fault injected, seed "
                    + faults.seed() + ")", List.of()));
            return;
        }
        Process lifeline;
        try {
            lifeline = builder.start();
        } catch (IOException e) {
            listener.failed(process, new SpawnException(SpawnException.Step.EXEC, e.getMessage(), List.of()));
            return;
        }
        ChildProcess child = new ChildProcess(lifeline, () -> config.name() + " " + process.pid(), scheduler);
        process.os = child;
        boolean neverReady = faults.inject(FaultPoint.SPAWN_TIMEOUT, "readiness of " + process);
        Attempt attempt = new Attempt(process, child, listener, clock.getAsLong() + config.spawnTimeout().toNanos(),
                neverReady);
        listener.started(process);
        scheduler.execute(attempt::probe);
    }

    /** The readiness probing of one starting process; runs on the scheduler thread only. */
    private final class Attempt {
        private final AppProcess process;
        private final ChildProcess child;
        private final Listener listener;
        private final long deadlineNanos;
        /** An injected spawn-timeout: the process's readiness is not seen, so the deadline kills it. */
        private final boolean neverReady;

        Attempt(AppProcess process, ChildProcess child, Listener listener, long deadlineNanos, boolean neverReady) {
            this.process = process;
            this.child = child;
            this.listener = listener;
            this.deadlineNanos = deadlineNanos;
            this.neverReady = neverReady;
        }

        void probe() {
            if (!child.isAlive()) {
                blockingExecutor.execute(this::reportExit);
                return;
            }
            if (!neverReady && accepts()) {
                child.resolveAppPid();
                listener.ready(process);
                return;
            }
            if (clock.getAsLong() - deadlineNanos >= 0) {
                child.destroyForcibly();
                AppConfig config = process.group.config;
                listener.failed(process, new SpawnException(SpawnException.Step.AWAIT_LISTEN,
                        "the process did not listen on " + process.address() + " within spawnTimeout="
                                + Durations.format(config.spawnTimeout()) + "; it was killed"
                                + (neverReady ? " (fault injected, seed " + process.group.faults.seed() + ")" : ""),
                        child.outputTail()));
                return;
            }
            scheduler.schedule(this::probe, PROBE_INTERVAL.toNanos());
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

        /** The process exited before it listened: report, with its last output (its exit waits for it). */
        private void reportExit() {
            int code = child.onExit().join();
            String why = code == 127 ? "the command was not found (exit code 127)"
                    : code == 126 ? "the command could not be executed (exit code 126)"
                    : "the process exited with " + ExitStatus.describe(code) + " before it listened on " + process.address();
            SpawnException.Step step = code == 126 || code == 127 ? SpawnException.Step.EXEC : SpawnException.Step.AWAIT_LISTEN;
            listener.failed(process, new SpawnException(step, why, child.outputTail()));
        }
    }
}
