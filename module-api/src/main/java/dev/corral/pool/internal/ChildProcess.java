package dev.corral.pool.internal;

import dev.corral.config.Durations;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A real child process started under the lifeline ({@link LifelineLauncher}): the lifeline is
 * the process group leader, and the app with its children share the group, so one signal to
 * the group reaches the whole tree. Its stdout and stderr are two pipes, each copied to the log
 * by an {@link OutputPump} (stdout at INFO, stderr at WARNING) into one {@link OutputTail}.
 *
 * <p>Every line the process wrote before it died is logged before its exit is reported: the
 * exit ({@link #onExit}) completes once the lifeline has exited <em>and</em> both pumps have
 * read their pipe to its end. The lifeline exits only after the app and what was left of its
 * group, so at that moment nothing of the group writes any more, and the JDK drains what is
 * still in the pipes and closes them (its {@code ProcessImpl.processExited()}), which ends the
 * pumps. Only a process that left the group (its own {@code setsid}) can keep a pipe open past
 * that; the exit is then reported {@link #OUTPUT_GRACE} after the lifeline's, and that
 * process's later lines are logged as they come. Two races this closes:
 * <ul>
 *   <li>the JDK reports the exit on its own thread, which may run before the pumps read the
 *       last lines (a loaded machine): the exit line came before the app's last words;</li>
 *   <li>{@link Process#destroy()} closes the process's streams, so a stop that arrived as the
 *       process died (Corral retiring a process that cut a response short) dropped whatever
 *       the pumps had not read yet. Signals therefore go through {@link ProcessHandle}, which
 *       only signals.</li>
 * </ul>
 *
 * <p>Thread-safety: thread-safe. The pumps run on their own daemon threads; the exit is
 * completed by the last pump to end, or by the scheduler after the grace.
 */
final class ChildProcess implements OsProcess {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");
    /** The kernel's per-task flag "getting shut down" (include/linux/sched.h). */
    private static final long PF_EXITING = 0x4;
    /**
     * How long after the lifeline's exit the exit waits for its output to end: only a process
     * that left the group and holds a pipe open makes it wait this long.
     */
    static final Duration OUTPUT_GRACE = Duration.ofSeconds(5);

    private final Process lifeline;
    private final OutputTail tail = new OutputTail();
    /** The pumps still copying; the last one to end completes {@link #outputEnd}. */
    private final AtomicInteger openStreams = new AtomicInteger(2);
    /** Completes when both pumps have read their stream to its end (or, past the grace, without them). */
    private final CompletableFuture<Void> outputEnd = new CompletableFuture<>();
    private final CompletableFuture<Integer> exit;
    private volatile long appPid = -1;

    /**
     * Starts copying the output of {@code lifeline} (started with stdout and stderr as two pipes);
     * {@code prefix} names the app and its pid in every line logged; {@code scheduler} times
     * the {@link #OUTPUT_GRACE}.
     */
    ChildProcess(Process lifeline, Supplier<String> prefix, Scheduler scheduler) {
        this.lifeline = lifeline;
        OutputPump.start(lifeline.getInputStream(), "stdout", Level.INFO, prefix, tail, this::streamEnded);
        OutputPump.start(lifeline.getErrorStream(), "stderr", Level.WARNING, prefix, tail, this::streamEnded);
        this.exit = lifeline.onExit().thenCompose(exited -> {
            Scheduler.Cancellable grace = scheduler.schedule(() -> {
                if (!outputEnd.isDone()) {   // logged first: completing runs the exit's report
                    LOG.log(Level.WARNING, "[{0}] exited {1} ago, but its output is still open (a process that"
                            + " left its process group holds it): its exit is reported now, later lines as they come",
                            prefix.get(), Durations.format(OUTPUT_GRACE));
                    outputEnd.complete(null);
                }
            }, OUTPUT_GRACE.toNanos());
            return outputEnd.thenApply(ended -> {
                grace.cancel();
                return exited.exitValue();
            });
        });
    }

    private void streamEnded() {
        if (openStreams.decrementAndGet() == 0) {
            outputEnd.complete(null);
        }
    }

    @Override
    public long pid() {
        return lifeline.pid();
    }

    @Override
    public long appPid() {
        long app = appPid;
        return app >= 0 ? app : lifeline.pid();
    }

    /**
     * Finds the app's own pid once it listens: the lifeline's child that is not a fork of the
     * lifeline itself (its stdin watcher is one, with the lifeline's command line).
     */
    void resolveAppPid() {
        String lifelineCommand = lifeline.info().commandLine().orElse("");
        appPid = lifeline.children()
                .filter(child -> !child.info().commandLine().orElse(lifelineCommand).equals(lifelineCommand))
                .mapToLong(ProcessHandle::pid).min().orElse(lifeline.pid());
    }

    @Override
    public boolean isAlive() {
        return lifeline.isAlive();
    }

    /**
     * Completes with the exit status once the process has exited and every line it wrote is
     * logged (see the class comment).
     */
    @Override
    public boolean isDying() {
        return !lifeline.isAlive() || isDying(appPid());
    }

    /**
     * From {@code /proc/<pid>/stat}: the process is gone, a zombie (Z), dead (X), or has the
     * kernel's PF_EXITING flag (field 9), set when it starts to exit and before its files close.
     */
    static boolean isDying(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException | RuntimeException e) {
            return true;
        }
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        if (fields.length < 7 || fields[0].equals("Z") || fields[0].equals("X")) {
            return true;
        }
        try {
            return (Long.parseLong(fields[6]) & PF_EXITING) != 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    public CompletableFuture<Integer> onExit() {
        return exit;
    }

    /**
     * SIGTERM to the lifeline, and EOF on its stdin (the app sees it too); the output pipes stay
     * open, so the lines the process writes while it stops are logged.
     */
    @Override
    public void terminate() {
        closeStdin();
        lifeline.toHandle().destroy();
    }

    /**
     * Kills the lifeline alone (a spawn that did not listen in time): its stdin closes, on
     * which the app and the lifeline's watcher end; the output pipes stay open.
     */
    void destroyForcibly() {
        closeStdin();
        lifeline.toHandle().destroyForcibly();
    }

    /** Not {@link Process#destroy()}: it would close stdout and stderr under the pumps. */
    private void closeStdin() {
        try {
            lifeline.getOutputStream().close();
        } catch (IOException e) {
            // closed already
        }
    }

    /**
     * SIGKILL to the lifeline's process group, only while the lifeline lives: once it has been
     * reaped its pid, and so the group's id, may belong to another process (pids wrap quickly
     * where pid_max is 32768), whose group a late kill would hit.
     */
    @Override
    public void killGroup() {
        if (!lifeline.isAlive()) {
            return;
        }
        try {
            new ProcessBuilder("kill", "-KILL", "--", "-" + lifeline.pid())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot run kill for process group {0}: {1}", lifeline.pid(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        destroyForcibly();
    }

    /** The lifeline's tree: the app process, whatever it forked, and the lifeline itself. */
    @Override
    public ProcessTable.Usage usage(ProcessTable table) {
        return table.usage(lifeline.pid());
    }

    @Override
    public List<String> outputTail() {
        return tail.lines();
    }
}
