package dev.corral.pool.internal;

import dev.corral.pool.internal.ProcessLifecycle.Life;
import dev.corral.pool.internal.ProcessLifecycle.Routing;

/**
 * The invariants of one app's state (Passenger's Verification), checked after every change
 * under the group lock when assertions are on or {@code -Dcorral.selfCheck=true} is set (every
 * test run sets both). Pure: it reads and throws, it changes and publishes nothing.
 *
 * <ul>
 *   <li>no process that takes requests has a free slot while requests wait in the app's queue
 *       or its own;</li>
 *   <li>only a process that takes requests has requests waiting for it alone;</li>
 *   <li>every process's {@code sessions} equals the size of its active set, and is within
 *       {@code concurrency} (one more with {@code prefetch}) unless that is unlimited;</li>
 *   <li>the starting count equals the number of STARTING processes; no DEAD process is listed;
 *       a STARTING process is not routed, a RUNNING one is.</li>
 * </ul>
 */
final class GroupInvariants {
    private GroupInvariants() {
    }

    static void check(Group group) {
        if (!Invariants.ENABLED) {
            return;
        }
        int concurrency = group.config.concurrency();
        int most = group.prefetch.mostSessions();
        boolean appQueued = group.waiting.appSizeLocked() > 0;
        int starting = 0;
        for (AppProcess process : group.processes.all) {
            Invariants.check(process.sessions == process.active.size(), process, "sessions != active set");
            Invariants.check(most == 0 || process.sessions <= most, process, "more sessions than concurrency (+1 with prefetch)");
            Invariants.check(process.sessions >= 0, process, "negative sessions");
            Invariants.check(process.life() != Life.DEAD, process, "a DEAD process is still listed");
            Invariants.check((process.life() == Life.STARTING) == (process.routing() == Routing.NONE)
                    || process.life() == Life.STOPPING, process, "life " + process.life() + " with routing " + process.routing());
            if (process.life() == Life.STARTING) {
                starting++;
            }
            int own = group.waiting.ownSizeLocked(process);
            Invariants.check(process.takesRequests() || own == 0, process, "requests wait for a process that takes none");
            if ((appQueued || own > 0) && process.takesRequests()) {
                Invariants.check(process.freeSlots(concurrency) <= 0, process,
                        "a process that takes requests has a free slot while requests are queued");
            }
        }
        Invariants.check(starting == group.spawning.starting, group,
                "starting=" + group.spawning.starting + " but " + starting + " STARTING");
    }
}
