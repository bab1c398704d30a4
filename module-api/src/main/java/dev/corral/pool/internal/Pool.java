package dev.corral.pool.internal;

import dev.corral.config.AppConfig;
import dev.corral.pool.App;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The engine behind {@code dev.corral.pool.Corral}: owns the threads, the run directory and
 * every app {@link Group}. Lifetime: from {@link #start} to {@link #close}; groups and processes
 * never outlive it. Thread-safe.
 */
public final class Pool implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");
    /** How often each app checks that it has {@code minProcesses}. */
    static final Duration MAINTENANCE_INTERVAL = Duration.ofSeconds(1);
    /** How often queued requests are checked for clients that closed their connection. */
    static final Duration CLIENT_PROBE_INTERVAL = Duration.ofMillis(200);

    private final Engine engine;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ExecutorService forwardExecutor;
    private final ExecutorService blockingExecutor;
    private final List<Group> groups = new CopyOnWriteArrayList<>();
    private volatile boolean started;
    private volatile boolean closed;

    public Pool(Path runDir, LongSupplier nanoClock) {
        this(runDir, nanoClock, 0);
    }

    /**
     * @param maxPoolProcesses processes all apps may run together, 0 = no limit
     */
    public Pool(Path runDir, LongSupplier nanoClock, int maxPoolProcesses) {
        this.scheduler = new ScheduledThreadPoolExecutor(1, daemonThreads("corral-timer"));
        scheduler.setRemoveOnCancelPolicy(true);
        this.forwardExecutor = Executors.newCachedThreadPool(daemonThreads("corral-forward"));
        this.blockingExecutor = Executors.newCachedThreadPool(daemonThreads("corral-spawn"));
        String prefix = Long.toString(ProcessHandle.current().pid(), 36) + "-"
                + Long.toString(nanoClock.getAsLong() & 0xffffff, 36).toLowerCase(Locale.ROOT) + "-";
        this.engine = new Engine(RunDir.create(runDir), scheduler, forwardExecutor, blockingExecutor, nanoClock, prefix,
                maxPoolProcesses);
        engine.evictFor = this::evictFor;
        engine.slotFreed = () -> scheduler.execute(() -> groups.stream().filter(Group::hasQueued).forEach(Group::maintain));
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    public Path runDir() {
        return engine.runDir.path();
    }

    public App addApp(AppConfig config) {
        if (closed) {
            throw new IllegalStateException("Cannot add app [" + config.name() + "]: Corral is closed");
        }
        for (Group group : groups) {
            if (group.name().equals(config.name())) {
                throw new IllegalArgumentException("An app named [" + config.name() + "] exists already");
            }
        }
        Group group = new Group(config, engine);
        groups.add(group);
        LOG.log(Level.INFO, "app [{0}] configured: {1}", config.name(), config);
        if (started) {
            group.maintain();
        }
        return group;
    }

    public List<App> apps() {
        return List.copyOf(groups);
    }

    public void start() {
        if (started) {
            return;
        }
        started = true;
        LOG.log(Level.INFO, "Corral started; run directory {0}", engine.runDir.path());
        scheduler.scheduleWithFixedDelay(() -> groups.forEach(Group::maintain), 0,
                MAINTENANCE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        if (ClientProbe.available()) {
            scheduler.schedule(this::probeQueuedClients, CLIENT_PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** maxPoolProcesses is reached and {@code needy} has waiting requests: stop the LRU idle process of another app. */
    private void evictFor(Group needy) {
        groups.stream().filter(group -> group != needy)
                .sorted(java.util.Comparator.comparingLong(Group::idleSinceNanos))
                .filter(group -> group.idleSinceNanos() != Long.MAX_VALUE)
                .anyMatch(group -> group.evictIdleFor(needy));
    }

    /**
     * Every {@link #CLIENT_PROBE_INTERVAL} while requests are queued, or less often when reading
     * the kernel's tables is expensive (their size grows with every socket on the host, TIME_WAIT
     * included): the probe never takes more than a tenth of a thread.
     */
    private void probeQueuedClients() {
        long started = engine.now();
        try {
            if (groups.stream().anyMatch(Group::hasQueued)) {
                java.util.Set<ClientProbe.Connection> closed = ClientProbe.closedByClient();
                if (!closed.isEmpty()) {
                    groups.forEach(group -> group.clientsGone(closed));
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "probing client connections failed: {0}", e.toString());
        } finally {
            if (!closed) {
                long next = Math.max(CLIENT_PROBE_INTERVAL.toNanos(), 10 * (engine.now() - started));
                try {
                    scheduler.schedule(this::probeQueuedClients, next, TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    // the engine is closing
                }
            }
        }
    }

    /**
     * Stops every app: queued requests get 503, in-flight ones may finish, processes get SIGTERM
     * and are SIGKILLed past their {@code shutdownTimeout}. Returns when all have exited.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<CompletableFuture<Void>> exits = new ArrayList<>();
        Duration longest = Duration.ZERO;
        for (Group group : groups) {
            exits.add(group.shutdown());
            if (group.config.shutdownTimeout().compareTo(longest) > 0) {
                longest = group.config.shutdownTimeout();
            }
        }
        Duration wait = longest.plus(ProcessStopper.KILL_MARGIN).plusSeconds(2);
        try {
            CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)).get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.log(Level.WARNING, "app processes still running {0} after stop: killing them", wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.log(Level.WARNING, "waiting for app processes failed: {0}", e.getMessage());
        }
        for (Group group : groups) {
            group.processesSnapshot().forEach(ProcessStopper::kill);
        }
        scheduler.shutdownNow();
        forwardExecutor.shutdown();
        blockingExecutor.shutdown();
        engine.runDir.delete();
        RequestLog.flush();
        LOG.log(Level.INFO, "Corral stopped");
    }
}
