package dev.corral.pool.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executor;

/**
 * An executor whose tasks wait until the test runs them: for the forwarding of requests taken
 * from the queue, a waiting task is a request in flight on its process. Single-threaded.
 */
final class ManualExecutor implements Executor {
    private static final int MAX_TASKS_PER_RUN = 100_000;
    private final Deque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    int pending() {
        return tasks.size();
    }

    /** Runs the oldest waiting task; false if none waits. */
    boolean runNext() {
        Runnable task = tasks.poll();
        if (task == null) {
            return false;
        }
        task.run();
        return true;
    }

    /** Runs tasks, the ones they submit included, until none waits. */
    void runAll() {
        int ran = 0;
        while (runNext()) {
            if (++ran > MAX_TASKS_PER_RUN) {
                throw new IllegalStateException("tasks keep submitting tasks: a loop in the engine?");
            }
        }
    }
}
