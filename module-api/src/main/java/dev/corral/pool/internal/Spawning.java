package dev.corral.pool.internal;

import dev.corral.config.Listen;
import dev.corral.pool.internal.ProcessLifecycle.Life;
import dev.corral.pool.internal.ProcessLifecycle.Routing;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * When an app starts processes, and what follows a start (Passenger's SpawningAndRestarting):
 * spawns for waiting requests and {@code minProcesses}, in rounds of 1, 2, 4 ... (Apache's
 * ramp-up of children: a round starts only when the previous one is ready, and goes back to 1
 * after a failure); a {@link SpawnBackoff} after failures; a process becoming ready or failing
 * to start. Rolling restarts are {@link RollingRestart}'s.
 *
 * <p>Thread-safety: fields and {@code …Locked} methods are guarded by the group lock; the
 * launcher's callbacks take it.
 */
final class Spawning implements ProcessLauncher.Listener {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");
    static final int MAX_BATCH = 32;
    /** A process that dies unexpectedly this soon after becoming ready counts as a failed spawn. */
    static final Duration CRASH_WINDOW = Duration.ofSeconds(10);

    private final Group group;

    // Guarded by the group lock.
    /** Processes STARTING. */
    int starting;
    /** How many processes one round starts at once: 1, then doubling each time a whole round became ready. */
    private int batch = 1;
    private SpawnBackoff backoff = SpawnBackoff.NONE;
    /** Processes this app has spawned so far (the last one's {@link AppProcess#number}). */
    private int spawned;

    Spawning(Group group) {
        this.group = group;
    }

    /** Starts processes for waiting requests and up to {@code minProcesses}, within maxProcesses, unless backing off. */
    void spawnIfNeededLocked(Change change) {
        assert group.holdsLock();
        if (group.stopped || backoff.delays(change.now) || starting > 0) {
            return; // (a round under way: the next, twice as large, starts when it is done)
        }
        int perProcess = Math.max(1, group.config.concurrency());
        int queued = group.waiting.appSizeLocked();
        while (group.processes.liveLocked() < group.config.maxProcesses()
                && (group.processes.liveLocked() < group.config.minProcesses() || (long) starting * perProcess < queued)
                && !(group.config.concurrency() == 0 && starting > 0)
                && starting < batch) {
            if (!group.engine.budget.tryTake(group, queued > 0)) {
                if (queued > 0) {
                    // requests wait: another app's idle process makes room (Passenger's rule);
                    // keeping minProcesses alone never takes a process from another app
                    change.after(() -> group.engine.evictFor.accept(group));
                }
                return;
            }
            startLocked(change);
        }
    }

    /**
     * Starts one process outside the rules of {@link #spawnIfNeededLocked} (a replacement, a
     * rolling restart's next process), if the pool has room.
     */
    void spawnOneLocked(Change change) {
        assert group.holdsLock();
        if (group.engine.budget.tryTake(group, true)) {
            startLocked(change);
        }
    }

    /** Starts one process (its maxPoolProcesses slot is taken already). */
    private void startLocked(Change change) {
        assert group.holdsLock();
        Engine engine = group.engine;
        int seq = engine.nextProcessSeq();
        boolean unix = group.config.listen() == Listen.UNIX;
        var random = engine.services.random();
        AppProcess process = new AppProcess(group, seq, group.restarts.generation(), unix ? group.site.socketDir().resolve(seq + ".sock") : null,
                unix ? 0 : Ports.freeLoopbackPort(), change.now,
                Recycling.jitter(group.config.recycle().maxRequests(), random),
                Recycling.jitter(group.config.recycle().maxMemoryBytes(), random),
                Integer.toString(seq, 36) + "." + Long.toString(random.nextLong() >>> 16, 36));
        process.number = ++spawned;
        group.processes.addLocked(process);
        starting++;
        int round = starting;
        int size = batch;
        change.after(() -> LOG.log(Level.DEBUG, "app [{0}]: spawning process #{1} ({2} starting, at most {3} at a time)",
                group.name(), seq, round, size));
        change.after(() -> engine.services.launcher().launch(process, this));
    }

    /** Whether the app counts as unable to start: no process runs or starts, three spawns failed, and the next must wait. */
    boolean givenUpLocked(long now) {
        assert group.holdsLock();
        return backoff.givesUp() && backoff.delays(now) && group.processes.liveLocked() == 0;
    }

    /** Whether a spawn must still wait for the back-off after failures. */
    boolean delaysLocked(long now) {
        assert group.holdsLock();
        return backoff.delays(now);
    }

    /** A process that has stayed up for {@link #CRASH_WINDOW} ends a run of failures: the app works. */
    void forgiveIfProvenLocked(long now) {
        assert group.holdsLock();
        if (backoff.crashRun() == 0) {
            return;
        }
        for (AppProcess process : group.processes.all) {
            if (process.takesRequests() && now - process.readyNanos >= CRASH_WINDOW.toNanos()) {
                forgiveLocked();
                return;
            }
        }
    }

    /** The app proved it works (see {@link SpawnBackoff}). */
    void forgiveLocked() {
        assert group.holdsLock();
        backoff = backoff.forgiven();
    }

    /**
     * A process died on its own: soon after it became ready and before answering any request,
     * that is a crash loop to damp. One that had answered requests, or had lived through the
     * crash window, proved the app works (even if no upkeep saw it yet): the run ends, and it is
     * replaced at once, as Passenger does.
     */
    void crashedLocked(AppProcess process, Change change) {
        assert group.holdsLock();
        long now = change.now;
        if (now - process.readyNanos >= CRASH_WINDOW.toNanos() || process.answered > 0) {
            forgiveLocked();
            return;
        }
        backoff = backoff.afterEarlyCrash(now);
        batch = 1;
        long delay = backoff.delayNanos();
        change.after(() -> LOG.log(Level.WARNING, "{0} crashed {1} s after it became ready; app [{2}] spawns"
                + " again in {3} ms at the earliest", process, (now - process.readyNanos) / 1_000_000_000,
                group.name(), delay / 1_000_000));
        change.after(() -> group.engine.services.scheduler().schedule(group::maintain, delay));
    }

    // ------------------------------------------------------------------ the launcher's reports

    /**
     * The OS process exists: its MBean is registered (state STARTING), and then its exit is
     * watched, so that no exit can be seen before the registration (see {@link Management}).
     */
    @Override
    public void started(AppProcess process) {
        group.engine.management.processStarted(group, process);
        group.events.spawned(process);
        process.os.onExit().thenAccept(exitCode -> group.processes.exited(process, exitCode));
    }

    /** It listens, and the launcher knows the app's own pid now: its MBean takes that pid. */
    @Override
    public void ready(AppProcess process) {
        group.engine.management.processPidKnown(group, process);
        if (group.config.health().healthPath() != null) {
            // it listens; it takes traffic once healthRise checks of healthPath pass
            group.checker.schedule(process, Duration.ZERO);
            return;
        }
        becomeReady(process);
    }

    /** The process passed its readiness checks: it takes the queue's oldest requests, and the next round may start. */
    void becomeReady(AppProcess process) {
        List<Session> sessions = new ArrayList<>();
        try (Change change = group.change()) {
            long now = change.now;
            if (process.life() != Life.STARTING) {
                return;
            }
            starting--;
            if (group.stopped) {
                process.retirement = new Retirement(Retirement.Kind.SHUTDOWN, null);
                process.moveTo(Life.STOPPING);
                change.after(() -> ProcessStopper.stop(group, process));
                return;
            }
            process.readyNanos = now;
            if (!process.os.isAlive()) {
                // it died between its readiness check and now, and its exit (seen while it was
                // starting) left it to this: a crash on arrival
                group.counters.crashes++;
                group.errorLocked(process + " exited as it became ready");
                crashedLocked(process, change);
                group.processes.removeDeadLocked(process, change);
                spawnIfNeededLocked(change);
                return;
            }
            process.moveTo(Life.RUNNING);
            process.routeTo(Routing.ENABLED);
            change.after(() -> LOG.log(Level.INFO, "{0} is ready on {1} after {2} ms", process, process.address(),
                    (now - process.createdNanos) / 1_000_000));
            change.after(() -> group.events.ready(process, now - process.createdNanos));
            backoff = backoff.afterReady();
            if (starting == 0) {
                // the whole round is ready: the next may be twice as large (Apache's 1, 2, 4 ...)
                batch = Math.min(MAX_BATCH, batch * 2);
            }
            Waiter waiting;
            while (process.freeSlots(group.config.concurrency()) > 0
                    && (waiting = group.waiting.pollForLocked(process, now)) != null) {
                sessions.add(group.sessions.startLocked(process, waiting.request, change));
            }
            group.recycling.retireReplacedLocked(change);
            group.restarts.readyLocked(process, change);
            spawnIfNeededLocked(change);
            change.after(() -> group.checker.schedule(process, group.config.health().interval()));
        }
        sessions.forEach(session -> group.engine.services.forwardExecutor()
                .execute(() -> group.sessions.runOnEngineThread(session)));
    }

    @Override
    public void failed(AppProcess process, SpawnException failure) {
        List<Waiter> abandoned = new ArrayList<>();
        Outcome.SpawnFailed outcome;
        String message = failure.describe(group.name(), group.engine.services.launcher().command(group.config));
        try (Change change = group.change()) {
            long now = change.now;
            change.after(() -> LOG.log(Level.ERROR, message));   // first: before what it leads to
            if (process.life() == Life.STARTING) {
                starting--;
            }
            // whatever exit follows is the failed spawn's, already reported
            process.retirement = new Retirement(Retirement.Kind.SPAWN_FAILED, "its spawn failed at step " + failure.step());
            OsProcess os = process.os;
            if (os != null && os.isAlive()) {
                if (process.life() == Life.STARTING) {
                    process.moveTo(Life.STOPPING);
                    change.after(() -> ProcessStopper.stop(group, process));
                }
            } else if (process.life() != Life.DEAD) {
                group.processes.removeDeadLocked(process, change);
            }
            group.counters.spawnFailures++;
            backoff = backoff.afterFailedSpawn(now);
            batch = 1;
            group.errorLocked("spawn failed at step " + failure.step() + ": " + failure.getMessage());
            group.counters.lastSpawnOutput = failure.outputTail();
            group.restarts.spawnFailedLocked(process, change);
            outcome = new Outcome.SpawnFailed(group.counters.lastError, group.counters.lastSpawnOutput);
            if (group.processes.liveLocked() == 0 && backoff.givesUp()) {
                int failedSpawns = backoff.failedSpawns();
                String error = group.counters.lastError;
                change.after(() -> group.events.unableToStart(failedSpawns, error, false));
                Waiter waiter;
                while ((waiter = group.waiting.pollLocked(now)) != null) {
                    abandoned.add(waiter);
                    group.counters.failed++;
                    group.counters.queueWaits.record(waiter.request.queuedNanos, now);
                }
            }
            long delay = backoff.delayNanos();
            change.after(() -> group.engine.services.scheduler().schedule(group::maintain, delay));
        }
        for (Waiter waiter : abandoned) {
            FailureMapper.answer(group, waiter.request, outcome, process);
        }
    }
}
