package dev.corral.pool.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * One state change of a {@link Group}, made while holding its lock (Passenger's post-lock
 * actions): what the change decides beyond its own state (answering clients, starting or
 * signalling processes, forwarding requests, logging) is collected here and runs once the lock
 * is released. Closing it checks the group's invariants, publishes its lock-free hints,
 * unlocks, then runs the actions in order.
 *
 * <pre>{@code
 * try (Change change = group.change()) {
 *     ...                                  // state only; change.after(...) for the rest
 * }                                        // invariants, unlock, actions
 * }</pre>
 *
 * <p>Confined to the thread that made it; {@link #now} is read once, under the lock.
 */
final class Change implements AutoCloseable {
    private final Group group;
    /** The engine's clock when the lock was taken. */
    final long now;
    private List<Runnable> after;

    Change(Group group, long now) {
        this.group = group;
        this.now = now;
    }

    /** Runs {@code action} after the lock is released. */
    void after(Runnable action) {
        if (after == null) {
            after = new ArrayList<>(2);
        }
        after.add(action);
    }

    /** Has an engine thread forward {@code session} (and whatever its freed slot takes next) once unlocked. */
    void forward(Session session) {
        after(() -> group.engine.services.forwardExecutor().execute(() -> group.sessions.runOnEngineThread(session)));
    }

    @Override
    public void close() {
        group.finish(this);
    }

    /**
     * Runs what was decided, each action on its own: one that throws (a container refusing a
     * late listener, say) must not skip the others, least of all a spawn, whose starting count
     * would otherwise never come down and the app never spawn again.
     */
    void runActions() {
        if (after == null) {
            return;
        }
        for (Runnable action : after) {
            try {
                action.run();
            } catch (RuntimeException e) {
                System.getLogger("dev.corral.pool").log(System.Logger.Level.ERROR,
                        "an action after a state change failed; the others ran", e);
            }
        }
    }
}
