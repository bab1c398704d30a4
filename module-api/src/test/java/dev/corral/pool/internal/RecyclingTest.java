package dev.corral.pool.internal;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecyclingTest {
    @Test
    void limitsAreRaisedByUpToTenPercentSoAPoolDoesNotRecycleAtOnce() {
        Random random = new Random(7);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            long limit = Recycling.jitter(1000, random);
            assertTrue(limit >= 1000 && limit <= 1100, "jittered limit " + limit);
            seen.add(limit);
        }
        assertTrue(seen.size() > 20, "limits differ from process to process: " + seen.size() + " distinct");
        assertEquals(0, Recycling.jitter(0, random), "a limit that is off stays off");
    }

    @Test
    void readsTheResidentSetOfAProcessTree() {
        long self = ProcessTable.lazy().usage(ProcessHandle.current().pid()).residentBytes();
        assertTrue(self > 10L << 20, "this JVM uses more than 10 MB: " + self);
        assertEquals(0, ProcessTable.lazy().usage(Long.MAX_VALUE / 2).residentBytes(), "a process that does not exist");
    }
}
