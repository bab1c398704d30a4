package dev.corral.event;

import java.time.Instant;

/**
 * The app cannot start: its spawns failed too often in a row. With no process running,
 * requests are answered 503 {@code spawn_failed} until a spawn succeeds (Corral keeps trying,
 * backing off); during a rolling restart ({@code restart}), the restart stopped and the old
 * processes keep serving.
 *
 * @param app          the app's name
 * @param time         when it gave up
 * @param failedSpawns spawns that failed in a row
 * @param error        the last failure, as logged ({@code spawn failed at step ...: ...})
 * @param restart      whether it was the new version of a rolling restart that could not start
 */
public record AppUnableToStart(String app, Instant time, int failedSpawns, String error, boolean restart)
        implements CorralEvent {
}
