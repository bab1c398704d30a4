package dev.corral.pool.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A real child process started under the lifeline ({@link LifelineLauncher}): the lifeline is
 * the process group leader, and the app with its children share the group, so one signal to
 * the group reaches the whole tree. Its stdout and stderr are two pipes, each copied to the log
 * by an {@link OutputPump} (stdout at INFO, stderr at WARNING) into one {@link OutputTail}.
 * Thread-safe.
 */
final class ChildProcess implements OsProcess {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");
    private static final long PAGE_SIZE = 4096;
    /** The kernel's per-task flag "getting shut down" (include/linux/sched.h). */
    private static final long PF_EXITING = 0x4;

    private final Process lifeline;
    private final OutputTail tail = new OutputTail();
    /** Counted down by each of the two pumps when its stream has ended. */
    private final CountDownLatch outputEnded = new CountDownLatch(2);
    private final CompletableFuture<Integer> exit;
    private volatile long appPid = -1;

    /**
     * Starts copying the output of {@code lifeline} (started with stdout and stderr as two pipes);
     * {@code prefix} names the app and its pid in every line logged.
     */
    ChildProcess(Process lifeline, Supplier<String> prefix) {
        this.lifeline = lifeline;
        OutputPump.start(lifeline.getInputStream(), "stdout", Level.INFO, prefix, tail, outputEnded);
        OutputPump.start(lifeline.getErrorStream(), "stderr", Level.WARNING, prefix, tail, outputEnded);
        this.exit = lifeline.onExit().thenApply(Process::exitValue);
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

    @Override
    public void terminate() {
        lifeline.destroy();
    }

    /** Kills the lifeline alone (a spawn that did not listen in time; the lifeline then takes its group down). */
    void destroyForcibly() {
        lifeline.destroyForcibly();
    }

    @Override
    public void killGroup() {
        try {
            new ProcessBuilder("kill", "-KILL", "--", "-" + lifeline.pid())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot run kill for process group {0}: {1}", lifeline.pid(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lifeline.destroyForcibly();
    }

    @Override
    public long residentBytes() {
        return residentBytes(lifeline.pid());
    }

    @Override
    public long cpuMillis() {
        return ProcessHandle.of(lifeline.pid()).map(root -> {
            try (Stream<ProcessHandle> tree = Stream.concat(Stream.of(root), root.descendants())) {
                return tree.mapToLong(p -> p.info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(0L)).sum();
            }
        }).orElse(0L);
    }

    @Override
    public List<String> outputTail() {
        return tail.lines();
    }

    /** Waits (at most {@code max} in all) until the process closed stdout and stderr and every line was copied. */
    void awaitOutputEnd(Duration max) {
        try {
            outputEnded.await(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The resident set of a process and all its descendants, in bytes: what a pre-forking app
     * really costs. 0 when it cannot be read (the process just exited).
     */
    static long residentBytes(long pid) {
        return ProcessHandle.of(pid).map(root -> {
            try (Stream<ProcessHandle> tree = Stream.concat(Stream.of(root), root.descendants())) {
                return tree.mapToLong(p -> residentBytesOf(p.pid())).sum();
            }
        }).orElse(0L);
    }

    /** Field 2 of {@code /proc/<pid>/statm}: resident pages. */
    private static long residentBytesOf(long pid) {
        try {
            String[] fields = Files.readString(Path.of("/proc/" + pid + "/statm")).trim().split(" ");
            return Long.parseLong(fields[1]) * PAGE_SIZE;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
