package dev.corral.pool.internal;

import dev.corral.pool.internal.ProcessLifecycle.Life;
import dev.corral.pool.internal.ProcessLifecycle.Routing;

import dev.corral.config.Durations;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One spawned OS process of an app, listening on its own socket. Its state has two dimensions,
 * {@link Life} and {@link Routing}, which change only through {@link #moveTo} and
 * {@link #routeTo} along the moves {@link ProcessLifecycle} allows; it takes requests exactly
 * when it is RUNNING and ENABLED or RETIRING.
 *
 * <p>Lifetime: created by its {@link Group} when a spawn starts, outlives every {@link Session}
 * on it, removed from the group when its OS process has exited and been reaped.
 *
 * <p>Thread-safety: fields under "guarded by the group lock" are read and written only while
 * holding the group's lock; the idle connections and the cut-short list have their own
 * monitors; the rest is final, or set once by the launcher before the process is ready.
 */
final class AppProcess {
    final Group group;
    /** Its number in the engine, in spawn order: names its socket file. */
    final int seq;
    /**
     * Its number in its app, in spawn order from 1 ({@code CORRAL_PROCESS_NUMBER}): the app's
     * fault seed plus this number seeds its faults, whatever the other apps spawn. Set once,
     * under the group lock, before the launch.
     */
    int number;
    /** The app's restart generation the process was started in; a rolling restart replaces older ones. */
    final int generation;
    /** The Unix socket the process listens on, or null for {@code listen=tcp}. */
    final Path socket;
    /** The loopback port the process listens on, or 0 for {@code listen=unix}. */
    final int port;
    final long createdNanos;
    /** Its sticky-session route: the value of the cookie that sends a client back to it. */
    final String route;

    /** The OS process, set once by the launcher (before it reports the process started). */
    volatile OsProcess os;

    // Guarded by the group lock.
    /** This process's jittered {@code maxRequests} (0 = off); set again when the setting changes. */
    long maxRequests;
    /** This process's jittered {@code maxMemory} in bytes (0 = off); set again when the setting changes. */
    long maxMemory;
    private Life life = Life.STARTING;
    private Routing routing = Routing.NONE;
    int sessions;
    long processed;
    /** Requests the app answered (its own response, whatever the status). */
    long answered;
    /** An extra health check, asked for by a failed connect or a cut response, has not run yet. */
    boolean quickCheckPending;
    /**
     * Seen exiting (its connection closed as it died) before Corral stopped it: its exit is its
     * own, a crash, even if Corral then retired it and its stop overtook the death.
     */
    boolean diedOnItsOwn;
    long lastUsedNanos;
    long readyNanos;
    /** Why Corral took it out of service (or, while RETIRING, will); null while in service. */
    Retirement retirement;
    /** Health: checks passed in a row while starting, failed in a row while up. */
    int passedChecks;
    int failedChecks;
    /** The last health check: when (-1: none yet), and why it failed (null: it passed). */
    long lastCheckNanos = -1;
    String lastCheckFailure;
    /** Connect errors and 5xx answers in a row (errorLimit). */
    int consecutiveErrors;
    final Set<Session> active = new LinkedHashSet<>();
    /** The timer that closes its tunnels {@code shutdownTimeout} after it left routing, or null ({@link Tunnels}). */
    Scheduler.Cancellable tunnelDeadline;
    /** That time has passed: a tunnel that opens on it now is closed at once. */
    boolean tunnelsClosing;

    // Guarded by itself.
    private final Deque<AppConnection> idle = new ArrayDeque<>();

    // Guarded by itself: requests whose response this process cut short, for its exit line.
    private final Deque<String> cutShort = new ArrayDeque<>();
    static final int CUT_SHORT_KEPT = 5;

    AppProcess(Group group, int seq, int generation, Path socket, int port, long createdNanos, long maxRequests,
               long maxMemory, String route) {
        this.group = group;
        this.generation = generation;
        this.seq = seq;
        this.socket = socket;
        this.port = port;
        this.createdNanos = createdNanos;
        this.lastUsedNanos = createdNanos;
        this.maxRequests = maxRequests;
        this.maxMemory = maxMemory;
        this.route = route;
    }

    // ------------------------------------------------------------------ state (group lock held)

    Life life() {
        return life;
    }

    Routing routing() {
        return routing;
    }

    /** Moves its life on; throws if the move is not legal. */
    void moveTo(Life next) {
        if (!ProcessLifecycle.legal(life, next)) {
            throw new ProcessLifecycle.IllegalTransition(this, life, next);
        }
        life = next;
    }

    /** Changes its routing; throws if the move is not legal or the process is not running. */
    void routeTo(Routing next) {
        if (!ProcessLifecycle.legal(routing, next) || life != Life.RUNNING) {
            throw new ProcessLifecycle.IllegalTransition(this, routing, next);
        }
        routing = next;
    }

    /** Whether it takes new requests and queued ones. */
    boolean takesRequests() {
        return life == Life.RUNNING && (routing == Routing.ENABLED || routing == Routing.RETIRING);
    }

    /** Taken out of routing (draining or down) but still running: it stops once idle. */
    boolean draining() {
        return life == Life.RUNNING && (routing == Routing.DRAINING || routing == Routing.DOWN);
    }

    /** Free slots, for least-busy routing ({@code concurrency=0} is unlimited). */
    int freeSlots(int concurrency) {
        return concurrency == 0 ? Integer.MAX_VALUE - sessions : concurrency - sessions;
    }

    /** Its spawn failed (the launcher reported why): whatever exit follows belongs to that failure. */
    boolean spawnFailed() {
        return retirement != null && retirement.kind() == Retirement.Kind.SPAWN_FAILED;
    }

    /**
     * Whether its exit is one Corral caused, whatever its status: Corral was stopping it, or
     * killed it for {@code maxRequestTime}. Any other exit is its own, a crash, even if Corral
     * had retired it (it died before Corral stopped it).
     */
    boolean expectsExit() {
        return !diedOnItsOwn
                && (life == Life.STOPPING || (retirement != null && retirement.kind() == Retirement.Kind.TIMED_OUT));
    }

    /** The state operators see: STARTING, READY, DRAINING, DOWN, STOPPING or DEAD. */
    String stateName() {
        if (life != Life.RUNNING) {
            return life.name();
        }
        return switch (routing) {
            case ENABLED, RETIRING -> "READY";
            case DOWN -> "DOWN";
            default -> "DRAINING";
        };
    }

    // ------------------------------------------------------------------ the OS process

    /** The pid operators see: the app's own once known, else the lifeline's (-1 before it exists). */
    long pid() {
        OsProcess process = os;
        return process == null ? -1 : process.appPid();
    }

    /** The process group of the app's tree (the lifeline's pid), -1 before it exists. */
    long pgid() {
        OsProcess process = os;
        return process == null ? -1 : process.pid();
    }

    SocketAddress socketAddress() {
        return socket != null ? UnixDomainSocketAddress.of(socket) : new InetSocketAddress("127.0.0.1", port);
    }

    String address() {
        return socket != null ? socket.toString() : "127.0.0.1:" + port;
    }

    /**
     * Opens a new blocking connection to the process within its app's {@code connectTimeout}: a
     * connect blocks while the process's listen backlog is full (a Unix socket), or while its
     * port drops SYNs (TCP); when the time is up the engine's timer closes the socket, and the
     * connect fails with a {@link SocketTimeoutException} that names the setting.
     */
    SocketChannel connect() throws IOException {
        SocketChannel channel = SocketChannel.open(socket != null ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET);
        Duration timeout = group.config.timeouts().connectTimeout();
        IoDeadline deadline = IoDeadline.arm(group.engine.services.scheduler(), timeout.toNanos(), channel);
        try {
            channel.connect(socketAddress());
            if (!deadline.finish()) {
                throw new java.nio.channels.AsynchronousCloseException();
            }
            if (socket == null) {
                channel.socket().setTcpNoDelay(true);
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            deadline.finish();
            channel.close();
            if (deadline.expired()) {
                throw new SocketTimeoutException("no connection within connectTimeout=" + Durations.format(timeout));
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------ keep-alive connections

    /** An idle keep-alive connection, or null when there is none. */
    AppConnection pollIdle() {
        synchronized (idle) {
            return idle.pollLast();
        }
    }

    /** Keeps a connection for the next request, unless the process is going away. */
    void offerIdle(AppConnection connection, long nowNanos) {
        synchronized (idle) {
            OsProcess process = os;
            if (process != null && process.isAlive()) {
                connection.idleSinceNanos = nowNanos;
                idle.addLast(connection);
                return;
            }
        }
        connection.close();
    }

    void closeIdle() {
        synchronized (idle) {
            idle.forEach(AppConnection::close);
            idle.clear();
        }
    }

    /**
     * Remembers a request this process failed by closing its connection: the process usually
     * exits a moment after the request ended, and its exit line must say what it was serving.
     */
    void noteCutShort(String requestDescription) {
        synchronized (cutShort) {
            if (cutShort.size() == CUT_SHORT_KEPT) {
                cutShort.removeFirst();
            }
            cutShort.addLast(requestDescription);
        }
    }

    /**
     * The requests this process cut short, less those still {@code inFlight}: a request is noted
     * when its connection fails, and its session ends a moment later, so an exit in between
     * finds it in both places; the in-flight entry names it.
     */
    List<String> cutShort(List<Session> inFlight) {
        List<String> out;
        synchronized (cutShort) {
            out = new ArrayList<>(cutShort);
        }
        for (Session session : inFlight) {
            String serving = session.request.describe() + " for ";
            out.removeIf(cut -> cut.startsWith(serving));
        }
        return out;
    }

    @Override
    public String toString() {
        long pid = pid();
        return "process " + (pid >= 0 ? pid : "#" + seq) + " of app " + group.name();
    }
}
