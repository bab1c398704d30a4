package dev.corral.it;

import dev.corral.testing.TestUsers;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Process supervision end to end: {@code kill -9} of the JVM running Corral (corral-demo.jar)
 * takes every app process down with it, through the lifelines, with no orphan and no zombie.
 */
@Timeout(120)
class NoOrphansIT {
    private static final Pattern READY = Pattern.compile("process (\\d+) of app demo is ready");
    /** The demo's temporary directories, as its log names them. */
    private static final Pattern LEFT_BEHIND = Pattern.compile("(?:run directory |appRoot=)(/tmp/corral-[A-Za-z0-9-]+)");
    /** The promise under test: everything gone this soon after the JVM's death. */
    private static final Duration ORPHAN_DEADLINE = Duration.ofSeconds(10);

    private ExternalProcess demo;

    @AfterEach
    void tearDown() {
        if (demo != null) {
            demo.close();
            // after a kill -9 nobody removes the demo's run directory and extracted app: do it here
            Matcher dirs = LEFT_BEHIND.matcher(demo.logText());
            while (dirs.find()) {
                It.deleteTree(Path.of(dirs.group(1)));
            }
        }
    }

    @Test
    void killingTheJvmWithSigkillLeavesNoAppProcessBehind() throws Exception {
        killTheJvmAndFindNoAppProcess(List.of(), -1);
    }

    /** The same for an app whose processes run as another user than the JVM's (root's): its lifelines are root's. */
    @Test
    void killingTheJvmWithSigkillLeavesNoProcessOfAnAppRunningAsAnotherUserBehind() throws Exception {
        assumeTrue(TestUsers.runningAsRoot(), "switching users needs root (CI runs as root)");
        TestUsers.User user = TestUsers.ensure("corral-test-app");
        killTheJvmAndFindNoAppProcess(List.of("--set", "user=" + user.name()), user.uid());
    }

    /** @param appUid the uid the app processes must run as, or -1 for the JVM's own */
    private void killTheJvmAndFindNoAppProcess(List<String> moreFlags, int appUid) throws Exception {
        Path demoJar = It.location("corral.it.demoJar");
        Path dir = It.freshDir("no-orphans");
        int port = It.freePort();
        List<String> command = new ArrayList<>(List.of(It.java(), "-Dcorral.selfCheck=true", "-jar", demoJar.toString(),
                "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--set", "minProcesses=2", "--set", "maxProcesses=2"));
        command.addAll(moreFlags);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        demo = ExternalProcess.start("corral-demo", builder, dir.resolve("demo.log"));

        It.await("the demo to log 2 ready processes", Duration.ofSeconds(60),
                () -> !demo.process().isAlive() || readyPids().size() >= 2, demo::logTail);
        if (!demo.process().isAlive()) {
            fail("the demo exited with status " + demo.process().exitValue() + demo.logTail());
        }
        Set<Long> appPids = readyPids();
        assertEquals(2, appPids.size(), () -> "ready processes " + appPids + demo.logTail());
        for (long pid : appPids) {
            List<String> status = java.nio.file.Files.readAllLines(Path.of("/proc/" + pid + "/status"));
            String uid = status.stream().filter(line -> line.startsWith("Uid:")).findFirst().orElseThrow();
            String expected = appUid >= 0 ? Integer.toString(appUid)
                    : uidOf(java.nio.file.Files.readAllLines(Path.of("/proc/self/status")));   // the JVM's own
            assertEquals(expected, uidOf(status), () -> "app process " + pid + ": " + uid);
        }
        assertTrue(demo.logText().contains("Corral demo: serving app [demo] at http://127.0.0.1:" + port + "/"),
                () -> "no banner" + demo.logTail());
        HttpResponse<String> page = It.get(port, "/");
        assertEquals(200, page.statusCode(), () -> "GET /: " + It.describe(page) + demo.logTail());
        Matcher servedBy = Pattern.compile("Served by process (\\d+)").matcher(page.body());
        assertTrue(servedBy.find(), () -> "GET /: " + It.describe(page));
        assertTrue(appPids.contains(Long.parseLong(servedBy.group(1))),
                () -> "the page was served by process " + servedBy.group(1) + ", not one of the ready " + appPids);

        // the app processes, their lifelines and whatever they forked: all descendants of the JVM
        List<ProcEntry> tree = demo.descendants();
        Set<Long> treePids = tree.stream().map(ProcEntry::pid).collect(Collectors.toSet());
        assertTrue(treePids.containsAll(appPids), () -> "app pids " + appPids + " are not all descendants of the demo JVM "
                + demo.pid() + ":" + It.list(tree));
        Set<Long> groups = demo.descendantGroups();
        assertEquals(2, groups.size(), () -> "expected one lifeline process group per app process:" + It.list(tree));

        // kill -9 the JVM: no shutdown hook runs, only the lifelines can clean up
        demo.process().destroyForcibly();
        assertTrue(demo.process().waitFor(10, TimeUnit.SECONDS), "the demo JVM survived SIGKILL");
        assertEquals(137, demo.process().exitValue(), "exit status of the JVM after SIGKILL");
        long killedAt = System.nanoTime();

        It.await("no app process (nor any child of one) running " + ORPHAN_DEADLINE.toSeconds()
                        + " s after kill -9 of the JVM", ORPHAN_DEADLINE,
                () -> ExternalProcess.survivors(tree, groups).stream().allMatch(ProcEntry::zombie),
                () -> survivorReport(tree, groups) + demo.logTail());
        long allDeadMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        Duration left = ORPHAN_DEADLINE.minusNanos(System.nanoTime() - killedAt);
        It.await("no zombie of them left either " + ORPHAN_DEADLINE.toSeconds() + " s after kill -9 of the JVM",
                left.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : left,
                () -> ExternalProcess.survivors(tree, groups).isEmpty(),
                () -> survivorReport(tree, groups) + demo.logTail());
        System.out.printf("NoOrphansIT: %d processes (%d app processes) all dead %d ms and reaped %d ms after kill -9 of the JVM%n",
                tree.size(), appPids.size(), allDeadMillis, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
    }

    /** The effective uid of a /proc/<pid>/status. */
    private static String uidOf(List<String> status) {
        return status.stream().filter(line -> line.startsWith("Uid:")).findFirst().orElseThrow().substring(4).trim()
                .split("\\s+")[1];
    }

    private Set<Long> readyPids() {
        Set<Long> pids = new LinkedHashSet<>();
        Matcher m = READY.matcher(demo.logText());
        while (m.find()) {
            pids.add(Long.parseLong(m.group(1)));
        }
        return pids;
    }

    private static String survivorReport(List<ProcEntry> tree, Set<Long> groups) {
        List<ProcEntry> left = ExternalProcess.survivors(tree, groups);
        List<ProcEntry> alive = new ArrayList<>();
        List<ProcEntry> zombies = new ArrayList<>();
        left.forEach(e -> (e.zombie() ? zombies : alive).add(e));
        String report = "\nprocesses before the kill:" + It.list(tree) + "\nstill alive:" + It.list(alive)
                + "\nzombies:" + It.list(zombies);
        if (!zombies.isEmpty() && alive.isEmpty() && zombies.stream().allMatch(z -> z.ppid() == 1)) {
            report += "\n(every zombie left is a child of pid 1, " + ProcEntry.read(1).map(ProcEntry::commandLine).orElse("?")
                    + ", which has not reaped it yet)";
        }
        return report;
    }
}
