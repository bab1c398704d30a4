package dev.corral.pool.internal;

import dev.corral.config.AppSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

/**
 * The engine with everything around it in memory: a {@link ManualClock} and
 * {@link ManualScheduler}, a {@link ManualExecutor} for requests forwarded from the queue (a
 * waiting task is a request in flight), blocking work run at once, a seeded random source, and
 * the fake launcher, forwarder and health probe. Nothing runs unless the test makes it:
 * {@link #advance} moves time, {@link #forwards} runs requests in flight. A test of the engine
 * runs in milliseconds and the same way every time. Single-threaded.
 */
final class EngineHarness implements AutoCloseable {
    final ManualClock clock = new ManualClock();
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final ManualExecutor forwards = new ManualExecutor();
    final FakeLauncher launcher = new FakeLauncher();
    final FakeForwarder app = new FakeForwarder();
    final FakeHealthProbe probe = new FakeHealthProbe();
    final Pool pool;
    private final Path root;

    EngineHarness(Path dir, int maxPoolProcesses) {
        this.root = dir.resolve("app");
        EngineServices services = new EngineServices(clock, scheduler, forwards, Runnable::run, new Random(42),
                launcher, probe, app, () -> { });
        pool = new Pool(RunDir.create(dir.resolve("run")), services, maxPoolProcesses);
    }

    /** Settings of an app named {@code name} (a wsgi app in a fresh directory), to adjust before {@link #add}. */
    AppSettings settings(String name) {
        try {
            Path appRoot = Files.createDirectories(root.resolve(name));
            AppSettings settings = new AppSettings();
            settings.setName(name);
            settings.setAppRoot(appRoot.toString());
            return settings;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    Group add(AppSettings settings) {
        return (Group) pool.addApp(settings.toConfig());
    }

    /** Starts the engine: its first upkeep runs (minProcesses spawn). */
    void start() {
        pool.start();
        scheduler.runDue();
    }

    FakeExchange request(Group group, String target, String... headers) {
        FakeExchange exchange = new FakeExchange(target, headers);
        group.dispatch(exchange);
        return exchange;
    }

    void advance(Duration duration) {
        scheduler.advance(duration);
    }

    /** Makes processes ready until no launch waits (each round ready lets the next one start). */
    void readyAll() {
        for (int round = 0; round < 20 && !launcher.pending().isEmpty(); round++) {
            launcher.readyAll();
            scheduler.runDue();
        }
    }

    @Override
    public void close() {
        forwards.runAll();
        // launches never made ready would keep the pool waiting for their exit
        launcher.launches.stream().filter(l -> l.os != null && l.os.isAlive() && !l.reported)
                .forEach(l -> l.os.exit(0));
        pool.close();
    }
}
