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

    /**
     * The resident memory and CPU time of the whole process tree, from a snapshot of the system's
     * processes that many readings share; {@link ProcessTable.Usage#NONE} when it cannot be read.
     */
    ProcessTable.Usage usage(ProcessTable table);

    /** The last lines the process wrote (stdout and stderr), oldest first. */
    List<String> outputTail();
}
