package dev.corral.pool.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The temp run dirs of JVMs that are gone are removed when an engine starts; those of live
 * JVMs, and whatever is not Corral's, are not.
 */
class RunDirTest {

    @Test
    void startingRemovesTheRunDirsOfJvmsThatAreGoneAndKeepsThoseOfLiveOnes(@TempDir Path tmp) throws Exception {
        long deadPid = exitedPid();
        Process live = new ProcessBuilder("cat").start();   // runs until its stdin closes
        try {
            Instant liveStarted = live.toHandle().info().startInstant().orElseThrow();
            Path dead = marked(tmp.resolve("corral-dead"), new RunDir.Owner(deadPid, Instant.now()));
            Files.writeString(dead.resolve("1.sock"), "");
            Files.createDirectories(dead.resolve("lib/corral-wsgi"));
            // the pid now belongs to a process that started an hour after the owner did
            Path reused = marked(tmp.resolve("corral-reused"), new RunDir.Owner(live.pid(), liveStarted.minus(Duration.ofHours(1))));
            long liveTicks = RunDir.Owner.startTicks(live.pid());
            assertTrue(liveTicks >= 0, "the start of a live process in ticks since boot, from /proc");
            // the same pid, started at another tick since boot: a later process, whatever the clock says
            Path reusedTicks = marked(tmp.resolve("corral-reused-ticks"), new RunDir.Owner(live.pid(), liveStarted, liveTicks + 1));
            // the owner itself, with a start time an hour off: the wall clock was stepped since the mark was written
            Path clockStepped = marked(tmp.resolve("corral-clock-stepped"),
                    new RunDir.Owner(live.pid(), liveStarted.minus(Duration.ofHours(1)), liveTicks));
            Path thisJvm = marked(tmp.resolve("corral-this-jvm"), RunDir.Owner.current());
            Path liveChild = marked(tmp.resolve("corral-live-child"), new RunDir.Owner(live.pid(), liveStarted));
            Path legacyDead = legacy(tmp.resolve("corral-legacy-dead"), deadPid);
            Path legacyLive = legacy(tmp.resolve("corral-legacy-live"), ProcessHandle.current().pid());

            RunDir started = RunDir.createTemp(tmp);
            try {
                assertFalse(Files.exists(dead), "the run dir of a pid that no process has is removed");
                assertFalse(Files.exists(reused), "a pid now held by a process that started at another time is not the owner");
                assertFalse(Files.exists(legacyDead), "an older Corral's run dir (owner.pid) of a dead JVM is removed");
                assertFalse(Files.exists(reusedTicks), "a pid now held by a process that started at another tick is not the owner");
                assertTrue(Files.exists(clockStepped.resolve(RunDir.OWNER)),
                        "the run dir of a live owner stays when the wall clock moved since its mark was written");
                assertTrue(Files.exists(thisJvm.resolve(RunDir.OWNER)), "the run dir of this live JVM stays");
                assertTrue(Files.exists(liveChild.resolve(RunDir.OWNER)), "the run dir of a live process stays");
                assertTrue(Files.exists(legacyLive.resolve(RunDir.LEGACY_OWNER)), "an older Corral's run dir of a live JVM stays");

                Path made = started.path();
                assertTrue(made.getFileName().toString().startsWith("corral-"), made.toString());
                assertEquals(Optional.of(RunDir.Owner.current()).map(RunDir.Owner::pid),
                        RunDir.Owner.of(made).map(RunDir.Owner::pid), "the new run dir names this JVM");
                assertTrue(Files.exists(started.script(RunDir.LIFELINE)), "and has the loader scripts");
                assertTrue(Files.exists(started.script(RunDir.WSGI_LOADER).resolve("__main__.py")), "the WSGI loader");
                assertTrue(Files.exists(started.script(RunDir.NODE_LOADER).resolve("package.json"))
                        && Files.exists(started.script(RunDir.NODE_LOADER).resolve("index.js")), "the Node loader");
                RunDir.removeAbandoned(tmp);
                assertTrue(Files.exists(made.resolve(RunDir.OWNER)), "another engine's start keeps it while this JVM lives");
            } finally {
                started.delete();
            }
            assertFalse(Files.exists(started.path()), "the engine's stop removes its own");
        } finally {
            live.getOutputStream().close();
            assertTrue(live.waitFor(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void whatIsNotCorralsIsNeverTouched(@TempDir Path tmp) throws Exception {
        long deadPid = exitedPid();
        RunDir.Owner gone = new RunDir.Owner(deadPid, Instant.now());
        Path unmarked = Files.createDirectories(tmp.resolve("corral-notes"));
        Files.writeString(unmarked.resolve("notes.txt"), "mine");
        Path otherName = marked(tmp.resolve("tomcat-dead"), gone);
        Path foreignMark = Files.createDirectories(tmp.resolve("corral-foreign"));
        Files.writeString(foreignMark.resolve(RunDir.OWNER), "pid=" + deadPid + "\n");   // no Corral header
        Path garbledLegacy = Files.createDirectories(tmp.resolve("corral-garbled"));
        Files.writeString(garbledLegacy.resolve(RunDir.LEGACY_OWNER), "not a pid\n");
        Path file = Files.writeString(tmp.resolve("corral-file"), "a file");
        // a link named like a run dir, to a directory that looks abandoned: neither is removed
        Path target = marked(Files.createDirectories(tmp.resolve("elsewhere")).resolve("corral-target"), gone);
        Path link = Files.createSymbolicLink(tmp.resolve("corral-link"), target);

        RunDir.removeAbandoned(tmp);

        assertTrue(Files.exists(unmarked.resolve("notes.txt")), "a corral-* directory without a mark");
        assertTrue(Files.exists(otherName.resolve(RunDir.OWNER)), "a marked directory not named corral-*");
        assertTrue(Files.exists(foreignMark.resolve(RunDir.OWNER)), "a mark that is not Corral's");
        assertTrue(Files.exists(garbledLegacy.resolve(RunDir.LEGACY_OWNER)), "a mark that names no pid");
        assertTrue(Files.exists(file), "a file named corral-*");
        assertTrue(Files.isSymbolicLink(link), "a link named corral-*");
        assertTrue(Files.exists(target.resolve(RunDir.OWNER)), "the directory a link points to");
    }

    @Test
    void aRunDirOfAnotherUserIsNeverTouched(@TempDir Path tmp) throws Exception {
        Path theirs = marked(tmp.resolve("corral-theirs"), new RunDir.Owner(exitedPid(), Instant.now()));
        UserPrincipal nobody;
        try {
            nobody = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(theirs, nobody);
        } catch (IOException | UnsupportedOperationException e) {
            nobody = null;
        }
        assumeTrue(nobody != null, "giving a directory to user nobody takes root");

        RunDir.removeAbandoned(tmp);

        assertEquals(nobody, Files.getOwner(theirs, LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(theirs.resolve(RunDir.OWNER)), "a run dir that another user owns stays");
    }

    /** The pid of a process that has exited and been reaped. */
    private static long exitedPid() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        assertTrue(exited.waitFor(10, TimeUnit.SECONDS));
        assertFalse(ProcessHandle.of(exited.pid()).isPresent(), "pid " + exited.pid() + " was reused at once");
        return exited.pid();
    }

    private static Path marked(Path dir, RunDir.Owner owner) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(RunDir.OWNER), owner.render());
        return dir;
    }

    private static Path legacy(Path dir, long pid) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(RunDir.LEGACY_OWNER), Long.toString(pid));
        return dir;
    }
}
