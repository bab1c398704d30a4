package dev.corral.pool.internal;

import dev.corral.pool.AppStatus;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether this container should get new requests from a load balancer, and how many: the one
 * decision behind both the readiness probe ({@code <statusPath>/ready}) and the HAProxy
 * agent-check answer ({@link AgentResponder}), so that they never disagree.
 *
 * <p>The state, the first that holds:
 * <ol>
 *   <li>{@link State#DOWN}: an app has no ready process while it needs one ({@code minProcesses > 0}
 *       or requests wait): it cannot start, or has not started yet.</li>
 *   <li>{@link State#DRAIN}: the engine is draining ({@code drain()} on the engine's MBean), or
 *       every app asked about is (an app's {@code drain()}, or its {@code tmp/drain.txt}).</li>
 *   <li>{@link State#UP}, with a weight from the spare capacity of the apps that are not draining:
 *       <pre>
 *   slots = the sum of maxProcesses x concurrency   (apps with concurrency=0, unlimited, left out)
 *   free  = the sum of max(0, maxProcesses x concurrency - busy)
 *   room  = the sum of max(0, maxQueue - queued),   queue = the sum of maxQueue
 *   weight% = floor(90 x free / slots + 10 x room / queue)
 *       </pre>
 *       where {@code free / slots} is 1 when no app has a slot limit and {@code room / queue} is
 *       {@code free / slots} when no app has a queue; then at least 1% (a busy container that
 *       still has queue room keeps a trickle), but 0% while an app's queue is full (it answers
 *       503 at once).</li>
 * </ol>
 * Free slots count the processes not spawned yet: up to {@code maxProcesses} they are capacity
 * Corral adds on demand. {@link #reasons} says why the container is not ready, in the words of
 * {@code /ready}; it is empty exactly when {@code /ready} answers 200. Immutable.
 *
 * @param state         up, draining or down
 * @param weightPercent the share of its configured weight the balancer should give it, 0..100 (UP only)
 * @param reasons       why it is not ready; empty when it is
 */
record Availability(State state, int weightPercent, List<String> reasons) {
    /** A reason or app name in the agent's answer is cut to this many characters. */
    static final int MAX_REASON = 200;

    enum State {
        UP, DRAIN, DOWN
    }

    Availability {
        reasons = List.copyOf(reasons);
    }

    /**
     * What the decision needs of one app, from its {@link AppStatus} and settings.
     *
     * @param concurrency requests one process serves at once, 0 = unlimited
     */
    record AppLoad(String name, boolean draining, int ready, int busy, int queued, int minProcesses, int maxProcesses,
                   int concurrency, int maxQueue, String lastError) {

        static AppLoad of(Group group, AppStatus status) {
            return new AppLoad(status.name(), status.draining(), status.ready(), status.busy(), status.queued(),
                    group.config.minProcesses(), group.config.maxProcesses(), group.config.concurrency(),
                    group.config.maxQueue(), status.lastError());
        }

        long slots() {
            return concurrency == 0 ? 0 : (long) maxProcesses * concurrency;
        }

        long freeSlots() {
            return Math.max(0, slots() - busy);
        }

        /** Its queue is full: a new request would get 503 at once (maxQueue=0: no queue, and no free slot). */
        boolean saturated() {
            return queued >= maxQueue && (maxQueue > 0 || (concurrency > 0 && freeSlots() == 0));
        }

        boolean needsProcess() {
            return ready == 0 && (minProcesses > 0 || queued > 0);
        }
    }

    /**
     * Decides for {@code apps}: every app of the engine (the container as a whole) or one app
     * (an agent-check that names it).
     */
    static Availability of(boolean engineDraining, List<AppLoad> apps) {
        List<String> reasons = new ArrayList<>();
        if (engineDraining) {
            reasons.add("the engine is draining");
        }
        boolean down = false;
        boolean saturated = false;
        for (AppLoad app : apps) {
            String name = "app [" + app.name() + "]";
            if (app.draining()) {
                reasons.add(name + " is draining");
            } else if (app.saturated()) {
                saturated = true;
                reasons.add(name + " is saturated (queued=" + app.queued() + ", maxQueue=" + app.maxQueue() + ")");
            } else if (app.needsProcess()) {
                down = true;
                reasons.add(name + " has no ready process" + (app.lastError() == null ? "" : " (last error: " + app.lastError() + ")"));
            }
        }
        if (down) {
            return new Availability(State.DOWN, 0, reasons);
        }
        if (engineDraining || (!apps.isEmpty() && apps.stream().allMatch(AppLoad::draining))) {
            return new Availability(State.DRAIN, 0, reasons);
        }
        return new Availability(State.UP, saturated ? 0 : weight(apps), reasons);
    }

    /** The weight formula of the class comment, over the apps that are not draining. */
    static int weight(List<AppLoad> apps) {
        long slots = 0;
        long free = 0;
        long queue = 0;
        long room = 0;
        for (AppLoad app : apps) {
            if (app.draining()) {
                continue;
            }
            slots += app.slots();
            free += app.freeSlots();
            queue += app.maxQueue();
            room += Math.max(0, app.maxQueue() - app.queued());
        }
        double slotShare = slots == 0 ? 1.0 : (double) free / slots;
        double queueShare = queue == 0 ? slotShare : (double) room / queue;
        int weight = (int) Math.floor(90 * slotShare + 10 * queueShare + 1e-9);
        return Math.max(1, Math.min(100, weight));
    }

    /** Whether {@code /ready} answers 200. */
    boolean ready() {
        return reasons.isEmpty();
    }

    /**
     * The agent-check answer, one line: always a state word and, when up, a weight, because
     * HAProxy keeps what an agent set until the agent says otherwise ({@code up ready 75%},
     * {@code up drain}, {@code down#app [blog] has no ready process ...}).
     */
    String agentLine() {
        return switch (state) {
            case UP -> "up ready " + weightPercent + "%\n";
            case DRAIN -> "up drain\n";
            case DOWN -> "down#" + oneLine(String.join("; ", reasons)) + "\n";
        };
    }

    /** Text safe inside the agent's one line: no line breaks, at most {@link #MAX_REASON} characters. */
    static String oneLine(String text) {
        String flat = text.replaceAll("[\\r\\n\\t]+", " ");
        return flat.length() <= MAX_REASON ? flat : flat.substring(0, MAX_REASON - 3) + "...";
    }
}
