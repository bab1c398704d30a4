package dev.corral.pool.internal;

import dev.corral.pool.ProcessStatus;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One spawned OS process of an app, listening on its own socket.
 *
 * <pre>
 *  STARTING ──ready──► READY ──drain──► DRAINING ──idle──► STOPPING ──exit──► DEAD
 *     │                  │                                                   ▲
 *     └──spawn failed────┴──────────────── exit (crash) ─────────────────────┘
 * </pre>
 *
 * <p>Lifetime: created by its {@link Group} when a spawn starts, outlives every {@link Session}
 * on it, removed from the group when its OS process has exited and been reaped.
 *
 * <p>Thread-safety: fields under "guarded by the group lock" are read and written only while
 * holding {@code group.lock}; the idle connection set has its own monitor; the rest is final or
 * set once before the process becomes visible to other threads.
 */
final class AppProcess {
    enum State { STARTING, READY, DRAINING, STOPPING, DEAD }

    final Group group;
    final int seq;
    /** The app's restart generation the process was started in; a rolling restart replaces older ones. */
    final int generation;
    /** The Unix socket the process listens on, or null for {@code listen=tcp}. */
    final Path socket;
    /** The loopback port the process listens on, or 0 for {@code listen=unix}. */
    final int port;
    final long createdNanos;
    /** This process's jittered {@code maxRequests} (0 = off). */
    final long maxRequests;
    /** This process's jittered {@code maxMemory} in bytes (0 = off). */
    final long maxMemory;

    // Set once by the spawner before the process is READY.
    volatile Process process;
    /** The lifeline's pid, which is also the process group id of the app's whole tree. */
    volatile long pgid = -1;
    /** The app's own pid (the lifeline's child), known once the process is ready. */
    volatile long appPid = -1;
    volatile OutputPump output;

    // Guarded by the group lock.
    State state = State.STARTING;
    int sessions;
    long processed;
    long lastUsedNanos;
    long readyNanos;
    /** Corral decided to stop it (shutdown, failed spawn, recycling): its exit is expected. */
    boolean deliberateStop;
    /**
     * Retired because it cut a response short: if it then exits cleanly (0 or SIGTERM), Corral's
     * stop ended it and the exit is no crash; any other status means it was dying anyway.
     */
    boolean retiredAfterCut;
    /** Recycled by Corral (maxRequests, maxMemory, idleTimeout, a rolling restart): it served until retired. */
    boolean recycled;
    /** Why Corral stopped it, for its exit line; null if it was not stopped by Corral. */
    String stopReason;
    /** Set when it is to be recycled as soon as its replacement is ready (why); it serves until then. */
    String retireReason;
    /** Health, guarded by the group lock: checks passed in a row while starting, failed in a row while up. */
    int passedChecks;
    int failedChecks;
    /** Connect errors and 5xx answers in a row (errorLimit). */
    int consecutiveErrors;
    /** Marked DOWN by a health check or errorLimit: never routed to again. */
    boolean down;
    /** Its maxPoolProcesses slot was given back (exactly once, when it is gone). */
    boolean budgetReturned;
    final Set<Session> active = new LinkedHashSet<>();

    /** Its sticky-session route: the value of the cookie that sends a client back to it. */
    final String route;
    /** Requests that wait for this process alone (sticky sessions); guarded by the group lock. */
    final WaitQueue stickyQueue = new WaitQueue();

    // Guarded by itself.
    private final Deque<AppConnection> idle = new ArrayDeque<>();

    // Guarded by itself: requests whose response this process cut short, for its exit line.
    private final Deque<String> cutShort = new ArrayDeque<>();
    static final int CUT_SHORT_KEPT = 5;

    AppProcess(Group group, int seq, int generation, Path socket, int port, long createdNanos) {
        this.group = group;
        this.generation = generation;
        this.seq = seq;
        this.socket = socket;
        this.port = port;
        this.createdNanos = createdNanos;
        this.lastUsedNanos = createdNanos;
        this.maxRequests = Recycler.jitter(group.config.recycle().maxRequests());
        this.route = Integer.toString(seq, 36) + "."
                + Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 16, 36);
        this.maxMemory = Recycler.jitter(group.config.recycle().maxMemoryBytes());
    }

    /** The pid operators see: the app's own once known, else the lifeline's. */
    long pid() {
        long app = appPid;
        return app >= 0 ? app : pgid;
    }

    SocketAddress socketAddress() {
        return socket != null ? UnixDomainSocketAddress.of(socket) : new InetSocketAddress("127.0.0.1", port);
    }

    String address() {
        return socket != null ? socket.toString() : "127.0.0.1:" + port;
    }

    /** Free slots, for least-busy routing ({@code concurrency=0} is unlimited). Group lock held. */
    int freeSlotsLocked(int concurrency) {
        return concurrency == 0 ? Integer.MAX_VALUE - sessions : concurrency - sessions;
    }

    /** Opens a new blocking connection to the process. */
    SocketChannel connect() throws IOException {
        SocketChannel channel = SocketChannel.open(socket != null ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET);
        try {
            channel.connect(socketAddress());
            if (socket == null) {
                channel.socket().setTcpNoDelay(true);
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** An idle keep-alive connection, or null when there is none. */
    AppConnection pollIdle() {
        synchronized (idle) {
            return idle.pollLast();
        }
    }

    /** Keeps a connection for the next request, unless the process is going away. */
    void offerIdle(AppConnection connection) {
        synchronized (idle) {
            if (pgid >= 0 && process != null && process.isAlive()) {
                connection.idleSinceNanos = System.nanoTime();
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

    java.util.List<String> cutShort() {
        synchronized (cutShort) {
            return new java.util.ArrayList<>(cutShort);
        }
    }

    ProcessStatus statusLocked() {
        return new ProcessStatus(pid(), pgid, state.name(), sessions, processed, address());
    }

    @Override
    public String toString() {
        long pid = pid();
        return "process " + (pid >= 0 ? pid : "#" + seq) + " of app " + group.name();
    }
}
