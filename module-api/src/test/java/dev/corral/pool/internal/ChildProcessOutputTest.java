package dev.corral.pool.internal;

import dev.corral.testing.LogCapture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The output of a real child process: two pipes, two log levels, one tail, named daemon threads. */
class ChildProcessOutputTest {
    private static final int LINES = 20;

    @Test
    void stdoutIsLoggedAtInfoAndStderrAtWarningIntoOneTail() throws Exception {
        Process process = new ProcessBuilder("sh", "-c",
                "i=1; while [ $i -le " + LINES + " ]; do echo \"out $i\"; echo \"err $i\" >&2; i=$((i+1)); done").start();
        try (LogCapture logs = new LogCapture()) {
            ChildProcess child = new ChildProcess(process, () -> "demo 42");
            assertEquals(0, child.onExit().get(10, TimeUnit.SECONDS));
            child.awaitOutputEnd(Duration.ofSeconds(10));

            assertEquals(LINES, logs.matching("INFO dev.corral.app: [demo 42] out ").size(), logs.lines().toString());
            assertEquals(LINES, logs.matching("WARNING dev.corral.app: [demo 42] err ").size(), logs.lines().toString());
            assertEquals(2 * LINES, logs.matching("dev.corral.app: [demo 42] ").size(), logs.lines().toString());

            List<String> tail = child.outputTail();
            assertEquals(OutputTail.LINES, tail.size(), tail.toString());
            // each stream's lines in the tail: its last ones, in order (the two pumps race each other)
            List<String> out = tail.stream().filter(line -> line.startsWith("out ")).toList();
            List<String> err = tail.stream().filter(line -> line.startsWith("err ")).toList();
            assertEquals(tail.size(), out.size() + err.size(), tail.toString());
            assertEquals(lastLines("out", out.size()), out, tail.toString());
            assertEquals(lastLines("err", err.size()), err, tail.toString());
        }
    }

    @Test
    void eachStreamHasADaemonThreadNamedForTheProcess() throws Exception {
        Process process = new ProcessBuilder("sh", "-c", "read line").start();   // runs until stdin closes
        try {
            new ChildProcess(process, () -> "named 7");
            Map<String, Boolean> daemons = await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet()
                    .stream().filter(t -> t.getName().endsWith(" named 7"))
                    .collect(java.util.stream.Collectors.toMap(Thread::getName, Thread::isDaemon)), found -> found.size() == 2);
            assertEquals(Map.of("corral-stdout named 7", true, "corral-stderr named 7", true), daemons);
        } finally {
            closeQuietly(process);
            assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        }
    }

    private static List<String> lastLines(String stream, int count) {
        return IntStream.rangeClosed(LINES - count + 1, LINES).mapToObj(i -> stream + " " + i).toList();
    }

    private static void closeQuietly(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            process.destroyForcibly();
        }
    }
}
