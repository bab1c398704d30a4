package dev.corral.event;

import java.time.Instant;
import java.util.List;

/**
 * A process of the app exited and was reaped.
 *
 * @param app          the app's name
 * @param time         when its exit was seen
 * @param pid          the app's own pid (its lifeline's if it never got as far as listening)
 * @param processGroup the process group of its tree, as in its {@link ProcessSpawned}
 * @param cause        why: {@code crashed} (it died on its own), {@code spawn_failed}, or why Corral retired
 *                     it: {@code recycled}, {@code evicted}, {@code down}, {@code timed_out}, {@code cut_short},
 *                     {@code detached}, {@code shutdown} (the causes of the {@code exitsByCause} attribute)
 * @param exitCode     its exit code; 128+N when signal N ended it
 * @param exitStatus   the exit as the log line reads it ({@code exit code 3}, {@code signal 9 (SIGKILL, exit code 137)})
 * @param served       requests it finished
 * @param interrupted  the requests its exit cut short or left unanswered ({@code GET /path (request id)}, with how
 *                     long it ran when known), as its exit's log line names them
 */
public record ProcessExited(String app, Instant time, long pid, long processGroup, String cause, int exitCode,
                            String exitStatus, long served, List<String> interrupted) implements CorralEvent {

    public ProcessExited {
        interrupted = List.copyOf(interrupted);
    }

    /** Whether it died on its own rather than being stopped by Corral. */
    public boolean crashed() {
        return "crashed".equals(cause);
    }
}
