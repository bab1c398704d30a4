package dev.corral.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A self-warm-up of the forwarding path before the launcher starts its real container (issue 20,
 * cold start): a throwaway container of the same kind, with one {@code generic} app of 4
 * processes served by an {@link InProcessTarget} (never the user's app: a request may have side
 * effects), gets {@code requests} GET requests over HTTP/1.1 keep-alive from 16 connections of
 * this JVM; then it and the target stop. The JIT has compiled the container's and Corral's hot
 * methods meanwhile, which the real container then shares (same classes, same JVM).
 *
 * <p>Bounded: at most {@code requests} requests and {@link #DEADLINE_NANOS}; a failure is
 * reported on stderr and the launcher goes on (a warm-up never fails a start).
 */
final class WarmUp {
    static final int CONNECTIONS = 16;
    static final long DEADLINE_NANOS = 30_000_000_000L;

    /** Starts a container as a launcher does. */
    interface Starter {
        EmbeddedCorral start(LauncherOptions options) throws Exception;
    }

    private WarmUp() {
    }

    /** Runs the warm-up; returns the requests answered with 200 (0 if it could not run). */
    static long run(String launcher, int requests, Starter starter) {
        if (requests <= 0) {
            return 0;
        }
        long start = System.nanoTime();
        AtomicLong ok = new AtomicLong();
        try (InProcessTarget target = InProcessTarget.start()) {
            LauncherOptions options = LauncherOptions.parseOrExit(launcher + " (warm-up)", "--port", "0",
                    "--set", "name=warm-up", "--set", "appRoot=" + target.appRoot(), "--set", "type=generic",
                    "--set", "command=" + target.command(), "--set", "minProcesses=4", "--set", "maxProcesses=4",
                    "--set", "concurrency=1", "--set", "shutdownTimeout=2s");
            try (EmbeddedCorral corral = starter.start(options)) {
                drive(corral.port(), requests, start + DEADLINE_NANOS, ok);
            }
            awaitCompilerIdle(start + DEADLINE_NANOS);
        } catch (Exception e) {
            System.err.println(launcher + ": warm-up failed (going on without it): " + e);
        }
        System.err.printf("%s: warm-up: %d requests in %d ms%n", launcher, ok.get(), (System.nanoTime() - start) / 1_000_000);
        return ok.get();
    }

    /**
     * Waits until the JIT's total compilation time stops growing (compilations queued by the
     * warm-up would otherwise run in the first seconds of real traffic), at most until deadline.
     */
    private static void awaitCompilerIdle(long deadline) throws InterruptedException {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long last = -1;
        int still = 0;
        while (still < 3 && System.nanoTime() - deadline < 0) {
            Thread.sleep(200);
            long now = jit.getTotalCompilationTime();
            still = now == last ? still + 1 : 0;
            last = now;
        }
    }

    private static void drive(int port, int requests, long deadline, AtomicLong ok) throws InterruptedException {
        byte[] request = "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < CONNECTIONS; t++) {
            int share = requests / CONNECTIONS + (t < requests % CONNECTIONS ? 1 : 0);
            Thread thread = new Thread(() -> {
                HttpConnection connection = null;
                try {
                    for (int i = 0; i < share && System.nanoTime() - deadline < 0; i++) {
                        if (connection == null) {
                            connection = new HttpConnection(address, 10_000);
                        }
                        HttpConnection.Response response = connection.exchange(request);
                        if (response.status() == 200) {
                            ok.incrementAndGet();
                        }
                        if (response.close()) {
                            connection.close();
                            connection = null;
                        }
                    }
                } catch (IOException e) {
                    // counted by what did not succeed
                } finally {
                    if (connection != null) {
                        connection.close();
                    }
                }
            }, "warm-up-" + t);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }
}
