package dev.corral.pool.internal;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bound on one blocking wait on an app socket (a connect, the wait for the first byte of an
 * answer) that costs no thread: the engine's {@link Scheduler} closes the socket when the time is
 * up, which wakes the thread blocked on it with an exception, and the thread then asks
 * {@link #expired()} whether that was the deadline. Either the waiter reports that its wait is
 * over ({@link #finish()}) or the timer closes the socket, never both: a timer that fires just as
 * the wait ends leaves the socket open when {@code finish} came first, and {@code finish} returns
 * false when the timer came first (the socket is closed then, and the wait counts as timed out).
 *
 * <p>Thread-safety: one waiting thread and the timer thread; the state is one atomic.
 */
final class IoDeadline {
    private static final int WAITING = 0;
    private static final int FINISHED = 1;
    private static final int EXPIRED = 2;

    private final AtomicInteger state = new AtomicInteger(WAITING);
    private final Closeable socket;
    private final Scheduler.Cancellable timer;

    private IoDeadline(Scheduler scheduler, long nanos, Closeable socket) {
        this.socket = socket;
        this.timer = scheduler.schedule(this::expire, nanos);
    }

    /** Starts the clock: {@code socket} is closed {@code nanos} from now unless {@link #finish()} came first. */
    static IoDeadline arm(Scheduler scheduler, long nanos, Closeable socket) {
        return new IoDeadline(scheduler, nanos, socket);
    }

    /** The wait is over (the connect returned, a byte came): true, unless the deadline came first. */
    boolean finish() {
        if (state.compareAndSet(WAITING, FINISHED)) {
            timer.cancel();
            return true;
        }
        return state.get() == FINISHED;
    }

    /** Whether the deadline passed before the wait ended (the socket was closed then). */
    boolean expired() {
        return state.get() == EXPIRED;
    }

    private void expire() {
        if (state.compareAndSet(WAITING, EXPIRED)) {
            try {
                // closing a channel does not wait for the thread blocked on it: the JDK signals
                // that thread, whose connect or read then fails with AsynchronousCloseException
                socket.close();
            } catch (IOException ignored) {
                // the socket is gone either way
            }
        }
    }
}
