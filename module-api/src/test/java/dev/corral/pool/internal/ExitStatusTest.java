package dev.corral.pool.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ExitStatusTest {
    @Test
    void namesSignalsByShellConvention() {
        assertEquals("exit code 0", ExitStatus.describe(0));
        assertEquals("exit code 3", ExitStatus.describe(3));
        assertEquals("signal 9 (SIGKILL, exit code 137)", ExitStatus.describe(137));
        assertEquals("signal 15 (SIGTERM, exit code 143)", ExitStatus.describe(143));
    }
}
