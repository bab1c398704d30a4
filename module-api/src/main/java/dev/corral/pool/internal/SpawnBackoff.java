package dev.corral.pool.internal;

import java.time.Duration;

/**
 * How an app's failures to start hold back its next spawn. Two runs are counted, because they
 * end differently:
 * <ul>
 *   <li>the <b>crash run</b>: failed spawns, and processes that died within the crash window of
 *       becoming ready. It sets the delay before the next spawn (0.5 s doubling to 30 s) and ends
 *       only when the app proves it works: a process stays up through the crash window, or lives
 *       until Corral recycles it;</li>
 *   <li>the <b>failed spawns</b> since a process last became ready. From
 *       {@link #FAILED_SPAWNS_TO_GIVE_UP} on, with no process running, the app counts as unable to
 *       start: what waits gets 503 at once, as do new requests until the next attempt. One failure
 *       alone, or crashes, never cost the queue.</li>
 * </ul>
 * Immutable: the group replaces it under its lock.
 *
 * @param crashRun      failures in the crash run
 * @param failedSpawns  spawns failed since a process last became ready
 * @param notBefore     when the next spawn may start (meaningful while {@code delaying})
 * @param delaying      whether a delay is pending
 */
record SpawnBackoff(int crashRun, int failedSpawns, long notBefore, boolean delaying) {
    static final Duration FIRST_DELAY = Duration.ofMillis(500);
    static final Duration MAX_DELAY = Duration.ofSeconds(30);
    static final int FAILED_SPAWNS_TO_GIVE_UP = 3;
    static final SpawnBackoff NONE = new SpawnBackoff(0, 0, 0, false);

    /** A spawn failed at {@code now}. */
    SpawnBackoff afterFailedSpawn(long now) {
        return delayed(crashRun + 1, failedSpawns + 1, now);
    }

    /** A process died soon after it became ready: a crash loop is damped like failing spawns. */
    SpawnBackoff afterEarlyCrash(long now) {
        return delayed(crashRun + 1, failedSpawns, now);
    }

    /** A process became ready: the app can start processes (its crash run is forgiven only later). */
    SpawnBackoff afterReady() {
        return new SpawnBackoff(crashRun, 0, notBefore, delaying);
    }

    /** The app proved it works: the crash run ends and no delay is left pending. */
    SpawnBackoff forgiven() {
        return new SpawnBackoff(0, failedSpawns, notBefore, false);
    }

    /** Whether the next spawn must still wait at {@code now}. */
    boolean delays(long now) {
        return delaying && now - notBefore < 0;
    }

    /** Whether the app counts as unable to start (given that no process runs). */
    boolean givesUp() {
        return failedSpawns >= FAILED_SPAWNS_TO_GIVE_UP;
    }

    /** The delay the crash run sets: 0.5 s, 1 s, 2 s ... up to 30 s. */
    long delayNanos() {
        return Math.min(MAX_DELAY.toNanos(), FIRST_DELAY.toNanos() << Math.min(16, Math.max(0, crashRun - 1)));
    }

    private static SpawnBackoff delayed(int crashRun, int failedSpawns, long now) {
        SpawnBackoff next = new SpawnBackoff(crashRun, failedSpawns, 0, true);
        return new SpawnBackoff(crashRun, failedSpawns, now + next.delayNanos(), true);
    }
}
