package dev.corral.pool.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunDirTest {
    @Test
    void removesTheRunDirectoriesOfJvmsThatDied(@TempDir Path tmp) throws Exception {
        Path dead = Files.createDirectories(tmp.resolve("corral-123"));
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        Files.writeString(dead.resolve(RunDir.OWNER), Long.toString(exited.pid()));
        Files.writeString(dead.resolve("1.sock"), "");
        Path alive = Files.createDirectories(tmp.resolve("corral-456"));
        Files.writeString(alive.resolve(RunDir.OWNER), Long.toString(ProcessHandle.current().pid()));
        Path unrelated = Files.createDirectories(tmp.resolve("corral-notes"));

        RunDir.removeAbandoned(tmp);

        assertFalse(Files.exists(dead), "the dead JVM's directory is removed");
        assertTrue(Files.exists(alive), "a live JVM's directory stays");
        assertTrue(Files.exists(unrelated), "a directory without an owner file is not ours to remove");
    }
}
