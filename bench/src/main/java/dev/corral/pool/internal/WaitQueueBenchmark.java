package dev.corral.pool.internal;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The app queue's data structure alone ({@link WaitQueue}, package-private, hence this class's
 * package; the bench jar shares it on the class path, no module system is involved): the
 * operations the group lock covers when a request queues and a freed slot takes the oldest one,
 * or a queued client leaves. {@code depth} requests wait already.
 *
 * <ul>
 *   <li>{@code handOff}: the head leaves and a request joins the tail (a released slot and a
 *       queued request, in steady state).</li>
 *   <li>{@code clientGone}: a request joins the tail and is removed again by its node (its
 *       client closed the connection while queued).</li>
 * </ul>
 *
 * <p>Each {@code add} allocates its node, and {@code handOff} its waiter and request info, as in
 * the engine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class WaitQueueBenchmark {

    @Param({"10", "10000"})
    public int depth;

    private WaitQueue queue;
    /** The arrival time of the next request: later than every queued one, so it joins the tail. */
    private long clock;
    /** A waiter that is not queued, for {@code clientGone}. */
    private Waiter spare;

    @Setup(Level.Trial)
    public void fill() {
        queue = new WaitQueue();
        for (int i = 0; i < depth; i++) {
            queue.add(new Waiter(new RequestInfo(null, "r" + i, i), i));
        }
        clock = depth;
        spare = new Waiter(new RequestInfo(null, "spare", Long.MAX_VALUE / 2), Long.MAX_VALUE / 2);
    }

    /** The oldest waiter leaves (a freed slot takes it) and a waiter joins the tail (a new request queues). */
    @Benchmark
    public Waiter handOff() {
        queue.pollFirst();
        long arrived = ++clock;
        Waiter newest = new Waiter(new RequestInfo(null, "r", arrived), arrived);
        queue.add(newest);
        return newest;
    }

    /** A request queues and its client leaves: it is unlinked by its node. */
    @Benchmark
    public boolean clientGone() {
        queue.add(spare);
        return queue.remove(spare);
    }
}
