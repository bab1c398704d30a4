package dev.corral.pool.internal;

import dev.corral.config.AppConfig;
import dev.corral.pool.App;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The engine behind {@code dev.corral.pool.Corral}: owns the run directory, the
 * {@link EngineServices} and every app {@link Group}, runs the periodic upkeep and the probe
 * for queued clients that left, and enforces {@code maxPoolProcesses} across apps by evicting
 * idle processes. Lifetime: from {@link #start} to {@link #close}; groups and processes never
 * outlive it. Thread-safe.
 */
public final class Pool implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");
    /** How often each app checks that it has {@code minProcesses}. */
    static final Duration MAINTENANCE_INTERVAL = Duration.ofSeconds(1);
    /** How often queued requests are checked for clients that closed their connection. */
    static final Duration CLIENT_PROBE_INTERVAL = Duration.ofMillis(200);

    private final Engine engine;
    private final List<Group> groups = new CopyOnWriteArrayList<>();
    /** Removed apps whose processes have not all exited yet, with their exits. */
    private final Map<Group, CompletableFuture<Void>> removing = new ConcurrentHashMap<>();
    private volatile StatusEndpoints status = new StatusEndpoints(this, dev.corral.config.StatusConfig.OFF);
    private volatile dev.corral.config.StatusConfig statusConfig = dev.corral.config.StatusConfig.OFF;
    /** The engine's drain: the load balancer is told to send no more (agent, /ready); requests that come are served. */
    private volatile boolean draining;
    /** The agent-check port while the engine runs with agentPort set, else null. */
    private volatile AgentResponder agent;
    private volatile boolean started;
    private volatile boolean closed;

    /**
     * @param runDir           where sockets and loader scripts go, or null for a fresh temp directory
     * @param clock            monotonic nanoseconds
     * @param maxPoolProcesses processes all apps may run together, 0 = no limit
     */
    public Pool(Path runDir, LongSupplier clock, int maxPoolProcesses) {
        this(RunDir.create(runDir), clock, maxPoolProcesses);
    }

    private Pool(RunDir runDir, LongSupplier clock, int maxPoolProcesses) {
        this(runDir, EngineServices.system(runDir, clock, new Random()), maxPoolProcesses);
    }

    /** An engine on the given services (the engine's tests pass a manual clock and in-memory processes). */
    Pool(RunDir runDir, EngineServices services, int maxPoolProcesses) {
        String prefix = Long.toString(ProcessHandle.current().pid(), 36) + "-"
                + Long.toString(services.clock().getAsLong() & 0xffffff, 36).toLowerCase(Locale.ROOT) + "-";
        this.engine = new Engine(runDir, services, prefix, maxPoolProcesses);
        engine.evictFor = this::evictFor;
        engine.slotFreed = () -> services.scheduler().execute(
                () -> groups.stream().filter(Group::hasQueued).forEach(Group::maintain));
    }

    public Path runDir() {
        return engine.runDir.path();
    }

    /** Turns the status endpoints on (or off: {@code StatusConfig.OFF}); see {@link StatusEndpoints}. */
    public void setStatus(dev.corral.config.StatusConfig config) {
        status = new StatusEndpoints(this, config);
        statusConfig = config;
    }

    /**
     * Drains the engine: {@code <statusPath>/ready} answers 503 and the agent-check {@code drain},
     * so that the load balancer sends no new requests; the requests that still come (sent before
     * it noticed) are served as usual, so none is lost. {@link #resume} undoes it.
     */
    public void drain() {
        draining = true;
        LOG.log(Level.INFO, "the engine is draining: the load balancer is told to send no new requests");
    }

    /** Ends {@link #drain}. */
    public void resume() {
        draining = false;
        LOG.log(Level.INFO, "the engine takes new requests again");
    }

    public boolean draining() {
        return draining;
    }

    /**
     * Whether the container should take new requests now, and how many: the answer of
     * {@code /ready} and of the agent-check, from the apps' counts (no {@code /proc} scan).
     *
     * @param app the app asked about, or null for the container as a whole
     * @return the answer, or null if there is no app of that name
     */
    Availability availability(String app) {
        List<Availability.AppLoad> loads = new ArrayList<>();
        for (Group group : groups) {
            if (app == null || group.name().equals(app)) {
                loads.add(Availability.AppLoad.of(group, group.counts()));
            }
        }
        return app != null && loads.isEmpty() ? null : Availability.of(draining, loads);
    }

    /** The agent-check answer to a check that sent {@code request} (agent-send; "" when it sent nothing). */
    String agentAnswer(String request) {
        String app = request.trim();
        Availability availability = availability(app.isEmpty() ? null : app);
        if (availability == null) {
            return "down#" + Availability.oneLine("no app [" + app + "] in this Corral (apps: "
                    + String.join(", ", groups.stream().map(Group::name).toList()) + ")") + "\n";
        }
        return availability.agentLine();
    }

    /** The agent-check's address, or null when it is off (or the engine is not started). */
    public java.net.InetSocketAddress agentAddress() {
        AgentResponder responder = agent;
        return responder == null ? null : responder.address();
    }

    /** Answers a request for the status endpoints and returns true; false (untouched) for any other request. */
    public boolean serveStatus(dev.corral.pool.Exchange exchange) {
        StatusEndpoints endpoints = status;
        if (!endpoints.handles(exchange.rawPath())) {
            return false;
        }
        endpoints.serve(exchange);
        return true;
    }

    /** A fresh request id, for a request that has none (see {@link RequestIds}). */
    String nextRequestId() {
        return engine.nextRequestId();
    }

    /** Whether a request for {@code rawPath} is for the status endpoints. */
    public boolean isStatusPath(String rawPath) {
        return status.handles(rawPath);
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
        Group group = new Group(config, engine, engine.services.launcher().admit(config, engine.runDir));
        groups.add(group);
        engine.management.appAdded(group);
        ProcessUser user = group.site.user();
        LOG.log(Level.INFO, "app [{0}] configured: {1}{2}", config.name(), config, user == null ? ""
                : user.switches() ? "; its processes run as " + user + ", their sockets in " + group.site.socketDir()
                : user.uid() == 0 ? "; its processes run as root (allowRoot=true)" : "");
        if (started) {
            group.maintain();
        }
        return group;
    }

    /**
     * Removes an app while the engine runs: it leaves routing, upkeep and JMX at once, what waits
     * in its queue gets 503 {@code shutting_down}, and its processes finish the requests they
     * serve and stop (SIGTERM, SIGKILL past {@code shutdownTimeout}). An app of the same name may
     * be added at once; the other apps are untouched. {@link #close} still waits for the
     * removed app's processes.
     *
     * @return completes when the app's processes have exited
     * @throws IllegalArgumentException if {@code app} is not one of this engine's apps
     */
    public CompletableFuture<Void> removeApp(App app) {
        Group group = groups.stream().filter(g -> g == app).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No app [" + app.name() + "] in this Corral"));
        groups.remove(group);
        engine.management.appRemoved(group);
        CompletableFuture<Void> exits = group.shutdown();
        removing.put(group, exits);
        LOG.log(Level.INFO, "app [{0}] removed: its processes stop", group.name());
        exits.whenComplete((done, failure) -> removing.remove(group));
        return exits;
    }

    /** The app of that name, or null (no copy of the list: AppClient asks on every call). */
    public App app(String name) {
        for (Group group : groups) {
            if (group.name().equals(name)) {
                return group;
            }
        }
        return null;
    }

    public List<App> apps() {
        return List.copyOf(groups);
    }

    List<Group> groups() {
        return List.copyOf(groups);
    }

    /** Corral's version, from the build. */
    public static String version() {
        try (java.io.InputStream in = Pool.class.getResourceAsStream("/dev/corral/version.properties")) {
            java.util.Properties properties = new java.util.Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    public javax.management.ObjectName engineName() {
        return dev.corral.jmx.ObjectNames.engine(engine.management.instance());
    }

    public javax.management.ObjectName appName(String app) {
        return dev.corral.jmx.ObjectNames.app(app, engine.management.instance());
    }

    /** {@code maxPoolProcesses}: processes all apps may run together, 0 = no limit. */
    public int maxPoolProcesses() {
        return engine.budget.max();
    }

    /**
     * Changes {@code maxPoolProcesses} while the engine runs: a higher limit lets waiting apps
     * spawn at once; a lower one stops no running process, it only keeps new ones from starting.
     *
     * @throws dev.corral.config.ConfigException if the value is out of range
     */
    public void setMaxPoolProcesses(int maxPoolProcesses) {
        java.util.List<dev.corral.config.ConfigException.Problem> problems = new ArrayList<>();
        dev.corral.config.PoolLimits.maxPoolProcesses(Integer.toString(maxPoolProcesses), problems);
        dev.corral.config.ConfigException.throwIfAny(problems);
        int was = engine.budget.max();
        engine.budget.setMax(maxPoolProcesses);
        LOG.log(Level.INFO, "maxPoolProcesses changed while running: {0} (was {1})", maxPoolProcesses, was);
        engine.slotFreed.run();
    }

    /** The whole engine as text: every app with its counts, every process with its state. */
    public String dump() {
        StringBuilder text = new StringBuilder().append("Corral ").append(version()).append(", run directory ")
                .append(runDir()).append(", maxPoolProcesses=").append(maxPoolProcesses()).append('\n');
        ProcessTable table = ProcessTable.lazy();   // one scan of /proc for every app
        for (Group group : groups) {
            text.append(StatusText.app(group.status(table), group.config.settings(), "  "));
        }
        return text.toString();
    }

    public void start() {
        if (started) {
            return;
        }
        dev.corral.config.StatusConfig config = statusConfig;
        if (config.agentEnabled()) {
            agent = AgentResponder.open(config.agentBind(), config.agentPort(), this::agentAnswer);
        }
        started = true;
        engine.management.engineStarted(new EngineBean(this));
        LOG.log(Level.INFO, "Corral {0} started; run directory {1}", version(), engine.runDir.path());
        engine.services.scheduler().execute(this::maintainAll);
        engine.services.scheduler().schedule(this::probeQueuedClients, CLIENT_PROBE_INTERVAL.toNanos());
    }

    /** Every {@link #MAINTENANCE_INTERVAL}, after the previous round is done. */
    private void maintainAll() {
        try {
            groups.forEach(Group::maintain);
            long millis = engine.services.wallClock().millis();
            for (Group group : groups) {
                dev.corral.pool.AppStatus s = group.counts();
                group.history.add(new StatusHistory.Sample(millis, s.queued(), s.busy(), s.ready()));
            }
        } finally {
            if (!closed) {
                engine.services.scheduler().schedule(this::maintainAll, MAINTENANCE_INTERVAL.toNanos());
            }
        }
    }

    /**
     * Waits until the processes of {@code stopping} (shut down already) have exited, for their
     * longest {@code shutdownTimeout} and a margin; then SIGKILLs the groups of any left.
     */
    private static void awaitExits(List<Group> stopping, List<CompletableFuture<Void>> exits) {
        Duration longest = Duration.ZERO;
        for (Group group : stopping) {
            // upgraded connections get shutdownTimeout before their process is stopped, and then it gets as much
            Duration timeout = group.config.shutdownTimeout().multipliedBy(group.hasTunnels() ? 2 : 1);
            if (timeout.compareTo(longest) > 0) {
                longest = timeout;
            }
        }
        // an exit is reported once the process's output has ended, which a process that left its
        // group may hold open for ChildProcess.OUTPUT_GRACE past the lifeline's exit
        Duration wait = longest.plus(ProcessStopper.KILL_MARGIN).plus(ChildProcess.OUTPUT_GRACE).plusSeconds(2);
        try {
            CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)).get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.log(Level.WARNING, "app processes still running {0} after stop: killing them", wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.log(Level.WARNING, "waiting for app processes failed: {0}", e.getMessage());
        }
        for (Group group : stopping) {
            group.processesSnapshot().forEach(ProcessStopper::kill);
        }
    }

    /** See {@link dev.corral.pool.Corral#closeUpgradedConnections()}. */
    public CompletableFuture<Void> closeTunnels(String why) {
        return CompletableFuture.allOf(groups.stream().map(group -> group.tunnels.closeAll(why))
                .toArray(CompletableFuture[]::new));
    }

    /** maxPoolProcesses is reached and {@code needy} has waiting requests: stop the LRU idle process of another app. */
    private void evictFor(Group needy) {
        if (groups.stream().anyMatch(group -> group.processes.evictionUnderway())) {
            return;   // a slot is on its way: one eviction per slot, however often the needy app asks
        }
        groups.stream().filter(group -> group != needy)
                .sorted(Comparator.comparingLong(group -> group.processes.idleSinceNanos()))
                .filter(group -> group.processes.idleSinceNanos() != Long.MAX_VALUE)
                .anyMatch(group -> group.processes.evictIdleFor(needy));
    }

    /**
     * The one probe for queued clients that left, every {@link #CLIENT_PROBE_INTERVAL} while
     * requests are queued, or less often when reading the kernel's tables is expensive (their
     * size grows with every socket on the host, TIME_WAIT included): the probe never takes more
     * than a tenth of a thread.
     */
    private void probeQueuedClients() {
        long began = engine.now();
        try {
            if (groups.stream().anyMatch(Group::hasQueued)) {
                Set<ClientProbe.Connection> gone = ClientProbe.available() ? ClientProbe.closedByClient() : Set.of();
                groups.stream().filter(Group::hasQueued).forEach(group -> group.probeQueued(gone));
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "probing client connections failed: {0}", e.toString());
        } finally {
            if (!closed) {
                long next = Math.max(CLIENT_PROBE_INTERVAL.toNanos(), 10 * (engine.now() - began));
                engine.services.scheduler().schedule(this::probeQueuedClients, next);
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
        AgentResponder responder = agent;
        if (responder != null) {
            responder.close();   // first: the balancer's next check fails, and it stops sending here
        }
        List<Group> stopping = new ArrayList<>(groups);
        List<CompletableFuture<Void>> exits = new ArrayList<>();
        for (Group group : stopping) {
            exits.add(group.shutdown());
        }
        removing.forEach((group, exit) -> {
            stopping.add(group);
            exits.add(exit);
        });
        awaitExits(stopping, exits);
        engine.management.close();
        engine.services.shutdown().run();
        engine.runDir.delete();
        RequestLog.flush();
        LOG.log(Level.INFO, "Corral stopped");
    }
}
