package dev.corral.event;

import java.time.Instant;

/**
 * A process of the app was started: its process tree exists, it does not listen yet.
 *
 * @param app          the app's name
 * @param time         when it was started
 * @param processGroup the process group of its tree (the pid of its lifeline): the id that stays the
 *                     same from this event to its {@link ProcessExited}
 * @param generation   the app's restart generation it belongs to
 */
public record ProcessSpawned(String app, Instant time, long processGroup, int generation) implements CorralEvent {
}
