package dev.corral.pool.internal;

import dev.corral.config.AppSettings;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;

/**
 * The engine with everything around it in memory: a {@link ManualClock} and
 * {@link ManualScheduler}, a {@link ManualExecutor} for requests forwarded from the queue (a
 * waiting task is a request in flight), blocking work run at once, a seeded random source, and
 * the fake launcher, forwarder and health probe. Nothing runs unless the test makes it:
 * {@link #advance} moves time, {@link #forwards} runs requests in flight. A test of the engine
 * runs in milliseconds and the same way every time. Single-threaded.
 *
 * <p>Used as a JUnit extension ({@code @RegisterExtension final EngineHarness engine = new
 * EngineHarness(0);}), it is closed after each test; otherwise close it yourself.
 */
final class EngineHarness implements AutoCloseable, AfterEachCallback {
    final ManualClock clock = new ManualClock();
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final ManualExecutor forwards = new ManualExecutor();
    final FakeLauncher launcher = new FakeLauncher();
    final FakeForwarder app = new FakeForwarder();
    final FakeHealthProbe probe = new FakeHealthProbe();
    /** A server of its own, so that tests never meet another engine's MBeans. */
    final MBeanServer mbeans = MBeanServerFactory.newMBeanServer();
    final Pool pool;
    private final Path dir;
    private boolean closed;

    /** An engine on a fresh temp directory (removed at close), with {@code maxPoolProcesses} (0 = none). */
    EngineHarness(int maxPoolProcesses) {
        try {
            dir = Files.createTempDirectory("corral-engine-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EngineServices services = new EngineServices(clock, clock.wall(), scheduler, forwards, Runnable::run,
                new Random(42), launcher, probe, app, mbeans, () -> { });
        pool = new Pool(RunDir.create(dir.resolve("run")), services, maxPoolProcesses);
    }

    /** Settings of an app named {@code name} (a wsgi app in a fresh directory), to adjust before {@link #add}. */
    AppSettings settings(String name) {
        try {
            Path appRoot = Files.createDirectories(dir.resolve("apps").resolve(name));
            AppSettings settings = new AppSettings();
            settings.setName(name);
            settings.setAppRoot(appRoot.toString());
            return settings;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
        return requestWith(group, "GET", target, headers);
    }

    /** A request with another method than GET. */
    FakeExchange requestWith(Group group, String method, String target, String... headers) {
        FakeExchange exchange = new FakeExchange(target, headers);
        exchange.method = method;
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
    public void afterEach(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        forwards.runAll();
        // launches never made ready would keep the pool waiting for their exit
        launcher.launches.stream().filter(l -> l.os != null && l.os.isAlive() && !l.reported)
                .forEach(l -> l.os.exit(0));
        pool.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
