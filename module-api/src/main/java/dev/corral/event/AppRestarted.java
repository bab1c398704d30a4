package dev.corral.event;

import java.time.Instant;

/**
 * A restart of the app is done: the new generation serves. A rolling restart is done when its
 * last old process was retired; a restart all at once when the first new process is ready.
 *
 * @param app        the app's name
 * @param time       when it was done
 * @param generation the generation that serves now
 * @param rolling    whether it was a rolling restart
 */
public record AppRestarted(String app, Instant time, int generation, boolean rolling) implements CorralEvent {
}
