package dev.corral.event;

import java.time.Instant;

/**
 * Something that happened to an app or one of its processes, as the engine reports it to the
 * listeners of {@link CorralEvents} (and the CDI extension re-fires to a webapp's observers).
 * Events are immutable values; their fields use the words of the logs, JMX and status page
 * (pids, exit causes, reason codes).
 *
 * <p>Every event of one app reaches a listener in the order the engine saw them happen.
 */
public sealed interface CorralEvent permits ProcessSpawned, ProcessReady, ProcessExited, AppRestarted,
        AppUnableToStart, QueueFull {

    /** The app's name. */
    String app();

    /** When it happened (wall clock). */
    Instant time();
}
