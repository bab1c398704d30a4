package dev.corral.bench.jmh;

import dev.corral.bench.BenchExchange;
import dev.corral.bench.TargetedCorral;

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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The engine's request path through its public API: {@code App.dispatch} of an in-memory
 * {@code GET /hello} to an app whose processes are an {@link dev.corral.bench.InProcessTarget}
 * answering over Unix sockets inside this JVM, until the exchange is ended. One operation is one
 * request: acquire a slot (or queue), forward, relay the response, release (and hand the slot to
 * the oldest waiter).
 *
 * <ul>
 *   <li>{@code oneClient}: one dispatching thread; the slot is always free (acquire/release
 *       without contention). With {@code processes=4} routing picks among four idle ones.</li>
 *   <li>{@code fourClients}: four dispatching threads. With {@code processes=1} three requests
 *       always wait: every release hands the slot to the oldest waiter, which an engine thread
 *       forwards (the queue hand-off). With {@code processes=4} the lock is contended but
 *       requests rarely queue.</li>
 * </ul>
 *
 * <p>Why through {@code dispatch} and not {@code Group}'s acquire/release directly: those are
 * private to the engine ({@code Group.acquireLocked}, {@code startSessionLocked}) and are only
 * reached through {@code dispatch}, which forwards at once; reaching them alone would need a test
 * seam in production code, which STYLE.md rules out. The I/O to the target is therefore part of
 * every operation (a few microseconds over a Unix socket); the lock, routing and queue code are
 * measured as they run. {@code WaitQueueBenchmark} measures the queue's data structure alone.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DispatchBenchmark {

    @Param({"1", "4"})
    public int processes;

    private TargetedCorral engine;

    @Setup(Level.Trial)
    public void start() throws Exception {
        java.util.logging.Logger.getLogger("dev.corral").setLevel(java.util.logging.Level.WARNING);
        engine = TargetedCorral.start(processes, 1000);
    }

    @TearDown(Level.Trial)
    public void stop() {
        engine.close();
    }

    @Benchmark
    @Threads(1)
    public int oneClient() throws InterruptedException {
        return request();
    }

    @Benchmark
    @Threads(4)
    public int fourClients() throws InterruptedException {
        return request();
    }

    private int request() throws InterruptedException {
        BenchExchange exchange = new BenchExchange("/hello");
        engine.app.dispatch(exchange);
        if (!exchange.await(10, TimeUnit.SECONDS) || exchange.status() != 200) {
            throw new IllegalStateException("request failed: status " + exchange.status() + ", " + exchange.failure()
                    + "; " + engine.app.status());
        }
        return exchange.status();
    }
}
