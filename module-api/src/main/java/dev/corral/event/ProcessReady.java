package dev.corral.event;

import java.time.Instant;

/**
 * A process of the app passed its readiness checks and takes requests.
 *
 * @param app           the app's name
 * @param time          when it became ready
 * @param pid           the app's own pid (the one its MBean, the status page and {@code X-Corral-Pid} show)
 * @param processGroup  the process group of its tree, as in its {@link ProcessSpawned}
 * @param generation    the app's restart generation it belongs to
 * @param startupMillis how long it took from spawn to ready
 */
public record ProcessReady(String app, Instant time, long pid, long processGroup, int generation, long startupMillis)
        implements CorralEvent {
}
