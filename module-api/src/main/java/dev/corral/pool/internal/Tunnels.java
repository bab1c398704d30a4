package dev.corral.pool.internal;

import dev.corral.config.Durations;
import dev.corral.pool.HttpHeader;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An app's upgraded connections (WebSockets and any other protocol an app switches to with a
 * 101): the request's session lives on as a {@link TunnelRelay} between the client and the
 * process until either side closes. So it counts against {@code concurrency} while it lives
 * ({@code concurrency=0} for apps that multiplex them, like Node); {@code maxRequestTime} does
 * not apply to it, {@code upgradeIdleTimeout} does.
 *
 * <p>When its process leaves routing (recycled, restarted, detached, down, evicted, the app
 * stopping), a tunnel gets {@code shutdownTimeout} to end on its own, since a process is stopped
 * only once its sessions are done; then Corral closes the process's tunnels, each WebSocket
 * with a close frame 1001 "going away" to both sides, and logs their count in one line.
 *
 * <p>Thread-safety: methods ending in {@code Locked} need the group lock; the others take it.
 * Under the lock only state changes and timers are set (STYLE.md rule 5): the relays' I/O runs
 * after it.
 */
final class Tunnels {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");

    final Group group;

    Tunnels(Group group) {
        this.group = group;
    }

    /**
     * The app answered {@code session}'s request with a 101: the session becomes a tunnel (on
     * the forwarding thread, which returns at once: the relay has threads of its own).
     */
    void open(Session session, Outcome.Upgraded upgraded) {
        boolean webSocket = "websocket".equalsIgnoreCase(String.valueOf(HttpHeader.first(upgraded.headers(), "Upgrade")).trim());
        TunnelRelay relay = new TunnelRelay(this, session, upgraded.app(), upgraded.status(), webSocket);
        boolean closeNow;
        try (Change change = group.change()) {
            session.tunnel = relay;
            if (session.deadline != null) {
                // not subject to maxRequestTime: a WebSocket may live for hours
                session.deadline.cancel();
                session.deadline = null;
            }
            AppProcess process = session.process;
            // its process left routing while the app answered: the grace its other tunnels got, or none once it has passed
            closeNow = process.tunnelsClosing;
            if (!closeNow && !process.takesRequests()) {
                armRetirementLocked(process);
            }
        }
        relay.start(upgraded.headers());
        if (closeNow) {
            relay.goAway("its process is retiring");
        }
    }

    /**
     * A process left routing: its tunnels, if any, are closed once {@code shutdownTimeout} has
     * passed (their process is stopped only once they are done).
     */
    void leftRoutingLocked(AppProcess process) {
        assert group.holdsLock();
        for (Session session : process.active) {
            if (session.tunnel != null) {
                armRetirementLocked(process);
                return;
            }
        }
    }

    private void armRetirementLocked(AppProcess process) {
        assert group.holdsLock();
        if (process.tunnelDeadline != null || process.tunnelsClosing) {
            return;
        }
        long grace = group.config.shutdownTimeout().toNanos();
        process.tunnelDeadline = group.engine.services.scheduler().schedule(() -> closeRetired(process), grace);
    }

    /** {@code shutdownTimeout} has passed since the process left routing: what is left of its tunnels is closed. */
    private void closeRetired(AppProcess process) {
        List<TunnelRelay> closing = new ArrayList<>();
        Retirement why;
        try (Change change = group.change()) {
            process.tunnelDeadline = null;
            process.tunnelsClosing = true;
            for (Session session : process.active) {
                if (session.tunnel != null) {
                    closing.add(session.tunnel);
                }
            }
            why = process.retirement;
        }
        if (closing.isEmpty()) {
            return;
        }
        LOG.log(Level.INFO, "closing {0} upgraded connection{1} of {2} after shutdownTimeout={3}{4}", Integer.toString(closing.size()),
                closing.size() == 1 ? "" : "s", process, Durations.format(group.config.shutdownTimeout()),
                why == null || why.reason() == null ? "" : " (" + why.reason() + ")");
        for (TunnelRelay relay : closing) {
            relay.goAway("its process is retiring");
        }
    }

    /**
     * Closes every tunnel of the app now ({@code why}: the server is stopping), in one log line
     * with their count.
     *
     * @return completes when they have all ended
     */
    CompletableFuture<Void> closeAll(String why) {
        List<TunnelRelay> closing = group.read(() -> {
            List<TunnelRelay> all = new ArrayList<>();
            for (AppProcess process : group.processes.all) {
                for (Session session : process.active) {
                    if (session.tunnel != null) {
                        all.add(session.tunnel);
                    }
                }
            }
            return all;
        });
        if (closing.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        LOG.log(Level.INFO, "closing {0} upgraded connection{1} of app [{2}]: {3}", Integer.toString(closing.size()),
                closing.size() == 1 ? "" : "s", group.name(), why);
        for (TunnelRelay relay : closing) {
            relay.goAway(why);
        }
        return CompletableFuture.allOf(closing.stream().map(relay -> relay.ended).toArray(CompletableFuture[]::new));
    }

    /** Whether any process of the app holds a tunnel (the engine's close waits a shutdownTimeout longer). */
    boolean anyLocked() {
        assert group.holdsLock();
        for (AppProcess process : group.processes.all) {
            for (Session session : process.active) {
                if (session.tunnel != null) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A tunnel ended: its session ends, and the freed slot's next request goes out on an engine thread. */
    void ended(TunnelRelay relay, Outcome outcome) {
        Session next = group.sessions.end(relay.session, outcome);
        if (next != null) {
            group.engine.services.forwardExecutor().execute(() -> group.sessions.runOnEngineThread(next));
        }
    }
}
