package dev.corral.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The launchers' self-warm-up: it serves its requests from the in-JVM target through a real
 * container and leaves no process behind; a warm-up that cannot run never stops the launcher.
 */
class WarmUpTest {

    @Test
    void servesEveryRequestThroughAThrowawayJettyAndLeavesNoProcessBehind() {
        assertEquals(200, WarmUp.run("test", 200, options -> JettyLauncher.start(options, stop -> { })));
        awaitNoDescendants();
    }

    @Test
    void servesEveryRequestThroughAThrowawayTomcatAndLeavesNoProcessBehind() {
        assertEquals(200, WarmUp.run("test", 200, options -> TomcatLauncher.start(options, stop -> { })));
        awaitNoDescendants();
    }

    @Test
    void aContainerThatCannotStartCostsTheLauncherNothingButALine() {
        assertEquals(0, WarmUp.run("test", 100, options -> {
            throw new IOException("cannot bind");
        }));
    }

    @Test
    void noRequestsMeansNoContainerAtAll() {
        AtomicInteger starts = new AtomicInteger();
        assertEquals(0, WarmUp.run("test", 0, options -> {
            starts.incrementAndGet();
            throw new IllegalStateException("not to be called");
        }));
        assertEquals(0, starts.get());
    }

    private static void awaitNoDescendants() {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count() == 0);
    }
}
