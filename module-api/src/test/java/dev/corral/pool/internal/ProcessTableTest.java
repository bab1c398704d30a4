package dev.corral.pool.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the status, JMX and maxMemory read of an app process's tree. */
class ProcessTableTest {
    @Test
    void aStatLineIsReadFromItsLastParenthesisSoThatAnyCommandNameParses() {
        String line = "4242 (my (odd) app) S 17 4242 4242 0 -1 4194560 500 0 0 0 "
                + "30 12 0 0 20 0 3 0 123456 98765432 2500 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        ProcessTable.Entry entry = ProcessTable.parse(line);
        assertEquals(17, entry.parent());
        assertEquals(42, entry.cpuTicks(), "utime + stime");
        assertEquals(2500, entry.residentPages());
        assertNull(ProcessTable.parse("4242 (cut"));
        assertNull(ProcessTable.parse("4242 (short) S 1 2 3"));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aTreesUsageCountsTheRootAndEveryDescendant() throws Exception {
        // a shell that forks two children which each hold 20 MiB: the tree is three processes
        Process shell = new ProcessBuilder("sh", "-c",
                "python3 -c 'import time; b = bytearray(20 << 20); time.sleep(60)' & "
                        + "python3 -c 'import time; b = bytearray(20 << 20); time.sleep(60)' & wait")
                .redirectErrorStream(true).start();
        try {
            // both children's 20 MiB counted in the tree
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> ProcessTable.lazy().usage(shell.pid()),
                            u -> shell.descendants().count() == 2 && u.residentBytes() > 40L << 20);
            ProcessTable table = ProcessTable.lazy();
            long tree = table.usage(shell.pid()).residentBytes();
            long children = shell.descendants().mapToLong(c -> table.usage(c.pid()).residentBytes()).sum();
            assertTrue(children > 40L << 20 && tree > children, "the tree " + tree + " holds the shell and its children " + children);
        } finally {
            shell.descendants().forEach(ProcessHandle::destroyForcibly);
            shell.destroyForcibly();
            shell.waitFor();
        }
        assertEquals(ProcessTable.Usage.NONE, ProcessTable.lazy().usage(shell.pid()), "an exited process reads as nothing");
    }
}
