package dev.corral.pool.internal;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The states of an {@link AppProcess}, in two independent dimensions (Passenger's
 * {@code LifeStatus} and {@code EnabledStatus}), and the tables of their legal moves. A move
 * that is not in its table throws {@link IllegalTransition}, naming the process, the old and the
 * new state: an engine bug shows itself where it happens, not as a process that serves on after
 * its exit.
 *
 * <p>The diagram of these moves, with what makes each happen, is in {@code docs/ARCHITECTURE.md}
 * (Process states), and only there: {@code ProcessLifecycleTest} checks that it draws exactly
 * the moves of these tables, and that the list of moves beside it is theirs.
 *
 * <p>Stateless; the tables are immutable.
 */
final class ProcessLifecycle {

    /** The OS process's life, as Corral sees it. */
    enum Life {
        /** Spawned, not yet listening (or not yet passed {@code healthRise} checks). */
        STARTING,
        /** Listening; whether it takes requests is its {@link Routing}. */
        RUNNING,
        /** Asked to stop (SIGTERM; SIGKILL past {@code shutdownTimeout}). */
        STOPPING,
        /** Exited and reaped. */
        DEAD
    }

    /** Whether a running process takes requests, and if not, why. */
    enum Routing {
        /** Not routable yet (starting). */
        NONE,
        /** Takes new requests and queued ones. */
        ENABLED,
        /** Takes requests until its replacement is ready, then drains (recycling at {@code minProcesses}). */
        RETIRING,
        /** Takes no request; stops once its in-flight requests are done. */
        DRAINING,
        /** Marked down by health checks or {@code errorLimit}: drains like DRAINING, checked at {@code healthDownInterval}. */
        DOWN
    }

    private static final Map<Life, Set<Life>> LIFE = new EnumMap<>(Life.class);
    private static final Map<Routing, Set<Routing>> ROUTING = new EnumMap<>(Routing.class);

    static {
        LIFE.put(Life.STARTING, EnumSet.of(Life.RUNNING, Life.STOPPING, Life.DEAD));
        LIFE.put(Life.RUNNING, EnumSet.of(Life.STOPPING, Life.DEAD));
        LIFE.put(Life.STOPPING, EnumSet.of(Life.DEAD));
        LIFE.put(Life.DEAD, EnumSet.noneOf(Life.class));
        ROUTING.put(Routing.NONE, EnumSet.of(Routing.ENABLED));
        ROUTING.put(Routing.ENABLED, EnumSet.of(Routing.RETIRING, Routing.DRAINING, Routing.DOWN));
        ROUTING.put(Routing.RETIRING, EnumSet.of(Routing.DRAINING, Routing.DOWN));
        ROUTING.put(Routing.DRAINING, EnumSet.noneOf(Routing.class));
        ROUTING.put(Routing.DOWN, EnumSet.noneOf(Routing.class));
    }

    private ProcessLifecycle() {
    }

    static boolean legal(Life from, Life to) {
        return LIFE.get(from).contains(to);
    }

    static boolean legal(Routing from, Routing to) {
        return ROUTING.get(from).contains(to);
    }

    /** Every legal move, one per line as {@code Life: FROM -> TO} or {@code Routing: FROM -> TO}, in declaration order. */
    static List<String> moves() {
        List<String> moves = new ArrayList<>();
        LIFE.forEach((from, tos) -> tos.forEach(to -> moves.add("Life: " + from + " -> " + to)));
        ROUTING.forEach((from, tos) -> tos.forEach(to -> moves.add("Routing: " + from + " -> " + to)));
        return moves;
    }

    /** A state change the tables do not allow: an engine bug. */
    static final class IllegalTransition extends IllegalStateException {
        IllegalTransition(Object process, Enum<?> from, Enum<?> to) {
            super("illegal state transition of " + process + ": " + from.getDeclaringClass().getSimpleName() + " "
                    + from + " -> " + to);
        }
    }
}
