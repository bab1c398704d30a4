package dev.corral.bench;

import dev.corral.pool.AppStatus;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Issue 7's memory target: what N requests queued at once cost the engine, in heap and in
 * threads. Prints one line of JSON and exits 0 if the target holds (N = 10,000: under 50 MB of
 * heap, no extra thread), else 1.
 *
 * <pre>
 * java -cp bench/target/corral-bench-jmh.jar dev.corral.bench.QueueMemoryCheck [--requests 10000]
 * </pre>
 *
 * <p>Method: an app of one process (concurrency 1) served by an {@link InProcessTarget} that
 * holds its first request, so every later request waits in the queue ({@code maxQueue = N}). The
 * N exchanges are created <em>before</em> the baseline, so what is measured is what Corral
 * allocates per queued request (its request record, queue node, waiter, queue-timeout timer
 * and client-gone listener), not the container's request objects. Heap is the used heap after
 * {@code System.gc()} (repeated until it settles), threads the JVM's live thread count. Then the
 * held request is released and every queued request must be served (status 200).
 */
public final class QueueMemoryCheck {
    static final long HEAP_LIMIT_BYTES = 50L * 1024 * 1024;

    private QueueMemoryCheck() {
    }

    public static void main(String[] args) throws Exception {
        int requests = 10_000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--requests")) {
                requests = Integer.parseInt(args[i + 1]);
            } else {
                System.err.println("usage: QueueMemoryCheck [--requests N]");
                System.exit(2);
            }
        }
        Logger.getLogger("dev.corral").setLevel(Level.WARNING);
        boolean pass;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (TargetedCorral engine = TargetedCorral.start(1, requests)) {
            // warm the path once, then occupy the only slot
            BenchExchange first = new BenchExchange("/hello");
            engine.app.dispatch(first);
            first.await(10, TimeUnit.SECONDS);
            engine.target.hold();
            long receivedBefore = engine.target.received();
            BenchExchange busy = new BenchExchange("/hello");
            Thread occupier = new Thread(() -> engine.app.dispatch(busy), "occupier");
            occupier.start();
            while (engine.target.received() == receivedBefore) {
                Thread.sleep(1);
            }
            List<BenchExchange> queued = new ArrayList<>(requests);
            for (int i = 0; i < requests; i++) {
                queued.add(new BenchExchange("/hello"));
            }
            long heapBefore = settledHeap(memory);
            int threadsBefore = threads.getThreadCount();
            long start = System.nanoTime();
            for (BenchExchange exchange : queued) {
                engine.app.dispatch(exchange);
            }
            long dispatchNanos = System.nanoTime() - start;
            AppStatus status = engine.app.status();
            long heapAfter = settledHeap(memory);
            int threadsAfter = threads.getThreadCount();
            long endedEarly = queued.stream().filter(BenchExchange::isDone).count();
            engine.target.releaseHeld();
            int ok = 0;
            for (BenchExchange exchange : queued) {
                if (exchange.await(60, TimeUnit.SECONDS) && exchange.status() == 200) {
                    ok++;
                }
            }
            occupier.join();
            long delta = heapAfter - heapBefore;
            pass = status.queued() == requests && delta < HEAP_LIMIT_BYTES * requests / 10_000
                    && threadsAfter <= threadsBefore && ok == requests && endedEarly == 0;
            System.out.println("{\"requests\":" + requests
                    + ",\"queued\":" + status.queued()
                    + ",\"ended_while_queued\":" + endedEarly
                    + ",\"heap_before_bytes\":" + heapBefore
                    + ",\"heap_after_bytes\":" + heapAfter
                    + ",\"heap_delta_bytes\":" + delta
                    + ",\"bytes_per_request\":" + (delta / requests)
                    + ",\"threads_before\":" + threadsBefore
                    + ",\"threads_after\":" + threadsAfter
                    + ",\"dispatch_us_per_request\":" + String.format(java.util.Locale.ROOT, "%.2f", dispatchNanos / 1e3 / requests)
                    + ",\"served_after_release\":" + ok
                    + ",\"pass\":" + pass + "}");
        }
        System.exit(pass ? 0 : 1);
    }

    /** Used heap after full collections, once two in a row agree within 64 KiB (at most 10). */
    private static long settledHeap(MemoryMXBean memory) throws InterruptedException {
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(50);
            long used = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(used - previous) < 64 * 1024) {
                return used;
            }
            previous = used;
        }
        return previous;
    }
}
