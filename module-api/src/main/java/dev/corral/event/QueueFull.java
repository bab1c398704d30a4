package dev.corral.event;

import java.time.Instant;

/**
 * Requests were answered 503 {@code queue_full}: the app's queue held {@code maxQueue} requests.
 * Rate-limited to one event per app a second, carrying every rejection since the previous one.
 *
 * @param app      the app's name
 * @param time     when the event was made (at a rejection)
 * @param maxQueue the app's queue bound then
 * @param rejected requests rejected since the previous {@code QueueFull} event of the app (at least 1)
 */
public record QueueFull(String app, Instant time, int maxQueue, long rejected) implements CorralEvent {
}
