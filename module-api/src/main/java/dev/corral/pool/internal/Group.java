package dev.corral.pool.internal;

import dev.corral.config.AppConfig;
import dev.corral.fault.FaultInjector;
import dev.corral.pool.App;
import dev.corral.pool.AppStatus;
import dev.corral.pool.Exchange;
import dev.corral.pool.internal.ProcessLifecycle.Routing;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One app: its processes, its request queue and the routing between them. The {@link App}
 * facade, the one lock, the counters and shutdown live here; the app's behaviour lives in its
 * parts, one capability each (after Passenger's Group/*.cpp):
 *
 * <ul>
 *   <li>{@link Sessions}: the request path: dispatch, and the one end of a session with its outcome;</li>
 *   <li>{@link Tunnels}: sessions that switched protocols (WebSockets), until they close;</li>
 *   <li>{@link Router}: which process takes a request (pure), and {@link Prefetch}: whether a busy one may take one more;</li>
 *   <li>{@link WaitList}: the queues and their timeouts;</li>
 *   <li>{@link Spawning} and {@link RollingRestart}: starting processes, back-off, restarts;</li>
 *   <li>{@link Recycling}: retiring worn processes;</li>
 *   <li>{@link HealthVerdicts} (and its runner {@link HealthChecker}): health;</li>
 *   <li>{@link ProcessList}: the processes, taking them out of routing, their exits;</li>
 *   <li>{@link GroupStatus} and {@link GroupInvariants}: inspection and self-checks.</li>
 * </ul>
 *
 * <p>Lifetime: created by {@code Corral.addApp}, outlives all its {@link AppProcess}es; after
 * {@link #shutdown} it takes no more requests.
 *
 * <p>Thread-safety: one {@link ReentrantLock} guards the state of every part. A state change
 * holds it through a {@link Change}: under the lock, code only changes state (setting a timer,
 * a non-blocking hand-off, included) and collects actions; answering clients, starting or
 * signalling processes, forwarding and logging run after unlocking. Methods that need the lock
 * end in {@code Locked} and assert that it is held.
 */
public final class Group implements App {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");

    /** The settings in force: replaced as a whole, under the lock, by a change at run time ({@link Tuning}). */
    volatile AppConfig config;
    final Engine engine;
    /** Who the app's processes run as, and where their sockets go (decided when the app was added). */
    final ProcessLauncher.Site site;
    /** The app's fault injector (FaultInjector.NONE unless faults are configured). */
    final FaultInjector faults;
    private final ReentrantLock lock = new ReentrantLock();

    // The parts; their state is guarded by the lock.
    final ProcessList processes = new ProcessList(this);
    final WaitList waiting = new WaitList(this);
    final Router router;
    final Prefetch prefetch = new Prefetch(this);
    final Sessions sessions = new Sessions(this);
    final BodyIntake intake = new BodyIntake(this);
    final Spawning spawning = new Spawning(this);
    final RollingRestart restarts = new RollingRestart(this);
    final Recycling recycling = new Recycling(this);
    final HealthVerdicts health = new HealthVerdicts(this);
    final HealthChecker checker = new HealthChecker(this);
    final Tuning tuning = new Tuning(this);
    final Tunnels tunnels = new Tunnels(this);
    /** What the app tells listeners of {@code CorralEvents}. */
    final GroupEvents events = new GroupEvents(this);
    /** Queue depth and busy slots, a sample a second, for the status page's chart. */
    final StatusHistory history = new StatusHistory();
    private final GroupStatus status = new GroupStatus(this);

    // Guarded by the lock (the flags are also read without it, as hints).
    volatile boolean stopped;
    /** drain(): new requests are answered 503 draining; queued ones are still served. */
    volatile boolean draining;
    /** {@code tmp/drain.txt} exists in the app root: drained as by drain(), until it is removed. */
    final DrainFile drainFile = new DrainFile(this);
    final Counters counters = new Counters();

    Group(AppConfig config, Engine engine, ProcessLauncher.Site site) {
        this.config = config;
        this.engine = engine;
        this.site = site;
        this.router = new Router(engine.services.random());
        // its own injector even with no faults configured, so that faults can be switched on at run time
        this.faults = new FaultInjector(config.faults(), config.faultSeed());
        if (!config.faults().isNone()) {
            LOG.log(Level.WARNING, "app [{0}]: injecting faults [{1}] with seed {2} (replay: faultSeed={2})",
                    config.name(), config.faults(), Long.toString(config.faultSeed()));
        }
    }

    // ---------------------------------------------------------------- the App facade

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public AppConfig config() {
        return config;
    }

    @Override
    public FaultInjector faults() {
        return faults;
    }

    @Override
    public void dispatch(Exchange exchange) {
        sessions.dispatch(exchange);
    }

    @Override
    public void refusePath(Exchange exchange, String why) {
        String clientId = RequestIds.fromClient(exchange.header(RequestIds.HEADER));
        String id = clientId != null ? clientId : engine.nextRequestId();
        exchange.attribute(dev.corral.pool.RequestAttributes.APP, name());
        exchange.attribute(dev.corral.pool.RequestAttributes.REQUEST_ID, id);
        FailureMapper.answer(this, new RequestInfo(exchange, id, engine.now()), new Outcome.PathRefused(why), null);
    }

    @Override
    public boolean restart() {
        return restarts.start();
    }

    @Override
    public boolean restart(boolean rolling) {
        return rolling ? restarts.start() : restarts.restartAll();
    }

    @Override
    public void change(java.util.Map<String, String> settings) {
        tuning.change(settings);
    }

    @Override
    public void drain() {
        draining = true;
        LOG.log(Level.INFO, "app [{0}] is draining: new requests are answered 503 draining", name());
    }

    @Override
    public void resume() {
        draining = false;
        LOG.log(Level.INFO, "app [{0}] takes new requests again", name());
    }

    /** Drained by {@link #drain()} or by {@code tmp/drain.txt}. */
    @Override
    public boolean draining() {
        return draining || drainFile.exists();
    }

    @Override
    public boolean detach(long pid) {
        return processes.detach(pid);
    }

    @Override
    public AppStatus status() {
        return status.snapshot(ProcessTable.lazy());
    }

    /**
     * The status with the processes' memory and CPU time read from {@code table}, so that one
     * scan of {@code /proc} serves every app of one reading.
     */
    AppStatus status(ProcessTable table) {
        return status.snapshot(table);
    }

    /** The status without the processes' memory and CPU time (no reads of {@code /proc}). */
    AppStatus counts() {
        return status.snapshot(null);
    }

    /** One process's status, for its MBean. */
    dev.corral.pool.ProcessStatus status(AppProcess process) {
        return status.process(process, true);
    }

    /** One process's status without its memory and CPU time (no read of {@code /proc}), for its MBean. */
    dev.corral.pool.ProcessStatus counts(AppProcess process) {
        return status.process(process, false);
    }

    // ---------------------------------------------------------------- the lock

    /** Takes the lock for a state change; close the change to release it. */
    Change change() {
        lock.lock();
        return new Change(this, engine.now());
    }

    /**
     * Ends a change: hints, invariants, unlock, then its actions. A violated invariant is thrown
     * after the actions ran, so that what the change decided (a spawn, an answer) still happens.
     */
    void finish(Change change) {
        RuntimeException violated = null;
        try {
            status.publishLocked();
            GroupInvariants.check(this);
        } catch (RuntimeException e) {
            violated = e;
        } finally {
            lock.unlock();
        }
        change.runActions();
        if (violated != null) {
            throw violated;
        }
    }

    /** Reads under the lock, changing nothing. */
    <T> T read(Supplier<T> reader) {
        lock.lock();
        try {
            return reader.get();
        } finally {
            lock.unlock();
        }
    }

    boolean holdsLock() {
        return lock.isHeldByCurrentThread();
    }

    // ---------------------------------------------------------------- waiting requests

    /** The queue's timer fired: requests past queueTimeout get 503. */
    void expireWaiters() {
        List<Waiter> expired;
        String counts;
        try (Change change = change()) {
            expired = waiting.expireLocked(change.now);
            counters.timedOut += expired.size();
            expired.forEach(waiter -> counters.queueWaits.record(waiter.request.queuedNanos, change.now));
            counts = expired.isEmpty() ? null : countsLocked();
        }
        for (Waiter waiter : expired) {
            FailureMapper.answer(this, waiter.request, new Outcome.QueueTimeout(counts), null);
        }
    }

    /** A queued request's client went away: it leaves the queue. */
    void clientGone(Waiter waiter) {
        try (Change change = change()) {
            if (!waiting.removeLocked(waiter, change.now)) {
                return;
            }
            counters.failed++;
            counters.queueWaits.record(waiter.request.queuedNanos, change.now);
        }
        FailureMapper.answer(this, waiter.request, new Outcome.ClientGone(false, "the client disconnected while queued"),
                null);
    }

    /**
     * The engine's probe for queued clients that left: a request leaves the queue when the
     * kernel lists its TCP connection as closed by the client ({@code closed}, see
     * {@link ClientProbe}), or when its container says so ({@link Exchange#probeClientGone},
     * asked outside the lock).
     */
    void probeQueued(Set<ClientProbe.Connection> closed) {
        List<Waiter> queued = read(() -> {
            List<Waiter> all = new ArrayList<>(waiting.sizeLocked());
            waiting.forEachLocked(all::add);
            return all;
        });
        for (Waiter waiter : queued) {
            RequestInfo request = waiter.request;
            if ((request.connection != null && closed.contains(request.connection)) || request.exchange.probeClientGone()) {
                clientGone(waiter);
            }
        }
    }

    /** True when requests wait (read without the lock: a hint for the client probe). */
    boolean hasQueued() {
        return status.queuedHint() > 0;
    }

    boolean queueLooksFull() {
        return status.queueLooksFull();
    }

    int queuedHint() {
        return status.queuedHint();
    }

    String countsLocked() {
        assert holdsLock();
        return status.countsLocked();
    }

    /** Where the app's request and response buffers put their temporary files: {@code bufferDir}, else {@code <runDir>/buffers}. */
    java.nio.file.Path bufferDir() {
        java.nio.file.Path dir = config.buffers().bufferDir();
        return dir != null ? dir : engine.runDir.path().resolve(HttpForwarder.BUFFER_DIR);
    }

    /** Records the app's last error, with the wall-clock time, for status and spawn_failed answers. */
    void errorLocked(String error) {
        assert holdsLock();
        counters.lastError = error;
        counters.lastErrorMillis = engine.services.wallClock().millis();
    }

    // ---------------------------------------------------------------- upkeep and shutdown

    /** Periodic and after-backoff upkeep: restart.txt, drain.txt, maxMemory, idleTimeout, keeping minProcesses, serving a waiting queue. */
    void maintain() {
        restarts.checkRestartFile(engine.now());
        drainFile.check();
        List<AppProcess> measure = read(recycling::toMeasureLocked);
        long[] resident = new long[measure.size()];
        ProcessTable table = ProcessTable.lazy();   // one scan of the system's processes for all of them
        for (int i = 0; i < resident.length; i++) {
            OsProcess os = measure.get(i).os;
            resident[i] = os == null ? 0 : os.usage(table).residentBytes();
        }
        try (Change change = change()) {
            recycling.recycleBloatedLocked(measure, resident, change);
            recycling.reapIdleLocked(change);
            recycling.shrinkLocked(change);
            spawning.forgiveIfProvenLocked(change.now);
            recycling.replaceRetiringLocked(change);
            restarts.resumeLocked(change);
            spawning.spawnIfNeededLocked(change);
        }
    }

    /**
     * Stops taking requests, answers the queue with 503, drains and stops every process.
     *
     * @return completes when every process has exited
     */
    CompletableFuture<Void> shutdown() {
        List<Waiter> abandoned;
        List<CompletableFuture<?>> exits = new ArrayList<>();
        try (Change change = change()) {
            stopped = true;
            abandoned = waiting.drainLocked(change.now);
            counters.failed += abandoned.size();
            abandoned.forEach(waiter -> counters.queueWaits.record(waiter.request.queuedNanos, change.now));
            for (AppProcess process : new ArrayList<>(processes.all)) {
                Retirement was = process.retirement;
                process.retirement = new Retirement(Retirement.Kind.SHUTDOWN, was == null ? null : was.reason());
                if (process.os != null) {
                    exits.add(process.os.onExit());
                }
                if (process.takesRequests()) {
                    process.routeTo(Routing.DRAINING);
                    tunnels.leftRoutingLocked(process);
                    processes.stopIfDrainedLocked(process, change);
                }
            }
        }
        for (Waiter waiter : abandoned) {
            FailureMapper.answer(this, waiter.request, new Outcome.ShuttingDown(), null);
        }
        return CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new));
    }

    /** Whether a process of the app holds an upgraded connection (they get shutdownTimeout before their process stops). */
    boolean hasTunnels() {
        return read(tunnels::anyLocked);
    }

    /** Processes that still exist, for the final kill at shutdown. */
    List<AppProcess> processesSnapshot() {
        return processes.snapshot();
    }

    @Override
    public String toString() {
        return "app [" + name() + "]";
    }
}
