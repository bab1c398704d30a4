package dev.corral.pool.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The operating-system side of one {@link AppProcess}, as the {@link ProcessLauncher} started
 * it: signals, exit and measurements. Thread-safe.
 */
interface OsProcess {

    /** The pid of the process Corral started (the lifeline), which is also the process group of the app's tree. */
    long pid();

    /** The app's own pid once known (the lifeline's child), else {@link #pid()}. */
    long appPid();

    boolean isAlive();

    /**
     * Whether the app has exited or is exiting: its pid is gone, a zombie, or marked as exiting
     * by the kernel. The kernel marks a process exiting before it closes its sockets, so a
     * connection that an app's death closed is always seen with this already true.
     */
    default boolean isDying() {
        return !isAlive();
    }

    /** Completes with the exit status (128+N for signal N) once the process has exited and been reaped. */
    CompletableFuture<Integer> onExit();

    /** Asks the process to stop (SIGTERM to the lifeline, which passes it to the app's group). */
    void terminate();

    /** SIGKILLs the whole process group at once. May block briefly. */
    void killGroup();

    /** The resident set of the whole process tree in bytes, 0 when it cannot be read. */
    long residentBytes();

    /** The CPU time of the whole process tree in milliseconds, 0 when it cannot be read. */
    long cpuMillis();

    /** Both readings of the process tree, from one snapshot of the system's processes shared by many readings. */
    default ProcessTable.Usage usage(ProcessTable table) {
        return new ProcessTable.Usage(residentBytes(), cpuMillis());
    }

    /** The last lines the process wrote (stdout and stderr), oldest first. */
    List<String> outputTail();
}
