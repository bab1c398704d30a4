package dev.corral.event;

import dev.corral.pool.internal.EventBus;

import java.util.function.Consumer;

/**
 * Where Java code listens to the engine: every {@link CorralEvent} of every Corral engine loaded
 * by this class loader (the container's, so all webapps share it), now and of engines started
 * later.
 *
 * <pre>{@code
 * try (CorralEvents.Subscription events = CorralEvents.subscribe("dashboard", event -> {
 *     if (event instanceof ProcessExited exited && exited.crashed()) {
 *         alert(exited.app() + " lost pid " + exited.pid() + ": " + exited.interrupted());
 *     }
 * })) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Delivery: each subscription has its own thread and a queue of {@link #QUEUE_CAPACITY}
 * events. The engine only puts events in that queue, never waits and never calls a listener
 * while it holds a lock; so a slow listener delays only its own events, and when its queue is
 * full further events for it are dropped (and counted in {@link Subscription#dropped()}) rather
 * than stalling the engine. A listener that throws is logged and gets the next event.
 */
public final class CorralEvents {
    /** Events one subscription may have waiting before further ones are dropped. */
    public static final int QUEUE_CAPACITY = 4096;

    private CorralEvents() {
    }

    /**
     * Starts delivering events to {@code listener}, on a thread of its own named
     * {@code corral-events-<name>}, until the subscription is closed.
     *
     * @param name names the subscriber in thread names and log lines (a webapp's context path, say)
     */
    public static Subscription subscribe(String name, Consumer<? super CorralEvent> listener) {
        return EventBus.subscribe(name, listener);
    }

    /** One listener's subscription: close it to stop its deliveries and its thread. */
    public interface Subscription extends AutoCloseable {

        /** Events handed to the listener (whether it returned normally or threw). */
        long delivered();

        /** Events dropped because the listener's queue was full. */
        long dropped();

        /** Events whose listener threw. */
        long failed();

        /**
         * Stops deliveries: events still queued are dropped, and once this returns no event is
         * being delivered (unless called by the listener itself, which may finish its event).
         */
        @Override
        void close();
    }
}
