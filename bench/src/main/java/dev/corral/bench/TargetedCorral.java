package dev.corral.bench;

import dev.corral.config.AppSettings;
import dev.corral.pool.App;
import dev.corral.pool.Corral;

import java.io.IOException;
import java.time.Duration;

/**
 * The Corral engine with one {@code generic} app whose processes are served by an
 * {@link InProcessTarget}: the setting under which the JMH benchmarks and the memory check drive
 * {@link App#dispatch} directly.
 *
 * <p>Lifetime: {@link #start} returns once all {@code processes} are READY; {@link #close()}
 * stops the engine, then the target.
 */
public final class TargetedCorral implements AutoCloseable {
    public final InProcessTarget target;
    public final Corral corral;
    public final App app;

    private TargetedCorral(InProcessTarget target, Corral corral, App app) {
        this.target = target;
        this.corral = corral;
        this.app = app;
    }

    /**
     * @param processes  processes of the app ({@code minProcesses = maxProcesses}), concurrency 1 each
     * @param maxQueue   the app's {@code maxQueue}
     */
    public static TargetedCorral start(int processes, int maxQueue) throws IOException, InterruptedException {
        InProcessTarget target = InProcessTarget.start();
        AppSettings settings = new AppSettings();
        settings.set("name", "bench");
        settings.set("appRoot", target.appRoot().toString());
        settings.set("type", "generic");
        settings.set("command", target.command());
        settings.set("minProcesses", Integer.toString(processes));
        settings.set("maxProcesses", Integer.toString(processes));
        settings.set("concurrency", "1");
        settings.set("maxQueue", Integer.toString(maxQueue));
        settings.set("queueTimeout", "10m");
        settings.set("shutdownTimeout", "2s");
        settings.set("allowRoot", "true");   // benchmarks run as root: Corral would refuse to run the app as root otherwise
        Corral corral = Corral.builder().build();
        TargetedCorral started = new TargetedCorral(target, corral, corral.addApp(settings.toConfig()));
        try {
            corral.start();
            started.awaitReady(processes, Duration.ofSeconds(30));
            return started;
        } catch (IOException | InterruptedException | RuntimeException e) {
            started.close();
            throw e;
        }
    }

    private void awaitReady(int processes, Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (app.status().ready() < processes) {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("only " + app.status().ready() + " of " + processes + " processes became ready: "
                        + app.status());
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void close() {
        try {
            corral.close();
        } finally {
            target.close();
        }
    }
}
