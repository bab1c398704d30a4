package dev.corral.pool.internal;

import dev.corral.config.AppConfig;
import dev.corral.config.Durations;
import dev.corral.pool.App;
import dev.corral.pool.AppStatus;
import dev.corral.pool.Exchange;
import dev.corral.pool.ProcessStatus;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One app: its processes, its request queue and the routing between them.
 *
 * <p>Lifetime: created by {@code Corral.addApp}, outlives all its {@link AppProcess}es; after
 * {@link #shutdown} it takes no more requests.
 *
 * <p>Thread-safety: one {@link ReentrantLock} guards every field marked so. Methods ending in
 * {@code Locked} need it held. Under the lock code only changes state and appends actions to an
 * {@code after} list; answering clients, starting or signalling processes and logging happen
 * after unlocking.
 *
 * <p>Invariants (checked by {@link #verifyInvariantsLocked} when assertions are on):
 * <ul>
 *   <li>if the queue is not empty, no READY process has a free slot;</li>
 *   <li>every process's {@code sessions} equals the size of its {@code active} set, and is within
 *       {@code concurrency} unless that is unlimited;</li>
 *   <li>{@code spawning} equals the number of STARTING processes.</li>
 * </ul>
 */
public final class Group implements App {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");
    static final Duration MAX_SPAWN_BACKOFF = Duration.ofSeconds(30);
    static final Duration FIRST_SPAWN_BACKOFF = Duration.ofMillis(500);
    static final int MAX_SPAWN_BATCH = 32;
    /** A process that dies unexpectedly this soon after becoming ready counts as a failed spawn. */
    static final Duration CRASH_WINDOW = Duration.ofSeconds(10);
    /** How often {@code tmp/restart.txt} is looked at, at most. */
    static final Duration RESTART_FILE_INTERVAL = Duration.ofSeconds(2);

    final AppConfig config;
    final Engine engine;
    final ReentrantLock lock = new ReentrantLock();
    private final SpawnListener spawnListener = new SpawnListener();
    private final HealthChecker health = new HealthChecker(this);

    // Guarded by lock.
    private final List<AppProcess> processes = new ArrayList<>();
    private final WaitQueue queue = new WaitQueue();
    private int spawning;
    private boolean stopped;
    private int spawnFailuresInRow;
    /**
     * Spawns that failed in a row, without a process becoming ready in between. From
     * {@link #SPAWN_FAILURES_TO_GIVE_UP} on, with no process running, the app counts as unable to
     * start: what waits gets 503 at once, as do new requests until the next attempt. One failure
     * alone (or processes that crashed) never costs the queue: it waits for the next spawn.
     */
    private int failedSpawnsInRow;
    static final int SPAWN_FAILURES_TO_GIVE_UP = 3;
    /**
     * How many processes one round of spawning starts at once: 1, then doubling each time a whole
     * round became ready, up to {@link #MAX_SPAWN_BATCH}; back to 1 after a failure (Apache's
     * ramp-up of children). A new round starts only when the previous one is done.
     */
    private int spawnBatch = 1;
    /** The current restart generation: processes of older ones are replaced by a rolling restart. */
    private int generation;
    /** A rolling restart is replacing the processes of older generations. */
    private boolean restarting;
    /** restart.txt: when it was last looked at, and the modification time seen then. */
    private long restartFileCheckedNanos;
    private long restartFileMillis = -1;
    private long nextSpawnNanos;
    private String lastError;
    private long served;
    /** Requests answered 503 queue_full; counted without the lock by the fast rejection in dispatch. */
    private final java.util.concurrent.atomic.LongAdder rejected = new java.util.concurrent.atomic.LongAdder();
    private long timedOut;
    private long failed;
    private long spawnFailures;
    /** The queue length, published for {@link #hasQueued()}; written under the lock. */
    private volatile int queuedHint;
    /** Free slots on READY processes after the last change (0 also when concurrency is unlimited and none is READY). */
    private volatile int freeSlotsHint;

    /** The app's fault injector (FaultInjector.NONE unless faults are configured). */
    final dev.corral.fault.FaultInjector faults;

    Group(AppConfig config, Engine engine) {
        this.config = config;
        this.engine = engine;
        this.faults = config.faults().isNone() ? dev.corral.fault.FaultInjector.NONE
                : new dev.corral.fault.FaultInjector(config.faults(), config.faultSeed());
        if (faults != dev.corral.fault.FaultInjector.NONE) {
            LOG.log(Level.WARNING, "app [{0}]: injecting faults [{1}] with seed {2} (replay: faultSeed={2})",
                    config.name(), config.faults(), Long.toString(config.faultSeed()));
        }
    }

    @Override
    public dev.corral.fault.FaultInjector faults() {
        return faults;
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public AppConfig config() {
        return config;
    }

    // ---------------------------------------------------------------- request path

    @Override
    public void dispatch(Exchange exchange) {
        long now = engine.now();
        RequestInfo request = new RequestInfo(exchange, requestId(exchange), now);
        if (config.health().stickySessions()) {
            request.route = StickyRoute.read(exchange, config.health().stickyCookie());
        }
        if (request.route == null && freeSlotsHint == 0 && queuedHint >= config.maxQueue() && !stopped) {
            // a full queue and no free slot a moment ago: reject without queueing on the lock behind
            // every other request of this storm (the state may change meanwhile, as it may while waiting)
            rejected.increment();
            ErrorResponses.send(this, request, Reason.QUEUE_FULL, -1, queueFullDetail("queued=" + queuedHint));
            return;
        }
        Session session = null;
        Waiter waiter = null;
        Reason reject = null;
        String detail = null;
        List<Runnable> after = new ArrayList<>(2);
        lock.lock();
        try {
            AppProcess home = request.route == null ? null : routedLocked(request.route);
            if (stopped) {
                reject = Reason.SHUTTING_DOWN;
                detail = "app [" + name() + "] is stopping";
            } else if ((session = home != null
                    // sticky: its process now, or that process's own queue
                    ? (home.freeSlotsLocked(config.concurrency()) > 0 ? startSessionLocked(home, request, now) : null)
                    : acquireLocked(request, null, now)) == null) {
                if (home == null && readyOrStartingLocked() == 0 && now - nextSpawnNanos < 0
                        && failedSpawnsInRow >= SPAWN_FAILURES_TO_GIVE_UP) {
                    reject = Reason.SPAWN_FAILED;
                    detail = "no process of app [" + name() + "] could be started; last error: " + lastError;
                } else if (queuedLocked() >= config.maxQueue()) {
                    reject = Reason.QUEUE_FULL;
                    rejected.increment();
                    detail = countsLocked();
                } else {
                    waiter = enqueueLocked(request, now, config.queueTimeout().toNanos(), false,
                            home != null ? home.stickyQueue : queue);
                    spawnIfNeededLocked(after, now);
                }
            }
            if (reject != null) {
                failed += reject == Reason.QUEUE_FULL ? 0 : 1;
            }
            verifyInvariantsLocked();
        } finally {
            lock.unlock();
        }
        runAll(after);
        if (reject == Reason.QUEUE_FULL) {
            detail = queueFullDetail(detail);
        }
        if (reject != null) {
            ErrorResponses.send(this, request, reject, -1, detail);
        } else if (waiter != null) {
            Waiter queued = waiter;
            exchange.onClientGone(() -> cancel(queued));
        } else {
            // the container's thread forwards its own request; what the freed slot hands over
            // goes to an engine thread, because the container cannot read the client's next
            // request on this connection until this thread returns
            Session next = engine.forwarder.forward(session);
            if (next != null) {
                engine.forwardExecutor.execute(() -> runSessions(next));
            }
        }
    }

    /** On an engine thread: forwards, then serves whatever the freed slot hands over. */
    void runSessions(Session session) {
        Session next = session;
        while (next != null) {
            next = engine.forwarder.forward(next, true);
        }
    }

    private String requestId(Exchange exchange) {
        return engine.nextRequestId();
    }

    /** The least busy READY process other than {@code exclude} gets a session, or null. */
    private Session acquireLocked(RequestInfo request, AppProcess exclude, long now) {
        boolean slowStart = !config.health().slowStart().isZero() && freeProcessesLocked(exclude) > 1;
        AppProcess best = slowStart ? leastBusyLocked(exclude, now, true) : null;
        if (best == null) {
            best = leastBusyLocked(exclude, now, false);
        }
        return best == null ? null : startSessionLocked(best, request, now);
    }

    /** The READY process with the most free slots (ties: least recently used), or null. */
    private AppProcess leastBusyLocked(AppProcess exclude, long now, boolean honourSlowStart) {
        AppProcess best = null;
        int bestFree = 0;
        for (AppProcess process : processes) {
            if (process.state != AppProcess.State.READY || process == exclude
                    || (honourSlowStart && skipForSlowStartLocked(process, now))) {
                continue;
            }
            int free = process.freeSlotsLocked(config.concurrency());
            if (free > bestFree || (free == bestFree && free > 0 && process.lastUsedNanos - best.lastUsedNanos < 0)) {
                best = process;
                bestFree = free;
            }
        }
        return best;
    }

    private int freeProcessesLocked(AppProcess exclude) {
        int free = 0;
        for (AppProcess process : processes) {
            if (process.state == AppProcess.State.READY && process != exclude
                    && process.freeSlotsLocked(config.concurrency()) > 0) {
                free++;
            }
        }
        return free;
    }

    /**
     * slowStart: a process ready for less than {@code slowStart} takes a request only with a
     * probability equal to the part of slowStart it has been up, as HAProxy ramps a server's
     * weight; it is never skipped when no other process has a free slot.
     */
    private boolean skipForSlowStartLocked(AppProcess process, long now) {
        long ramp = config.health().slowStart().toNanos();
        long up = now - process.readyNanos;
        return up < ramp && java.util.concurrent.ThreadLocalRandom.current().nextLong(ramp) >= up;
    }

    private Session startSessionLocked(AppProcess process, RequestInfo request, long now) {
        process.sessions++;
        process.lastUsedNanos = now;
        Session session = new Session(process, request, now);
        process.active.add(session);
        Duration limit = config.recycle().maxRequestTime();
        if (!limit.isZero()) {
            session.deadline = engine.scheduler.schedule(() -> requestTooLong(session), limit.toNanos(), TimeUnit.NANOSECONDS);
        }
        return session;
    }

    /** maxRequestTime: the request's process is killed (uWSGI's harakiri); its client gets 504. */
    private void requestTooLong(Session session) {
        AppProcess process = session.process;
        String reason = "killed: " + session.request.describe() + " ran longer than maxRequestTime="
                + Durations.format(config.recycle().maxRequestTime());
        List<Runnable> after = new ArrayList<>(1);
        lock.lock();
        try {
            if (!process.active.contains(session)) {
                return;
            }
            session.timedOut = true;
            process.deliberateStop = true;
            process.stopReason = reason;
            if (process.state == AppProcess.State.READY) {
                process.state = AppProcess.State.DRAINING;
                leaveRoutingLocked(process, after, engine.now());
            }
            verifyInvariantsLocked();
        } finally {
            lock.unlock();
        }
        runAll(after);
        LOG.log(Level.WARNING, "{0} {1}", process, reason);
        engine.blockingExecutor.execute(() -> ProcessStopper.kill(process));
    }

    /**
     * Takes a READY process out of routing to recycle it: it stops once its in-flight requests
     * are done, and a replacement is spawned if the app would drop below {@code minProcesses}.
     */
    private void recycleLocked(AppProcess process, String reason, List<Runnable> after, long now) {
        if (process.state != AppProcess.State.READY || process.retireReason != null) {
            return;
        }
        process.recycled = true;
        if (!stopped && readyOrStartingLocked() - 1 < config.minProcesses()) {
            // the app would drop below minProcesses: the replacement starts first, and this
            // process keeps serving until it is ready (see retireReplacedLocked)
            process.retireReason = reason;
            after.add(() -> LOG.log(Level.INFO, "recycling {0} once its replacement is ready: {1}", process, reason));
            if (spawning == 0 && engine.budget.tryTake(this, true)) {
                startSpawnLocked(after, now);
            }
            return;
        }
        drainLocked(process, reason, after, now);
    }

    /** A process became ready: retire one process that was waiting for its replacement. */
    private void retireReplacedLocked(List<Runnable> after, long now) {
        for (AppProcess process : processes) {
            if (process.state == AppProcess.State.READY && process.retireReason != null) {
                drainLocked(process, process.retireReason, after, now);
                return;
            }
        }
    }

    private void drainLocked(AppProcess process, String reason, List<Runnable> after, long now) {
        process.state = AppProcess.State.DRAINING;
        leaveRoutingLocked(process, after, now);
        process.deliberateStop = true;
        process.stopReason = reason;
        after.add(() -> LOG.log(Level.INFO, "recycling {0}: {1}", process, reason));
        stopIfDrainedLocked(process, after);
        spawnIfNeededLocked(after, now);
    }

    private Waiter enqueueLocked(RequestInfo request, long now, long timeoutNanos, boolean front, WaitQueue target) {
        Waiter waiter = new Waiter(request, now);
        waiter.queue = target;
        waiter.node = front ? target.addFirst(waiter) : target.addLast(waiter);
        waiter.timeout = engine.scheduler.schedule(() -> expire(waiter), Math.max(0, timeoutNanos), TimeUnit.NANOSECONDS);
        return waiter;
    }

    /** The READY process a sticky route names, unless it is down or gone. */
    private AppProcess routedLocked(String route) {
        for (AppProcess process : processes) {
            if (process.route.equals(route)) {
                return process.state == AppProcess.State.READY && !process.down ? process : null;
            }
        }
        return null;
    }

    /** Requests waiting in the app's queue and in every process's own queue. */
    private int queuedLocked() {
        int queued = queue.size();
        for (AppProcess process : processes) {
            queued += process.stickyQueue.size();
        }
        return queued;
    }

    /**
     * The request a freed slot on {@code process} takes: the older of the head of its own queue
     * and the head of the app's queue (HAProxy learned to compare both), or null.
     */
    private Waiter pollForLocked(AppProcess process, long now) {
        Waiter own = process.stickyQueue.peekFirst();
        Waiter shared = queue.peekFirst();
        if (own == null && shared == null) {
            return null;
        }
        WaitQueue from = own == null ? queue : shared == null ? process.stickyQueue
                : own.enqueuedNanos - shared.enqueuedNanos < 0 ? process.stickyQueue : queue;
        return pollOldestLocked(from, now);
    }

    /**
     * A process stops taking requests: what waited for it alone goes back to the app's queue,
     * oldest first, and to any process with a free slot.
     */
    private void leaveRoutingLocked(AppProcess process, List<Runnable> after, long now) {
        if (process.stickyQueue.isEmpty()) {
            return;
        }
        queue.mergeFrom(process.stickyQueue);
        List<Session> sessions = new ArrayList<>();
        AppProcess free;
        while (!queue.isEmpty() && (free = leastBusyLocked(process, now, false)) != null) {
            sessions.add(startSessionLocked(free, pollOldestLocked(queue, now).request, now));
        }
        if (!sessions.isEmpty()) {
            after.add(() -> sessions.forEach(next -> engine.forwardExecutor.execute(() -> runSessions(next))));
        }
        spawnIfNeededLocked(after, now);
    }

    private Waiter pollOldestLocked(long now) {
        return pollOldestLocked(queue, now);
    }

    private Waiter pollOldestLocked(WaitQueue from, long now) {
        Waiter waiter = from.pollFirst();
        if (waiter != null) {
            waiter.timeout.cancel(false);
            waiter.request.queuedNanos += now - waiter.enqueuedNanos;
        }
        return waiter;
    }

    private void expire(Waiter waiter) {
        lock.lock();
        try {
            if (!waiter.queue.remove(waiter.node)) {
                return;
            }
            waiter.request.queuedNanos += engine.now() - waiter.enqueuedNanos;
            timedOut++;
            verifyInvariantsLocked();
        } finally {
            lock.unlock();
        }
        ErrorResponses.send(this, waiter.request, Reason.QUEUE_TIMEOUT, -1,
                "waited longer than queueTimeout=" + Durations.format(config.queueTimeout()) + " for a process of app ["
                        + name() + "] (" + counts() + ")");
    }

    /** True when requests wait in the queue (read without the lock: a hint for the probe). */
    boolean hasQueued() {
        return queuedHint > 0;
    }

    /** Ends the queued requests whose client has closed its connection. */
    void clientsGone(java.util.Set<ClientProbe.Connection> closed) {
        List<Waiter> gone = new ArrayList<>();
        lock.lock();
        try {
            java.util.function.Consumer<Waiter> check = waiter -> {
                if (waiter.request.connection != null && closed.contains(waiter.request.connection)) {
                    gone.add(waiter);
                }
            };
            queue.forEach(check);
            processes.forEach(process -> process.stickyQueue.forEach(check));
        } finally {
            lock.unlock();
        }
        gone.forEach(this::cancel);
    }

    private void cancel(Waiter waiter) {
        lock.lock();
        try {
            if (!waiter.queue.remove(waiter.node)) {
                return;
            }
            waiter.timeout.cancel(false);
            waiter.request.queuedNanos += engine.now() - waiter.enqueuedNanos;
            failed++;
            verifyInvariantsLocked();
        } finally {
            lock.unlock();
        }
        ErrorResponses.send(this, waiter.request, Reason.CLIENT_GONE, -1, "the client disconnected while queued");
    }

    /**
     * Ends a session. A slot freed on a READY process takes the oldest queued request, which
     * is returned for the calling thread to forward next (no thread hop).
     *
     * @param servedByApp true when the app answered the request (whatever its status)
     */
    Session release(Session session, boolean servedByApp) {
        return release(session, servedByApp, 0);
    }

    /**
     * Ends a session, as {@link #release(Session, boolean)}, counting the app's status for
     * {@code errorLimit} (a 5xx is an error, any other status clears the count; 0 = no answer).
     */
    Session release(Session session, boolean servedByApp, int status) {
        if (!session.end()) {
            return null;
        }
        long now = engine.now();
        Session next = null;
        List<Runnable> after = new ArrayList<>(1);
        lock.lock();
        try {
            AppProcess process = endSessionLocked(session, now);
            if (servedByApp) {
                served++;
            } else {
                failed++;
            }
            if (status > 0) {
                countErrorLocked(process, status >= 500, "status " + status, after, now);
            }
            recycleIfWornLocked(process, after, now);
            Waiter waiter = process.state == AppProcess.State.READY ? pollForLocked(process, now) : null;
            if (waiter != null) {
                next = startSessionLocked(process, waiter.request, now);
            }
            stopIfDrainedLocked(process, after);
            verifyInvariantsLocked();
        } finally {
            lock.unlock();
        }
        runAll(after);
        return next;
    }

    /**
     * A connect to the session's process failed before any request byte was sent: the process
     * is taken out of routing and the request tries another one (or waits at the front of the
     * queue), up to {@code MAX_CONNECT_ATTEMPTS}.
     *
     * @return the session to try next, or null when the request was queued or failed
     */
    Session retryElsewhere(Session session, String error) {
        if (!session.end()) {
            return null;
        }
        RequestInfo request = session.request;
        request.connectAttempts++;
        long now = engine.now();
        Session next = null;
        boolean giveUp = request.connectAttempts > config.health().retries();
        List<Runnable> after = new ArrayList<>(2);
        lock.lock();
        try {
            AppProcess process = endSessionLocked(session, now);
            lastError = process + ": connect failed: " + error;
            countErrorLocked(process, true, "connect failed: " + error, after, now);
            if (process.state == AppProcess.State.READY) {
                // not a deliberate stop: a process that refuses connections is broken, and its
                // exit must count towards crash-loop damping
                process.state = AppProcess.State.DRAINING;
                leaveRoutingLocked(process, after, now);
            }
            stopIfDrainedLocked(process, after);
            if (giveUp || stopped) {
                failed++;
            } else if ((next = acquireLocked(request, process, now)) == null) {
                long left = config.queueTimeout().toNanos() - (now - request.arrivedNanos);
                Waiter waiter = enqueueLocked(request, now, left, true, queue);
                after.add(() -> request.exchange.onClientGone(() -> cancel(waiter)));
            }
            spawnIfNeededLocked(after, now);
            verifyInvariantsLocked();
        } finally {
            lock.unlock();
        }
        runAll(after);
        LOG.log(Level.WARNING, "connect to {0} failed for {1}: {2}", session.process, request.describe(), error);
        if (giveUp || (stopped && next == null)) {
            ErrorResponses.send(this, request, Reason.CONNECT_FAILED, session.process.pid(),
                    "could not connect to a process of app [" + name() + "] after " + request.connectAttempts
                            + " attempts; last error: " + error);
        }
        return next;
    }

    /**
     * The process cut a response short: it is most likely dying, so it takes no more requests
     * until its exit is seen (or, if it lives on, it is replaced).
     */
    Session releaseAfterCrash(Session session) {
        List<Runnable> after = new ArrayList<>(1);
        lock.lock();
        try {
            AppProcess process = session.process;
            if (process.state == AppProcess.State.READY) {
                process.state = AppProcess.State.DRAINING;
                process.retiredAfterCut = true;
                process.stopReason = "retired after it cut a response short";
                leaveRoutingLocked(process, after, engine.now());
            }
        } finally {
            lock.unlock();
        }
        runAll(after);
        return release(session, false);
    }

    private AppProcess endSessionLocked(Session session, long now) {
        AppProcess process = session.process;
        process.sessions--;
        process.active.remove(session);
        process.processed++;
        process.lastUsedNanos = now;
        if (session.deadline != null) {
            session.deadline.cancel(false);
        }
        return process;
    }

    /** maxRequests: recycles the process once it has served its (jittered) share. */
    private void recycleIfWornLocked(AppProcess process, List<Runnable> after, long now) {
        if (process.maxRequests > 0 && process.processed >= process.maxRequests) {
            recycleLocked(process, "served " + process.processed + " requests (maxRequests="
                    + config.recycle().maxRequests() + ")", after, now);
        }
    }

    // ---------------------------------------------------------------- health

    /** What the health checker should do after a check. */
    enum CheckOutcome { STOP, RISING, UP, FAILING, DOWN, BUSY }

    /** Whether and how a check of this process should run now (BUSY: it has no free slot). */
    CheckOutcome checkDueLocked(AppProcess process) {
        return switch (process.state) {
            case STARTING -> CheckOutcome.RISING;
            case READY -> process.freeSlotsLocked(config.concurrency()) > 0 ? CheckOutcome.UP : CheckOutcome.BUSY;
            case DRAINING -> process.down ? CheckOutcome.DOWN : CheckOutcome.STOP;
            default -> CheckOutcome.STOP;
        };
    }

    /**
     * Applies one check's verdict ({@code failure} null = passed) and says how the checker goes on.
     * rise: a starting process takes traffic after healthRise passes in a row; fall: a ready one
     * is marked DOWN after healthFall failures in a row, then drained and replaced.
     */
    CheckOutcome checked(AppProcess process, String failure) {
        long now = engine.now();
        List<Runnable> after = new ArrayList<>(2);
        CheckOutcome outcome;
        boolean rose = false;
        SpawnException timedOut = null;
        lock.lock();
        try {
            dev.corral.config.HealthConfig h = config.health();
            switch (process.state) {
                case STARTING -> {
                    process.passedChecks = failure == null ? process.passedChecks + 1 : 0;
                    if (process.passedChecks >= h.rise()) {
                        rose = true;
                        outcome = CheckOutcome.STOP; // becomeReady starts the checks of a ready process
                    } else if (failure != null && now - process.createdNanos > config.spawnTimeout().toNanos()) {
                        timedOut = new SpawnException(SpawnException.Step.HEALTH_CHECK, "the health check of "
                                + config.health().healthPath() + " did not pass " + h.rise() + " times in a row within "
                                + "spawnTimeout=" + Durations.format(config.spawnTimeout()) + "; last: " + failure,
                                process.output == null ? List.of() : process.output.tail());
                        outcome = CheckOutcome.STOP;
                    } else {
                        outcome = CheckOutcome.RISING;
                    }
                }
                case READY -> {
                    if (failure == null) {
                        process.failedChecks = 0;
                        outcome = CheckOutcome.UP;
                    } else if (++process.failedChecks >= h.fall()) {
                        markDownLocked(process, "after " + process.failedChecks + " failed checks: " + failure, after, now);
                        outcome = CheckOutcome.DOWN;
                    } else {
                        outcome = CheckOutcome.FAILING;
                    }
                }
                case DRAINING -> outcome = process.down ? CheckOutcome.DOWN : CheckOutcome.STOP;
                default -> outcome = CheckOutcome.STOP;
            }
            verifyInvariantsLocked();
        } finally {
            lock.unlock();
        }
        runAll(after);
        if (rose) {
            spawnListener.becomeReady(process);
        } else if (timedOut != null) {
            engine.blockingExecutor.execute(() -> ProcessStopper.kill(process));
            spawnListener.failed(process, timedOut);
        }
        return outcome;
    }

    /** DOWN: no new request and none from the queue; in-flight ones finish; then it is replaced. */
    private void markDownLocked(AppProcess process, String why, List<Runnable> after, long now) {
        if (process.down || process.state != AppProcess.State.READY) {
            return;
        }
        process.down = true;
        lastError = process + " DOWN " + why;
        after.add(() -> LOG.log(Level.WARNING, "{0} DOWN {1}", process, why));
        drainLocked(process, "DOWN " + why, after, now);
    }

    /** errorLimit: counts consecutive connect errors and 5xx answers of a process. */
    private void countErrorLocked(AppProcess process, boolean error, String what, List<Runnable> after, long now) {
        int limit = config.health().errorLimit();
        if (!error) {
            process.consecutiveErrors = 0;
        } else if (limit > 0 && ++process.consecutiveErrors >= limit) {
            markDownLocked(process, "after " + process.consecutiveErrors + " errors in a row (errorLimit=" + limit
                    + "), the last: " + what, after, now);
        }
    }

    // ---------------------------------------------------------------- rolling restart

    /**
     * Starts a rolling restart: a new process is spawned and must become ready before one old
     * process is retired (gracefully: in-flight requests finish), and so on until none is old.
     * While it runs the app may have one process above {@code maxProcesses}. If a new process
     * cannot start, the restart stops and the old processes keep serving.
     *
     * @return false when a restart is already running or the app is stopping
     */
    @Override
    public boolean restart() {
        List<Runnable> after = new ArrayList<>(2);
        lock.lock();
        try {
            if (restarting || stopped) {
                return false;
            }
            restarting = true;
            generation++;
            after.add(() -> LOG.log(Level.INFO, "rolling restart of app [{0}] started (generation {1})", name(), generation));
            rollLocked(after, engine.now());
            verifyInvariantsLocked();
        } finally {
            lock.unlock();
        }
        runAll(after);
        return true;
    }

    /** Drives a rolling restart: one new process starting at a time, until no old one is left. */
    private void rollLocked(List<Runnable> after, long now) {
        if (!restarting) {
            return;
        }
        boolean oldLeft = false;
        boolean newStarting = false;
        for (AppProcess process : processes) {
            boolean live = process.state == AppProcess.State.READY || process.state == AppProcess.State.STARTING;
            oldLeft |= live && process.generation < generation;
            newStarting |= process.state == AppProcess.State.STARTING && process.generation == generation;
        }
        if (!oldLeft) {
            restarting = false;
            after.add(() -> LOG.log(Level.INFO, "rolling restart of app [{0}] done", name()));
        } else if (!newStarting && engine.budget.tryTake(this, true)) {
            startSpawnLocked(after, now);
        }
    }

    /** A new-generation process is ready: retire the least busy old one. */
    private void retireOneOldLocked(List<Runnable> after, long now) {
        AppProcess oldest = null;
        for (AppProcess process : processes) {
            if (process.state == AppProcess.State.READY && process.generation < generation
                    && (oldest == null || process.sessions < oldest.sessions)) {
                oldest = process;
            }
        }
        if (oldest != null) {
            recycleLocked(oldest, "replaced by a rolling restart", after, now);
        }
        rollLocked(after, now);
    }

    /** restart.txt: touching {@code appRoot/tmp/restart.txt} restarts the app (checked every few seconds). */
    private void checkRestartFile(long now) {
        if (now - restartFileCheckedNanos < RESTART_FILE_INTERVAL.toNanos() && restartFileMillis >= 0) {
            return;
        }
        restartFileCheckedNanos = now;
        long modified = 0;
        try {
            java.nio.file.Path file = config.appRoot().resolve("tmp").resolve("restart.txt");
            modified = java.nio.file.Files.exists(file) ? java.nio.file.Files.getLastModifiedTime(file).toMillis() : 0;
        } catch (java.io.IOException | RuntimeException e) {
            return;
        }
        long seen = restartFileMillis;
        restartFileMillis = modified;
        if (seen >= 0 && modified != 0 && modified != seen) {
            LOG.log(Level.INFO, "app [{0}]: tmp/restart.txt was touched", name());
            restart();
        }
    }

    // ---------------------------------------------------------------- spawning

    /** Starts processes for queued requests, up to {@code maxProcesses}, unless backing off. */
    private void spawnIfNeededLocked(List<Runnable> after, long now) {
        if (stopped || now - nextSpawnNanos < 0) {
            return;
        }
        if (spawning > 0) {
            return; // a round of spawns is under way; the next, twice as large, starts when it is done
        }
        int perProcess = Math.max(1, config.concurrency());
        while (readyOrStartingLocked() < config.maxProcesses()
                && (readyOrStartingLocked() < config.minProcesses() || (long) spawning * perProcess < queue.size())
                && !(config.concurrency() == 0 && spawning > 0)
                && spawning < spawnBatch) {
            if (!engine.budget.tryTake(this, !queue.isEmpty())) {
                if (!queue.isEmpty()) {
                    // requests wait: another app's idle process makes room (Passenger's rule);
                    // keeping minProcesses alone never takes a process from another app
                    after.add(() -> engine.evictFor.accept(this));
                }
                return;
            }
            startSpawnLocked(after, now);
        }
    }

    private void startSpawnLocked(List<Runnable> after, long now) {
        int seq = engine.nextProcessSeq();
        AppProcess process = new AppProcess(this, seq, generation,
                config.listen() == dev.corral.config.Listen.UNIX ? engine.runDir.socket(seq) : null,
                config.listen() == dev.corral.config.Listen.UNIX ? 0 : Ports.freeLoopbackPort(), now);
        processes.add(process);
        spawning++;
        int starting = spawning;
        int batch = spawnBatch;
        after.add(() -> LOG.log(Level.DEBUG, "app [{0}]: spawning process #{1} ({2} starting, at most {3} at a time)",
                name(), seq, starting, batch));
        after.add(() -> engine.spawner.spawn(process, config, spawnListener));
    }

    /** Removes a process that is gone and gives its maxPoolProcesses slot back. */
    private void removeLocked(AppProcess process, List<Runnable> after) {
        processes.remove(process);
        if (!process.budgetReturned) {
            process.budgetReturned = true;
            engine.budget.giveBack();
            after.add(engine.slotFreed);
        }
    }

    /** maxPoolProcesses: stops this app's least recently used idle process for another app. */
    boolean evictIdleFor(Group needy) {
        List<Runnable> after = new ArrayList<>(2);
        boolean evicted = false;
        lock.lock();
        try {
            AppProcess lru = null;
            for (AppProcess process : processes) {
                if (process.state == AppProcess.State.READY && process.sessions == 0
                        && (lru == null || process.lastUsedNanos - lru.lastUsedNanos < 0)) {
                    lru = process;
                }
            }
            if (lru != null && queue.isEmpty()) {
                // evicted even below minProcesses: the pool's limit wins, as in Passenger
                drainLocked(lru, "evicted: app [" + needy.name() + "] needs a process and maxPoolProcesses="
                        + engine.budget.max() + " are running", after, engine.now());
                evicted = true;
            }
            verifyInvariantsLocked();
        } finally {
            lock.unlock();
        }
        runAll(after);
        return evicted;
    }

    /** The last time any process of this app served a request, for choosing whom to evict. */
    long idleSinceNanos() {
        lock.lock();
        try {
            long oldest = Long.MAX_VALUE;
            for (AppProcess process : processes) {
                if (process.state == AppProcess.State.READY && process.sessions == 0) {
                    oldest = Math.min(oldest, process.lastUsedNanos);
                }
            }
            return oldest;
        } finally {
            lock.unlock();
        }
    }

    private int readyOrStartingLocked() {
        int n = 0;
        for (AppProcess process : processes) {
            if (process.state == AppProcess.State.READY || process.state == AppProcess.State.STARTING) {
                n++;
            }
        }
        return n;
    }

    /** Called by the spawner once the OS process exists, so that its exit is always seen. */
    void processStarted(AppProcess process) {
        process.process.onExit().thenAccept(os -> exited(process, os.exitValue()));
    }

    private final class SpawnListener implements Spawner.Listener {
        @Override
        public void ready(AppProcess process) {
            if (config.health().healthPath() != null) {
                // it listens; it takes traffic once healthRise checks of healthPath pass
                health.schedule(process, Duration.ZERO);
                return;
            }
            becomeReady(process);
        }

        void becomeReady(AppProcess process) {
            long now = engine.now();
            List<Session> sessions = new ArrayList<>();
            List<Runnable> after = new ArrayList<>(1);
            lock.lock();
            try {
                if (process.state != AppProcess.State.STARTING) {
                    return;
                }
                spawning--;
                after.add(() -> health.schedule(process, config.health().interval()));
                if (stopped) {
                    process.state = AppProcess.State.STOPPING;
                    process.deliberateStop = true;
                    after.add(() -> ProcessStopper.stop(Group.this, process));
                } else {
                    process.state = AppProcess.State.READY;
                    process.readyNanos = now;
                    failedSpawnsInRow = 0;
                    // spawnFailuresInRow is forgiven only once a process has lived through CRASH_WINDOW
                    if (spawning == 0) {
                        // the whole round is ready: the next may be twice as large (Apache's 1, 2, 4 ...)
                        spawnBatch = Math.min(MAX_SPAWN_BATCH, spawnBatch * 2);
                    }
                    Waiter waiting;
                    while (process.freeSlotsLocked(config.concurrency()) > 0 && (waiting = pollForLocked(process, now)) != null) {
                        sessions.add(startSessionLocked(process, waiting.request, now));
                    }
                    retireReplacedLocked(after, now);
                    if (restarting && process.generation == generation) {
                        retireOneOldLocked(after, now);
                    }
                    spawnIfNeededLocked(after, now);
                }
                verifyInvariantsLocked();
            } finally {
                lock.unlock();
            }
            if (process.state == AppProcess.State.READY) {
                LOG.log(Level.INFO, "{0} is ready on {1} after {2} ms", process, process.address(),
                        (now - process.createdNanos) / 1_000_000);
            }
            runAll(after);
            for (Session session : sessions) {
                engine.forwardExecutor.execute(() -> runSessions(session));
            }
        }

        @Override
        public void failed(AppProcess process, SpawnException failure) {
            long now = engine.now();
            List<Waiter> abandoned = new ArrayList<>();
            List<Runnable> after = new ArrayList<>(1);
            String message = failure.describe(name(), engine.spawner.command(config));
            lock.lock();
            try {
                if (process.state == AppProcess.State.STARTING) {
                    spawning--;
                }
                process.deliberateStop = true;   // whatever exit follows is the failed spawn's, already reported
                process.stopReason = "its spawn failed at step " + failure.step();
                if (process.process != null && process.process.isAlive()) {
                    process.state = AppProcess.State.STOPPING;
                    process.deliberateStop = true;
                    after.add(() -> ProcessStopper.stop(Group.this, process));
                } else if (process.state != AppProcess.State.DEAD) {
                    process.state = AppProcess.State.DEAD;
                    removeLocked(process, after);
                }
                spawnFailures++;
                failedSpawnsInRow++;
                long backoff = backOffLocked(now);
                if (restarting && process.generation == generation) {
                    restarting = false;
                    after.add(() -> LOG.log(Level.ERROR, "rolling restart of app [{0}] failed: the new version could not"
                            + " start; the old processes keep serving", name()));
                }
                lastError = "spawn failed at step " + failure.step() + ": " + failure.getMessage();
                if (readyOrStartingLocked() == 0 && failedSpawnsInRow >= SPAWN_FAILURES_TO_GIVE_UP) {
                    Waiter waiter;
                    while ((waiter = pollOldestLocked(now)) != null) {
                        abandoned.add(waiter);
                        failed++;
                    }
                }
                after.add(() -> engine.scheduler.schedule(Group.this::maintain, backoff, TimeUnit.NANOSECONDS));
                verifyInvariantsLocked();
            } finally {
                lock.unlock();
            }
            LOG.log(Level.ERROR, message);
            runAll(after);
            for (Waiter waiter : abandoned) {
                ErrorResponses.send(Group.this, waiter.request, Reason.SPAWN_FAILED, process.pid(),
                        "no process of app [" + name() + "] could be started: " + failure.getMessage());
            }
        }
    }

    /** Counts one more failure in a row and pushes the next spawn back: 0.5 s doubling to 30 s. */
    private long backOffLocked(long now) {
        spawnFailuresInRow++;
        spawnBatch = 1;
        long backoff = Math.min(MAX_SPAWN_BACKOFF.toNanos(),
                FIRST_SPAWN_BACKOFF.toNanos() << Math.min(16, spawnFailuresInRow - 1));
        nextSpawnNanos = now + backoff;
        return backoff;
    }

    /** Periodic and after-backoff upkeep: keep {@code minProcesses}, serve a waiting queue. */
    void maintain() {
        checkRestartFile(engine.now());
        List<AppProcess> measure = config.recycle().maxMemoryBytes() > 0 ? readyProcesses() : List.of();
        long[] resident = new long[measure.size()];
        for (int i = 0; i < resident.length; i++) {
            resident[i] = Recycler.residentBytes(measure.get(i).pgid);
        }
        List<Runnable> after = new ArrayList<>(1);
        lock.lock();
        try {
            long now = engine.now();
            for (int i = 0; i < resident.length; i++) {
                AppProcess process = measure.get(i);
                if (resident[i] > process.maxMemory) {
                    recycleLocked(process, "its resident set " + dev.corral.config.Sizes.format(resident[i] >> 20 << 20)
                            + " exceeds maxMemory=" + dev.corral.config.Sizes.format(config.recycle().maxMemoryBytes()),
                            after, now);
                }
            }
            reapIdleLocked(after, now);
            forgiveFailuresLocked(now);
            replaceRetiringLocked(after, now);
            spawnIfNeededLocked(after, now);
            verifyInvariantsLocked();
        } finally {
            lock.unlock();
        }
        runAll(after);
    }

    private List<AppProcess> readyProcesses() {
        lock.lock();
        try {
            return processes.stream().filter(p -> p.state == AppProcess.State.READY).toList();
        } finally {
            lock.unlock();
        }
    }

    /** A process waiting for its replacement gets one, if none is starting (e.g. after a failed spawn). */
    private void replaceRetiringLocked(List<Runnable> after, long now) {
        if (spawning > 0 || stopped || now - nextSpawnNanos < 0) {
            return;
        }
        for (AppProcess process : processes) {
            if (process.state == AppProcess.State.READY && process.retireReason != null) {
                if (engine.budget.tryTake(this, true)) {
                    startSpawnLocked(after, now);
                }
                return;
            }
        }
    }

    /**
     * A process that has stayed up for {@link #CRASH_WINDOW} ends a run of failures: the app
     * works (as does a process that lived until Corral recycled it, see {@link #exited}).
     */
    private void forgiveFailuresLocked(long now) {
        if (spawnFailuresInRow == 0) {
            return;
        }
        for (AppProcess process : processes) {
            if (process.state == AppProcess.State.READY && now - process.readyNanos >= CRASH_WINDOW.toNanos()) {
                forgiveLocked(now);
                return;
            }
        }
    }

    private void forgiveLocked(long now) {
        spawnFailuresInRow = 0;
        if (now - nextSpawnNanos < 0) {
            nextSpawnNanos = now;   // and no back-off is left pending
        }
    }

    /** idleTimeout: stops the least recently used idle processes above {@code minProcesses}. */
    private void reapIdleLocked(List<Runnable> after, long now) {
        long idleNanos = config.recycle().idleTimeout().toNanos();
        if (idleNanos == 0 || !queue.isEmpty()) {
            return;
        }
        List<AppProcess> idle = new ArrayList<>();
        for (AppProcess process : processes) {
            if (process.state == AppProcess.State.READY && process.sessions == 0 && now - process.lastUsedNanos >= idleNanos) {
                idle.add(process);
            }
        }
        idle.sort((a, b) -> Long.compare(a.lastUsedNanos - now, b.lastUsedNanos - now));
        int running = readyOrStartingLocked();
        for (AppProcess process : idle) {
            if (running <= config.minProcesses()) {
                return;
            }
            recycleLocked(process, "idle for " + (now - process.lastUsedNanos) / 1_000_000_000 + " s (idleTimeout="
                    + Durations.format(config.recycle().idleTimeout()) + ")", after, now);
            running--;
        }
    }

    // ---------------------------------------------------------------- exits and stopping

    private void exited(AppProcess process, int exitCode) {
        long now = engine.now();
        AppProcess.State was;
        boolean expected;
        List<Session> inFlight;
        List<Runnable> after = new ArrayList<>(1);
        lock.lock();
        try {
            was = process.state;
            expected = process.deliberateStop || (process.retiredAfterCut && ExitStatus.clean(exitCode));
            inFlight = new ArrayList<>(process.active);
            if (expected && process.recycled) {
                // it lived until Corral recycled it (maxRequests, maxMemory, idleTimeout, a restart):
                // recycling can retire processes sooner than CRASH_WINDOW, and this one proves the app works
                forgiveLocked(now);
            }
            if (was != AppProcess.State.STARTING && !expected) {
                lastError = process + " exited unexpectedly with " + ExitStatus.describe(exitCode);
                if (now - process.readyNanos < CRASH_WINDOW.toNanos()) {
                    // a crash loop: damp it like failing spawns, so the pool never spins
                    long backoff = backOffLocked(now);
                    after.add(() -> LOG.log(Level.WARNING, "{0} crashed {1} s after it became ready; app [{2}] spawns"
                            + " again in {3} ms at the earliest", process, (now - process.readyNanos) / 1_000_000_000,
                            name(), backoff / 1_000_000));
                    after.add(() -> engine.scheduler.schedule(Group.this::maintain, backoff, TimeUnit.NANOSECONDS));
                }
            }
            if (was != AppProcess.State.STARTING) {
                // a STARTING process's exit is reported by the spawner, with the app's output
                process.state = AppProcess.State.DEAD;
                leaveRoutingLocked(process, after, now);
                removeLocked(process, after);
            }
            spawnIfNeededLocked(after, now);
            verifyInvariantsLocked();
        } finally {
            lock.unlock();
        }
        process.closeIdle();
        runAll(after);
        ProcessStopper.logExit(process, was, expected, exitCode, inFlight, now);
    }

    /** Takes a process out of routing; it is stopped once its in-flight requests are done. */
    private void stopIfDrainedLocked(AppProcess process, List<Runnable> after) {
        if (process.state == AppProcess.State.DRAINING && process.sessions == 0) {
            process.state = AppProcess.State.STOPPING;
            after.add(() -> ProcessStopper.stop(this, process));
        }
    }

    /**
     * Stops taking requests, answers the queue with 503, drains and stops every process.
     *
     * @return completes when every process has exited
     */
    CompletableFuture<Void> shutdown() {
        List<Waiter> abandoned = new ArrayList<>();
        List<Runnable> after = new ArrayList<>();
        List<CompletableFuture<?>> exits = new ArrayList<>();
        long now = engine.now();
        lock.lock();
        try {
            stopped = true;
            Waiter waiter;
            for (AppProcess process : processes) {
                queue.mergeFrom(process.stickyQueue);
            }
            while ((waiter = pollOldestLocked(now)) != null) {
                abandoned.add(waiter);
                failed++;
            }
            for (AppProcess process : processes) {
                process.deliberateStop = true;
                if (process.process != null) {
                    exits.add(process.process.onExit());
                }
                if (process.state == AppProcess.State.READY) {
                    process.state = AppProcess.State.DRAINING;
                    stopIfDrainedLocked(process, after);
                }
            }
        } finally {
            lock.unlock();
        }
        runAll(after);
        for (Waiter w : abandoned) {
            ErrorResponses.send(this, w.request, Reason.SHUTTING_DOWN, -1, "app [" + name() + "] is stopping");
        }
        return CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new));
    }

    /** Processes that still exist, for the final kill at shutdown. */
    List<AppProcess> processesSnapshot() {
        lock.lock();
        try {
            return new ArrayList<>(processes);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- status and checks

    @Override
    public AppStatus status() {
        lock.lock();
        try {
            List<ProcessStatus> list = new ArrayList<>(processes.size());
            int busy = 0;
            int ready = 0;
            for (AppProcess process : processes) {
                list.add(process.statusLocked());
                busy += process.sessions;
                ready += process.state == AppProcess.State.READY ? 1 : 0;
            }
            return new AppStatus(name(), processes.size(), spawning, ready, busy, queuedLocked(), served, rejected.sum(),
                    timedOut, failed, spawnFailures, lastError, list);
        } finally {
            lock.unlock();
        }
    }

    String counts() {
        lock.lock();
        try {
            return countsLocked();
        } finally {
            lock.unlock();
        }
    }

    private String countsLocked() {
        int busy = 0;
        int ready = 0;
        for (AppProcess process : processes) {
            busy += process.sessions;
            ready += process.state == AppProcess.State.READY ? 1 : 0;
        }
        return "processes=" + processes.size() + ", ready=" + ready + ", busy=" + busy + ", queued=" + queuedLocked();
    }

    /**
     * Runs what was decided under the lock, each action on its own: one that throws (a container
     * refusing a late listener, say) must not skip the others, least of all a spawn, whose
     * {@code spawning} count would otherwise never come down and the app never spawn again.
     */
    private static void runAll(List<Runnable> after) {
        for (Runnable action : after) {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "an action after a state change failed; the others ran", e);
            }
        }
    }

    private String queueFullDetail(String counts) {
        return "request queue full for app [" + name() + "] (maxQueue=" + config.maxQueue() + ", " + counts + ")";
    }

    private void verifyInvariantsLocked() {
        queuedHint = queuedLocked();
        int free = 0;
        for (AppProcess process : processes) {
            if (process.state == AppProcess.State.READY) {
                free += config.concurrency() == 0 ? 1 : Math.max(0, config.concurrency() - process.sessions);
            }
        }
        freeSlotsHint = free;
        if (!Invariants.ENABLED) {
            return;
        }
        int starting = 0;
        for (AppProcess process : processes) {
            Invariants.check(process.sessions == process.active.size(), process, "sessions != active set");
            Invariants.check(config.concurrency() == 0 || process.sessions <= config.concurrency(), process,
                    "more sessions than concurrency");
            Invariants.check(process.sessions >= 0, process, "negative sessions");
            if (process.state == AppProcess.State.STARTING) {
                starting++;
            }
            Invariants.check(process.state == AppProcess.State.READY || process.stickyQueue.isEmpty(), process,
                    "requests wait for a process that is not READY");
            if ((!queue.isEmpty() || !process.stickyQueue.isEmpty()) && process.state == AppProcess.State.READY) {
                Invariants.check(process.freeSlotsLocked(config.concurrency()) <= 0, process,
                        "a READY process has a free slot while requests are queued");
            }
        }
        Invariants.check(starting == spawning, this, "spawning=" + spawning + " but " + starting + " STARTING");
    }

    @Override
    public String toString() {
        return "app [" + name() + "]";
    }
}
