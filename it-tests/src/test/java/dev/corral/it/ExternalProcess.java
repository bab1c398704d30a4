package dev.corral.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A process a test started (Tomcat, Jetty, the demo JVM) with its output in a log file, and
 * every descendant it was ever seen with. {@link #close()} kills all of them, so a failing test
 * leaves nothing running: the process, each descendant still alive, and the process group of
 * each descendant that leads its own group (Corral's lifelines do).
 *
 * <p>Not thread-safe: one test thread uses it.
 */
final class ExternalProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final long ownGroup;
    /** Every descendant seen by {@link #descendants()}, by pid (the first entry seen wins). */
    private final Map<Long, ProcEntry> seen = new LinkedHashMap<>();

    private ExternalProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.ownGroup = ProcEntry.read(process.pid()).map(ProcEntry::pgrp).orElse(-1L);
    }

    /** Starts {@code builder} with stdin from /dev/null and stdout + stderr appended to {@code log}. */
    static ExternalProcess start(String name, ProcessBuilder builder, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        return new ExternalProcess(name, builder.start(), log);
    }

    Process process() {
        return process;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** The process's descendants now (also remembered for {@link #close()}). */
    List<ProcEntry> descendants() {
        List<ProcEntry> now = new ArrayList<>();
        process.descendants().forEach(handle -> ProcEntry.read(handle.pid()).ifPresent(entry -> {
            now.add(entry);
            seen.putIfAbsent(entry.pid(), entry);
        }));
        return now;
    }

    /** The process groups led by a descendant seen so far (Corral's lifelines lead one each). */
    Set<Long> descendantGroups() {
        return seen.values().stream()
                .filter(e -> e.pgrp() == e.pid() && e.pgrp() != ownGroup)
                .map(ProcEntry::pgrp)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /**
     * What is left of {@code tracked} (the same processes, by pid and start time, zombies
     * included) and every process now in one of {@code groups}.
     */
    static List<ProcEntry> survivors(Collection<ProcEntry> tracked, Set<Long> groups) {
        Map<Long, ProcEntry> left = new LinkedHashMap<>();
        for (ProcEntry entry : tracked) {
            entry.now().ifPresent(e -> left.put(e.pid(), e));
        }
        if (!groups.isEmpty()) {
            for (ProcEntry e : ProcEntry.all()) {
                if (groups.contains(e.pgrp())) {
                    left.putIfAbsent(e.pid(), e);
                }
            }
        }
        return new ArrayList<>(left.values());
    }

    /** SIGTERM, then waits up to {@code grace} for the exit; true if it exited. */
    boolean terminate(Duration grace) throws InterruptedException {
        process.destroy();
        return process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * SIGTERM, then asserts that the process exits within {@code grace} and that none of the app
     * processes seen so far ({@link #descendants()} now, and every process in a group one of them
     * leads) still runs once it has exited, nor a little later (zombies waiting to be reaped).
     */
    void terminateLeavingNoProcess(Duration grace) throws InterruptedException {
        List<ProcEntry> before = descendants();
        Set<Long> groups = descendantGroups();
        boolean exited = terminate(grace);
        org.junit.jupiter.api.Assertions.assertTrue(exited,
                () -> name + " did not exit within " + grace.toSeconds() + " s of SIGTERM" + logTail());
        // Corral's stop waits for its processes: none may still run once the JVM is gone
        List<ProcEntry> runningAtExit = survivors(before, groups).stream().filter(e -> !e.zombie()).toList();
        org.junit.jupiter.api.Assertions.assertTrue(runningAtExit.isEmpty(),
                () -> "app processes still running when the JVM had exited:" + It.list(runningAtExit) + logTail());
        It.await("no app process of " + name + " left after its stop", Duration.ofSeconds(15),
                () -> survivors(before, groups).isEmpty(), () -> "\nleft:" + It.list(survivors(before, groups)) + logTail());
    }

    /** The last {@code maxLines} lines of the log, framed for an assertion message. */
    String logTail() {
        return logTail(log, name, 150);
    }

    static String logTail(Path file, String title, int maxLines) {
        List<String> lines;
        try {
            lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of("(no file " + file + ")");
        } catch (IOException e) {
            lines = List.of("(cannot read " + file + ": " + e + ")");
        }
        List<String> tail = lines.subList(Math.max(0, lines.size() - maxLines), lines.size());
        return "\n----- " + title + ": " + file + (tail.size() < lines.size() ? " (last " + tail.size() + " lines)" : "")
                + " -----\n" + String.join("\n", tail) + "\n----- end of " + title + " -----";
    }

    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Kills the process, every descendant seen that is still there, and their process groups. */
    @Override
    public void close() {
        descendants(); // the latest children too, while the process still has them
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (long group : descendantGroups()) {
            ProcEntry leader = seen.get(group);
            // only a group whose leader is still the process we saw (or already gone)
            if (leader != null && ProcEntry.read(group).map(e -> e.startTicks() == leader.startTicks()).orElse(true)) {
                try {
                    new ProcessBuilder("kill", "-KILL", "--", "-" + group)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start().waitFor(5, TimeUnit.SECONDS);
                } catch (IOException e) {
                    // nothing left in the group, or no kill command: the loop below still runs
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        for (ProcEntry entry : seen.values()) {
            if (entry.now().isPresent()) {
                ProcessHandle.of(entry.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
