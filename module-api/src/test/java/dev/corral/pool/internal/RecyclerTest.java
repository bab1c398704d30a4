package dev.corral.pool.internal;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecyclerTest {
    @Test
    void limitsAreRaisedByUpToTenPercentSoAPoolDoesNotRecycleAtOnce() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            long limit = Recycler.jitter(1000);
            assertTrue(limit >= 1000 && limit <= 1100, "jittered limit " + limit);
            seen.add(limit);
        }
        assertTrue(seen.size() > 20, "limits differ from process to process: " + seen.size() + " distinct");
        assertEquals(0, Recycler.jitter(0), "a limit that is off stays off");
    }

    @Test
    void readsTheResidentSetOfAProcessTree() {
        long self = Recycler.residentBytes(ProcessHandle.current().pid());
        assertTrue(self > 10L << 20, "this JVM uses more than 10 MB: " + self);
        assertEquals(0, Recycler.residentBytes(Long.MAX_VALUE / 2), "a process that does not exist");
    }
}
