package dev.corral.pool.internal;

import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} whose tasks run only when the test moves time on: {@link #advance} runs
 * each task at its due time, in order, moving the clock to it first. Single-threaded.
 */
final class ManualScheduler implements Scheduler {
    private static final int MAX_TASKS_PER_RUN = 100_000;

    private final ManualClock clock;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long seq;

    private static final class Task implements Comparable<Task> {
        final long due;
        final long seq;
        final Runnable action;
        boolean cancelled;

        Task(long due, long seq, Runnable action) {
            this.due = due;
            this.seq = seq;
            this.action = action;
        }

        @Override
        public int compareTo(Task other) {
            int byTime = Long.compare(due - other.due, 0);
            return byTime != 0 ? byTime : Long.compare(seq, other.seq);
        }
    }

    ManualScheduler(ManualClock clock) {
        this.clock = clock;
    }

    @Override
    public Cancellable schedule(Runnable action, long delayNanos) {
        Task task = new Task(clock.getAsLong() + Math.max(0, delayNanos), seq++, action);
        tasks.add(task);
        return () -> task.cancelled = true;
    }

    /** Runs every task that is due now, including those they schedule for now. */
    void runDue() {
        int ran = 0;
        Task next;
        while ((next = tasks.peek()) != null && next.due - clock.getAsLong() <= 0) {
            tasks.poll();
            if (!next.cancelled) {
                next.action.run();
            }
            if (++ran > MAX_TASKS_PER_RUN) {
                throw new IllegalStateException("tasks keep scheduling tasks for now: a loop in the engine?");
            }
        }
    }

    /** Moves time on by {@code duration}, running each task when its time comes. */
    void advance(Duration duration) {
        long end = clock.getAsLong() + duration.toNanos();
        runDue();
        Task next;
        while ((next = tasks.peek()) != null && next.due - end <= 0) {
            clock.set(Math.max(next.due, clock.getAsLong()));
            runDue();
        }
        clock.set(end);
        runDue();
    }
}
