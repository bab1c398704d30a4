package dev.corral.testing;

import dev.corral.testing.ChaosLoad.Kind;
import dev.corral.testing.ChaosLoad.Outcome;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The container in a child JVM under {@code ulimit -n 256}, pushed by more concurrent clients
 * than it has file descriptors: the requests Corral cannot connect for end as 503
 * {@code too_many_open_files} with a log line that gives the limit, every other request is
 * served, the container never crashes, and once the load is gone it serves normally and stops
 * with no process left behind (DESIGN.md §6, the chaos suite's fifth invariant).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class CorralLowFileLimitTest {
    static final int FD_LIMIT = 256;
    static final int CLIENTS = 400;

    @TempDir
    Path tmp;
    private Process child;

    /** The fully qualified name of the adapter's {@link ContainerFixture} (instantiated by {@link FixtureMain}). */
    protected abstract String fixtureClass();

    @AfterEach
    void stopChild() throws InterruptedException {
        if (child != null && child.isAlive()) {
            child.descendants().forEach(ProcessHandle::destroyForcibly);
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void moreClientsThanFileDescriptorsGet503sAndClearLogLinesAndTheContainerCarriesOn() throws Exception {
        Path appRoot = TestApps.install(tmp.resolve("app"));
        Path log = tmp.resolve("container.log");
        List<String> command = new ArrayList<>(List.of("sh", "-c", "ulimit -n " + FD_LIMIT + " && exec \"$0\" \"$@\"",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-ea",
                "-cp", System.getProperty("java.class.path"), FixtureMain.class.getName(), fixtureClass(), "200",
                "name=tight", "appRoot=" + appRoot, "type=generic", "command=" + TestApps.PYTHON + " -u threaded_server.py",
                // unlimited concurrency: every request in flight needs a connection (a descriptor) of its own
                "concurrency=0", "minProcesses=1", "maxProcesses=1", "maxQueue=1000", "queueTimeout=30s",
                "shutdownTimeout=5s"));
        child = new ProcessBuilder(command).redirectError(log.toFile()).start();
        BufferedReader stdout = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> listening = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = stdout.readLine()) != null) {
                    if (line.startsWith("LISTENING ")) {
                        return line.substring(10);
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String uri = listening.get(60, TimeUnit.SECONDS);
        if (uri == null) {
            fail("the container did not start under ulimit -n " + FD_LIMIT + ":\n" + tail(log));
        }
        URI base = URI.create(uri);
        String limits = Files.readString(Path.of("/proc/" + child.pid() + "/limits"));
        assertTrue(limits.lines().anyMatch(l -> l.startsWith("Max open files") && l.contains(" " + FD_LIMIT + " ")),
                "the child JVM runs under ulimit -n " + FD_LIMIT + ":\n" + limits);
        ChaosLoad.Request hello = new ChaosLoad.Request("GET", "/sleep?ms=1", null, "");
        assertEquals(Kind.APP_OK, new ChaosLoad(base, 1, 1, Duration.ofSeconds(20), Duration.ofSeconds(30), i -> hello)
                .run().get(0).kind(), () -> "served before the load\n" + tail(log));

        // more clients at once than the container has descriptors: each holds its connection until answered
        ChaosLoad.Request slow = new ChaosLoad.Request("GET", "/sleep?ms=500", null, "");
        List<Outcome> outcomes = new ChaosLoad(base, CLIENTS, CLIENTS, Duration.ofSeconds(60), Duration.ofSeconds(90), i -> slow).run();
        Map<String, Long> seen = outcomes.stream().collect(Collectors.groupingBy(
                o -> o.kind() + " " + o.status() + (o.reason() == null ? "" : " " + o.reason()), TreeMap::new, Collectors.counting()));
        String text = Files.readString(log);
        List<String> failedLines = text.lines().filter(l -> l.contains("request failed: reason=too_many_open_files")).toList();
        System.out.println(getClass().getSimpleName() + ": " + CLIENTS + " clients at once under ulimit -n " + FD_LIMIT + ": "
                + seen + "; " + failedLines.size() + " too_many_open_files log lines, e.g. "
                + failedLines.stream().findFirst().orElse("(none)"));

        assertTrue(child.isAlive(), () -> "the container died under the load\n" + tail(log));
        assertEquals(CLIENTS, outcomes.size(), "every client got an answer");
        List<Outcome> bad = outcomes.stream().filter(o -> o.kind() != Kind.APP_OK
                && !(o.kind() == Kind.CORRAL_ERROR && o.status() == 503)).toList();
        assertTrue(bad.isEmpty(), () -> bad.size() + " clients got neither the app's answer nor a 503: "
                + bad.stream().limit(10).map(Outcome::toString).collect(Collectors.joining("\n  ", "\n  ", "")) + "\n" + tail(log));
        long outOfDescriptors = outcomes.stream().filter(o -> "too_many_open_files".equals(o.reason())).count();
        assertTrue(outOfDescriptors > 0, () -> "the load never ran the container out of descriptors: " + seen);
        assertEquals(outOfDescriptors, failedLines.size(), "one log line per 503 too_many_open_files");
        assertTrue(failedLines.stream().allMatch(l -> l.contains("Too many open files") && l.contains("ulimit -n " + FD_LIMIT)),
                () -> "the log lines say what ran out and the limit: " + failedLines.get(0));

        // the load is gone: the container serves as before
        for (Outcome after : new ChaosLoad(base, 4, 20, Duration.ofSeconds(20), Duration.ofSeconds(30), i -> hello).run()) {
            assertEquals(Kind.APP_OK, after.kind(), () -> "after the load: " + after + "\n" + tail(log));
        }

        List<ProcessHandle> processes = child.descendants().toList();
        assertFalse(processes.isEmpty(), "the app process runs under the child JVM");
        child.getOutputStream().close();   // FixtureMain stops the container at stdin's end
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), () -> "the container did not stop\n" + tail(log));
        await("no app process left after the container stopped").atMost(Duration.ofSeconds(20))
                .until(() -> processes.stream().noneMatch(ProcessHandle::isAlive));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
