package dev.corral.pool.internal;

import dev.corral.event.CorralEvent;
import dev.corral.event.CorralEvents;

import java.lang.System.Logger.Level;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The one channel from every engine of this class loader to the listeners of
 * {@link CorralEvents}: {@link #publish} only offers the event to each subscription's bounded
 * queue (never blocks, never calls out, so the engine may publish from anywhere, though it does
 * after unlocking), and each subscription's own thread calls its listener.
 *
 * <p>Lifetime: static, for the class loader's life; a subscription lives until closed. Thread-safe.
 */
public final class EventBus {
    private static final System.Logger LOG = System.getLogger("dev.corral.events");
    /** How long close() waits for a listener that is busy with an event. */
    private static final long CLOSE_WAIT_MILLIS = 5_000;
    private static final CopyOnWriteArrayList<Subscription> SUBSCRIPTIONS = new CopyOnWriteArrayList<>();

    private EventBus() {
    }

    /** See {@link CorralEvents#subscribe}. */
    public static CorralEvents.Subscription subscribe(String name, Consumer<? super CorralEvent> listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        Subscription subscription = new Subscription(String.valueOf(name), listener);
        SUBSCRIPTIONS.add(subscription);
        subscription.thread.start();
        return subscription;
    }

    /** Hands {@code event} to every subscription's queue (drops it for a full one). Never blocks. */
    static void publish(CorralEvent event) {
        for (Subscription subscription : SUBSCRIPTIONS) {
            subscription.offer(event);
        }
    }

    /** Whether anyone listens (so that the engine can skip building events nobody reads). */
    static boolean listened() {
        return !SUBSCRIPTIONS.isEmpty();
    }

    private static final class Subscription implements CorralEvents.Subscription, Runnable {
        private final String name;
        private final Consumer<? super CorralEvent> listener;
        private final BlockingQueue<CorralEvent> queue = new ArrayBlockingQueue<>(CorralEvents.QUEUE_CAPACITY);
        private final Thread thread;
        private final LongAdder delivered = new LongAdder();
        private final LongAdder dropped = new LongAdder();
        private final LongAdder failed = new LongAdder();
        private volatile boolean closed;

        Subscription(String name, Consumer<? super CorralEvent> listener) {
            this.name = name;
            this.listener = listener;
            this.thread = new Thread(this, "corral-events-" + name);
            thread.setDaemon(true);
            // not the subscriber's loader (a webapp's, say): the thread must not pin it
            thread.setContextClassLoader(EventBus.class.getClassLoader());
        }

        void offer(CorralEvent event) {
            if (closed) {
                return;
            }
            if (!queue.offer(event)) {
                dropped.increment();
                long sum = dropped.sum();
                if (sum == 1 || sum % 1000 == 0) {
                    LOG.log(Level.WARNING, "events listener [{0}] is too slow: {1} events dropped so far"
                            + " (its queue holds {2})", name, sum, CorralEvents.QUEUE_CAPACITY);
                }
            }
        }

        @Override
        public void run() {
            while (!closed) {
                CorralEvent event;
                try {
                    event = queue.poll(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    continue;   // closed, or a spurious interrupt: the loop checks
                }
                if (event == null || closed) {
                    continue;
                }
                try {
                    listener.accept(event);
                } catch (Throwable t) {   // a listener's failure, whatever it is, must not end the deliveries
                    failed.increment();
                    long sum = failed.sum();
                    if (sum <= 10 || sum % 1000 == 0) {
                        LOG.log(Level.WARNING, "events listener [" + name + "] failed on " + event
                                + " (" + sum + " failures so far); it gets the next event", t);
                    }
                } finally {
                    delivered.increment();
                }
            }
        }

        @Override
        public long delivered() {
            return delivered.sum();
        }

        @Override
        public long dropped() {
            return dropped.sum();
        }

        @Override
        public long failed() {
            return failed.sum();
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            SUBSCRIPTIONS.remove(this);
            queue.clear();
            thread.interrupt();
            if (Thread.currentThread() != thread) {
                try {
                    thread.join(CLOSE_WAIT_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public String toString() {
            return "events subscription [" + name + "]";
        }
    }
}
