package dev.corral.pool.internal;

import dev.corral.testing.LogCapture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The output of a real child process: two pipes, two log levels, one tail, named daemon threads;
 * every line a process wrote before it died is logged, before its exit is reported.
 */
class ChildProcessOutputTest {
    private static final int LINES = 20;
    private static final int RUNS = 100;
    /** Where the tests write each process's exit line, as the engine does. */
    private static final Logger EXIT_LOG = Logger.getLogger("dev.corral.pool");

    private final ExecutorScheduler scheduler = new ExecutorScheduler("test-timer");

    @AfterEach
    void stopScheduler() {
        scheduler.shutdown();
    }

    @Test
    void stdoutIsLoggedAtInfoAndStderrAtWarningIntoOneTail() throws Exception {
        Process process = new ProcessBuilder("sh", "-c",
                "i=1; while [ $i -le " + LINES + " ]; do echo \"out $i\"; echo \"err $i\" >&2; i=$((i+1)); done").start();
        try (LogCapture logs = new LogCapture()) {
            ChildProcess child = new ChildProcess(process, () -> "demo 42", scheduler);
            assertEquals(0, child.onExit().get(10, TimeUnit.SECONDS));   // once every line is copied

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
            new ChildProcess(process, () -> "named 7", scheduler);
            Map<String, Boolean> daemons = await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet()
                    .stream().filter(t -> t.getName().endsWith(" named 7"))
                    .collect(java.util.stream.Collectors.toMap(Thread::getName, Thread::isDaemon)), found -> found.size() == 2);
            assertEquals(Map.of("corral-stdout named 7", true, "corral-stderr named 7", true), daemons);
        } finally {
            closeQuietly(process);
            assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        }
    }

    // ------------------------------------------------------------------ a process that dies at once

    /**
     * A process that writes a line to stderr and exits at once, many times, under the real
     * lifeline: its line is always logged, and before its exit is reported (the exit line). The
     * log takes each line only once the lifeline has exited, as on a loaded machine where the
     * pump thread runs late: the exit must wait for the output, not race it.
     */
    @Test
    @Timeout(120)
    void theLastLineOfAProcessThatDiesAtOnceIsLoggedBeforeItsExit(@TempDir Path tmp) throws Exception {
        RunDir runDir = RunDir.create(tmp.resolve("run"));
        Map<String, Process> lifelines = new ConcurrentHashMap<>();
        ExecutorService runs = Executors.newFixedThreadPool(4);
        try (LogCapture logs = new LogCapture(); SlowLog slow = new SlowLog(lifelines)) {
            List<Future<?>> started = new ArrayList<>();
            for (int i = 1; i <= RUNS; i++) {
                String name = "dying " + i;
                started.add(runs.submit(() -> {
                    Process lifeline = lifeline(runDir, "echo 'last words' >&2; exit 3").start();
                    lifelines.put(name, lifeline);
                    ChildProcess child = new ChildProcess(lifeline, () -> name, scheduler);
                    int code = child.onExit().get(30, TimeUnit.SECONDS);
                    EXIT_LOG.log(Level.INFO, "[{0}] exited with {1}", new Object[] {name, code});
                    return null;
                }));
            }
            for (Future<?> run : started) {
                run.get(60, TimeUnit.SECONDS);
            }
            List<String> lines = logs.lines();
            for (int i = 1; i <= RUNS; i++) {
                String run = "[dying " + i + "] ";
                List<String> its = lines.stream().filter(line -> line.contains(run)).toList();
                assertEquals(List.of("WARNING dev.corral.app: " + run + "last words", "INFO dev.corral.pool: " + run + "exited with 3"),
                        its, "run " + i + ": its last line is logged, before its exit");
            }
        } finally {
            runs.shutdownNow();
        }
    }

    /**
     * Corral stops a process that cut a response short just as it dies (the stop arrives after
     * the app exited, while the lifeline is still there or has just gone). The stop must not
     * close the output pipes: a line the app wrote before it died and that the pump had not read
     * yet is logged all the same, before the exit.
     */
    @Test
    @Timeout(60)
    void aStopAsTheProcessDiesLosesNoneOfItsOutput(@TempDir Path tmp) throws Exception {
        RunDir runDir = RunDir.create(tmp.resolve("run"));
        Path go = tmp.resolve("go");
        assertEquals(0, new ProcessBuilder("mkfifo", go.toString()).start().waitFor());
        // "first" holds the pump in the log; only then does the app write its last line and exit
        Process lifeline = lifeline(runDir, "echo first >&2; read x < '" + go + "'; echo 'last words' >&2; exit 3").start();
        CompletableFuture<ChildProcess> child = new CompletableFuture<>();
        Handler stopAsItDies = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getParameters() != null && "first".equals(record.getParameters()[1])) {
                    try {
                        Files.writeString(go, "go\n");
                        lifeline.waitFor(20, TimeUnit.SECONDS);   // the app has exited, then the lifeline
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    // what ProcessStopper.stop does for a process that cut a response short
                    child.join().terminate();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger app = Logger.getLogger("dev.corral.app");
        try (LogCapture logs = new LogCapture()) {
            app.addHandler(stopAsItDies);
            child.complete(new ChildProcess(lifeline, () -> "stopped 1", scheduler));
            int code = child.join().onExit().get(30, TimeUnit.SECONDS);
            EXIT_LOG.log(Level.INFO, "[stopped 1] exited with {0}", code);
            List<String> lines = logs.lines();
            int said = lines.indexOf("WARNING dev.corral.app: [stopped 1] last words");
            assertTrue(said >= 0, "the line the app wrote before it died is logged: " + lines);
            assertTrue(lines.indexOf("INFO dev.corral.pool: [stopped 1] exited with 3") > said,
                    "and before its exit: " + lines);
        } finally {
            app.removeHandler(stopAsItDies);
        }
    }

    /**
     * A process the app started in a session of its own outlives the lifeline and keeps the
     * pipes open: the exit waits for the output only {@link ChildProcess#OUTPUT_GRACE}, then is
     * reported with a warning that says why.
     */
    @Test
    @Timeout(60)
    void anEscapedProcessHoldingTheOutputOpenDelaysTheExitOnlyByTheGrace(@TempDir Path tmp) throws Exception {
        RunDir runDir = RunDir.create(tmp.resolve("run"));
        Path escapedPid = tmp.resolve("escaped.pid");
        // the escaped process writes its pid once it is in its own session, and the app exits only
        // after that (bounded): else the lifeline, at the app's exit, may still find it in its group
        // and kill it, as it should (a race the test must not leave to a loaded machine)
        Process lifeline = lifeline(runDir, "setsid sh -c 'echo $$ > \"$0\"; exec sleep 60' '" + escapedPid + "' &"
                + " n=0; while [ ! -s '" + escapedPid + "' ] && [ $n -lt 1000 ]; do sleep 0.01; n=$((n + 1)); done;"
                + " echo bye >&2; exit 0").start();
        try (LogCapture logs = new LogCapture()) {
            ChildProcess child = new ChildProcess(lifeline, () -> "leaving 1", scheduler);
            assertEquals(0, child.onExit().get(ChildProcess.OUTPUT_GRACE.plusSeconds(20).toSeconds(), TimeUnit.SECONDS));
            assertTrue(lifeline.waitFor(1, TimeUnit.SECONDS));
            assertEquals(List.of("WARNING dev.corral.app: [leaving 1] bye"), logs.matching("[leaving 1] bye"));
            assertEquals(1, logs.matching("WARNING dev.corral.pool: [leaving 1] exited 5s ago, but its output is still open").size(),
                    logs.lines().toString());
        } finally {
            long pid = Long.parseLong(Files.readString(escapedPid).trim());
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static ProcessBuilder lifeline(RunDir runDir, String script) {
        return new ProcessBuilder("setsid", "sh", runDir.script(RunDir.LIFELINE).toString(), "1", "sh", "-c", script);
    }

    /**
     * A log handler that holds each app line until that app's lifeline has exited (at most 20 s):
     * a pump that runs late, as on a loaded machine.
     */
    private static final class SlowLog extends Handler implements AutoCloseable {
        private final Logger app = Logger.getLogger("dev.corral.app");
        private final Map<String, Process> lifelines;

        SlowLog(Map<String, Process> lifelines) {
            this.lifelines = lifelines;
            app.addHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            Object[] parameters = record.getParameters();
            Process lifeline = parameters == null ? null : lifelines.get(String.valueOf(parameters[0]));
            if (lifeline != null) {
                try {
                    lifeline.waitFor(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            app.removeHandler(this);
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
