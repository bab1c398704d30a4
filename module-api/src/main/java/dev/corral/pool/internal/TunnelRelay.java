package dev.corral.pool.internal;

import dev.corral.config.Durations;
import dev.corral.pool.HttpHeader;
import dev.corral.pool.Tunnel;
import dev.corral.pool.TunnelClient;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One upgraded connection: relays raw bytes between its client (the container's connection,
 * through a {@link TunnelClient}) and its process (the {@link AppConnection} the 101 came on)
 * until either side closes, as one session of the process ({@link Tunnels}).
 *
 * <p>Lifetime: created when the app's 101 arrives; OPENING until the container has switched
 * the client's connection ({@link #opened}, within {@link #OPEN_TIMEOUT_NANOS}), then OPEN,
 * CLOSING once one side has ended or Corral closes it ({@link #goAway}), ENDED when both are
 * closed and the session has ended, exactly once.
 *
 * <p>Closing: when the app's side ends, the client has {@link #CLOSE_GRACE_NANOS} to close
 * too (a WebSocket client answers a close frame, then closes), reading what it still sends, so
 * that the client reads the last bytes before the connection closes. When Corral closes a
 * WebSocket ({@code upgradeIdleTimeout}, its process retiring), the app gets a close frame 1001
 * between two of the client's frames, its side is closed, and the client gets a close frame 1001
 * after the app's last whole frame; the {@link WebSocketFrames.Tracker}s say where frames end.
 * A side in the middle of a frame just has its connection closed.
 *
 * <p>Threads: what the client sends comes on the container's reading thread
 * ({@link #fromClient}), which writes it to the app, blocking: the app's back-pressure reaches
 * the client, as with request bodies. What the app sends is relayed by one thread of the
 * engine's forward pool (the pump) for the tunnel's life; closing the app's side wakes it.
 * Timers run on the engine's scheduler and hand blocking work to the blocking executor.
 * {@code state}, {@code timer} and {@code client} are guarded by this object's monitor (never
 * held during I/O); writes to the app and {@code toApp} by {@code appLock}; {@code toClient}
 * is the pump's.
 */
final class TunnelRelay implements Tunnel {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");
    /** How long a container may take to switch the connection after the 101 was handed to it. */
    static final long OPEN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How long the client has to close its side once the app's side has ended. */
    static final long CLOSE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private enum State { OPENING, OPEN, CLOSING, ENDED }

    final Session session;
    private final Tunnels tunnels;
    private final Group group;
    private final AppConnection app;
    private final int status;
    private final boolean webSocket;
    private final long openedNanos;

    private final ReentrantLock appLock = new ReentrantLock();
    /** The client's frames on their way to the app (guarded by appLock). */
    private final WebSocketFrames.Tracker toApp = new WebSocketFrames.Tracker();
    /**
     * Some of the client's bytes never reached the app (going away cut them off), so no frame of
     * Corral's may follow them (guarded by appLock).
     */
    private boolean appCut;
    /** The app's frames on their way to the client (the pump's). */
    private final WebSocketFrames.Tracker toClient = new WebSocketFrames.Tracker();
    /** When a byte last passed either way (the engine's clock). */
    private volatile long lastActivityNanos;
    /** Corral closes the tunnel: the sides get close frames 1001. */
    private volatile boolean goingAway;
    /** Completes once the tunnel has ended and its session with it. */
    final CompletableFuture<Void> ended = new CompletableFuture<>();

    // Guarded by this.
    private State state = State.OPENING;
    private TunnelClient client;
    private Scheduler.Cancellable timer;
    private String goingAwayBecause;

    TunnelRelay(Tunnels tunnels, Session session, AppConnection app, int status, boolean webSocket) {
        this.tunnels = tunnels;
        this.group = tunnels.group;
        this.session = session;
        this.app = app;
        this.status = status;
        this.webSocket = webSocket;
        this.openedNanos = group.engine.now();
        this.lastActivityNanos = openedNanos;
    }

    /** Hands the 101 to the container, which switches the connection and calls back. */
    void start(List<HttpHeader> headers) {
        synchronized (this) {
            rearmLocked(() -> end("the container did not switch the connection within "
                    + TimeUnit.NANOSECONDS.toSeconds(OPEN_TIMEOUT_NANOS) + " s"), OPEN_TIMEOUT_NANOS);
        }
        try {
            session.request.exchange.upgrade(status, headers, this);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "switching " + session.request.describe() + " to the app's protocol failed", e);
            end("switching the connection failed: " + e);
        }
    }

    // ------------------------------------------------------------------ the adapter's calls

    @Override
    public void opened(TunnelClient opened) {
        boolean relay;
        boolean goAway = false;
        synchronized (this) {
            relay = state == State.OPENING;
            if (relay) {
                client = opened;
                state = State.OPEN;
                armIdleCheckLocked(group.config.upgradeIdleTimeout().toNanos());
                if (goingAway) {
                    // Corral began to close it while the container switched it
                    goAway = true;
                    closingLocked();
                }
            }
        }
        if (!relay) {
            opened.close();   // ended before the switch (it took too long): nothing to relay
            return;
        }
        lastActivityNanos = group.engine.now();
        group.engine.services.forwardExecutor().execute(this::pump);
        if (goAway) {
            group.engine.services.blockingExecutor().execute(this::closeBothSides);
        }
    }

    @Override
    public void fromClient(ByteBuffer bytes) {
        State now;
        synchronized (this) {
            now = state;
        }
        if (now == State.OPEN && !goingAway) {
            appLock.lock();
            try {
                toApp.track(bytes);
                // going away may have begun meanwhile: nothing may follow the app's close frame
                while (!goingAway && bytes.hasRemaining()) {
                    app.channel.write(bytes);
                }
                appCut |= bytes.hasRemaining();
                lastActivityNanos = group.engine.now();
            } catch (IOException e) {
                // the app's side failed or was closed: the pump sees it and ends the tunnel
                LOG.log(Level.DEBUG, "writing to {0} for {1} failed: {2}", session.process, session.request.describe(),
                        e.toString());
                app.close();
            } finally {
                appLock.unlock();
            }
        } else if (now == State.CLOSING || goingAway) {
            // the app's side has ended: what the client still sends is read (and dropped) until its close frame
            appLock.lock();
            try {
                toApp.track(bytes);
            } finally {
                appLock.unlock();
            }
            if (webSocket && toApp.closeSeen()) {
                end(null);
            }
        }
        bytes.position(bytes.limit());
    }

    @Override
    public void clientClosed(Throwable cause) {
        end(cause == null ? null : "the client connection failed: " + cause);
    }

    // ------------------------------------------------------------------ app to client

    /** The pump: relays what the app sends to the client until the app's side ends, then lets the client close. */
    private void pump() {
        Thread thread = Thread.currentThread();
        String name = thread.getName();
        thread.setName("corral-tunnel " + session.request.describe() + " on " + session.process);
        String clientFailure = null;
        try {
            ByteBuffer buffer = app.in;   // holds the app's first bytes after its 101, in read mode
            while (true) {
                if (buffer.hasRemaining()) {
                    toClient.track(buffer);
                    clientFailure = writeToClient(buffer);
                    if (clientFailure != null) {
                        break;
                    }
                    lastActivityNanos = group.engine.now();
                }
                buffer.clear();
                int n;
                try {
                    n = app.channel.read(buffer);
                } finally {
                    buffer.flip();
                }
                if (n < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            // the app's side failed, or Corral closed it (going away, or the tunnel ended)
            LOG.log(Level.DEBUG, "reading from {0} for {1} ended: {2}", session.process, session.request.describe(),
                    e.toString());
        } finally {
            thread.setName(name);
        }
        if (clientFailure != null) {
            end(clientFailure);
        } else {
            appSideEnded();
        }
    }

    /** Writes to the client; the failure, or null. */
    private String writeToClient(ByteBuffer bytes) {
        TunnelClient to;
        synchronized (this) {
            to = client;
        }
        try {
            to.write(bytes);
            return null;
        } catch (IOException | RuntimeException e) {
            return "writing to the client failed: " + e.getMessage();
        }
    }

    /**
     * The app's side has ended (the app closed it, or Corral did to go away): a WebSocket that
     * Corral closes gets its close frame after the app's last whole frame; then the client has
     * {@link #CLOSE_GRACE_NANOS} to close.
     */
    private void appSideEnded() {
        if (goingAway && webSocket && toClient.atBoundary() && !ended()) {
            String failure = writeToClient(WebSocketFrames.close(WebSocketFrames.GOING_AWAY,
                    WebSocketFrames.GOING_AWAY_REASON, false, 0));
            if (failure != null) {
                end(failure);
                return;
            }
        }
        synchronized (this) {
            if (state != State.OPEN) {
                return;   // ended already, or closing on a timer of its own (going away)
            }
            closingLocked();
        }
    }

    private synchronized boolean ended() {
        return state == State.ENDED;
    }

    // ------------------------------------------------------------------ closing

    /**
     * Corral closes the tunnel ({@code upgradeIdleTimeout}, its process retiring): see the class
     * comment. Does not block; the sides close within {@link #CLOSE_GRACE_NANOS}.
     */
    void goAway(String why) {
        synchronized (this) {
            if (state == State.ENDED || goingAway) {
                return;
            }
            goingAway = true;
            goingAwayBecause = why;
            if (state == State.OPENING) {
                return;   // opened() goes on from here
            }
            closingLocked();
        }
        group.engine.services.blockingExecutor().execute(this::closeBothSides);
    }

    /** Both sides are to close within {@link #CLOSE_GRACE_NANOS}, whatever they do. */
    private void closingLocked() {
        assert Thread.holdsLock(this);
        state = State.CLOSING;
        rearmLocked(() -> end(null), CLOSE_GRACE_NANOS);
    }

    /** Going away, off the timer thread: the app hears 1001 between two of the client's frames; its side closes, which wakes the pump. */
    private void closeBothSides() {
        if (webSocket) {
            boolean locked = false;
            try {
                locked = appLock.tryLock(100, TimeUnit.MILLISECONDS);
                if (locked && !appCut && toApp.atBoundary()) {
                    ByteBuffer frame = WebSocketFrames.close(WebSocketFrames.GOING_AWAY, WebSocketFrames.GOING_AWAY_REASON,
                            true, group.engine.services.random().nextInt());
                    while (frame.hasRemaining()) {
                        app.channel.write(frame);
                    }
                }
            } catch (IOException e) {
                // the app's side is gone already
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (locked) {
                    appLock.unlock();
                }
            }
        }
        app.close();
    }

    /** Ends the tunnel once: both sides closed, the session ended ({@code failure} null: as it should). */
    private void end(String failure) {
        TunnelClient closing;
        boolean opened;
        String because;
        synchronized (this) {
            if (state == State.ENDED) {
                return;
            }
            opened = state != State.OPENING;
            state = State.ENDED;
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            closing = client;
            because = goingAwayBecause;
        }
        app.close();
        if (closing != null) {
            closing.close();
        }
        long lived = group.engine.now() - openedNanos;
        LOG.log(Level.DEBUG, "upgraded connection {0} on {1} closed after {2} ms{3}", session.request.describe(),
                session.process, Long.toString(lived / 1_000_000), failure != null ? ": " + failure
                        : because != null ? ": Corral closed it, " + because : "");
        try {
            tunnels.ended(this, opened ? new Outcome.Served(status, false, () -> null)
                    : new Outcome.ClientGone(true, "the connection did not switch to the app's protocol: "
                            + (failure == null ? "the client closed it" : failure)));
        } finally {
            ended.complete(null);
        }
    }

    // ------------------------------------------------------------------ timers

    /** upgradeIdleTimeout: checked when it could have passed, then again from the last byte (0 = never). */
    private void armIdleCheckLocked(long delayNanos) {
        assert Thread.holdsLock(this);
        long limit = group.config.upgradeIdleTimeout().toNanos();
        if (limit == 0) {
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            return;
        }
        rearmLocked(this::checkIdle, delayNanos);
    }

    private void checkIdle() {
        long limit = group.config.upgradeIdleTimeout().toNanos();
        long idle = group.engine.now() - lastActivityNanos;
        synchronized (this) {
            if (state != State.OPEN || goingAway) {
                return;
            }
            if (limit > 0 && idle < limit) {
                armIdleCheckLocked(limit - idle);
                return;
            }
        }
        LOG.log(Level.INFO, "closing upgraded connection {0} on {1}: no byte either way for upgradeIdleTimeout={2}",
                session.request.describe(), session.process, Durations.format(group.config.upgradeIdleTimeout()));
        goAway("idle for upgradeIdleTimeout=" + Durations.format(group.config.upgradeIdleTimeout()));
    }

    private void rearmLocked(Runnable task, long delayNanos) {
        assert Thread.holdsLock(this);
        if (timer != null) {
            timer.cancel();
        }
        timer = group.engine.services.scheduler().schedule(task, delayNanos);
    }

    @Override
    public String toString() {
        return "tunnel " + session.request.describe() + " on " + session.process;
    }
}
