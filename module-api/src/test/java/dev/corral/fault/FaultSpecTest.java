package dev.corral.fault;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaultSpecTest {
    @Test
    void parsesPointsProbabilitiesAndTheLatency() {
        FaultSpec spec = FaultSpec.parse("connect:0.02, spawn:0.1,read-reset:0.01,latency:0.05@200ms,kill:0.001");
        assertEquals(0.02, spec.probability(FaultPoint.CONNECT));
        assertEquals(0.1, spec.probability(FaultPoint.SPAWN));
        assertEquals(0.001, spec.probability(FaultPoint.KILL));
        assertEquals(0.0, spec.probability(FaultPoint.EMFILE));
        assertEquals(Duration.ofMillis(200), spec.latency());
        assertEquals(spec, FaultSpec.parse(spec.toString()), "toString reads back");
        assertTrue(FaultSpec.parse(" ").isNone());
    }

    @Test
    void namesEveryBadPart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FaultSpec.parse("connect:2,explode:0.1,latency:0.1,spawn:x"));
        String message = e.getMessage();
        assertTrue(message.contains("[connect:2] (probability must be a number 0..1)"), message);
        assertTrue(message.contains("[explode:0.1] (unknown fault point)"), message);
        assertTrue(message.contains("[latency:0.1] (latency needs @duration"), message);
        assertTrue(message.contains("[spawn:x]"), message);
    }

    @Test
    void theSameSeedAndTheSameCallsInjectTheSameFaults() {
        FaultSpec spec = FaultSpec.parse("connect:0.3,read-reset:0.2");
        List<Boolean> first = decisions(new FaultInjector(spec, 42));
        List<Boolean> again = decisions(new FaultInjector(spec, 42));
        List<Boolean> other = decisions(new FaultInjector(spec, 43));
        assertEquals(first, again);
        assertTrue(!first.equals(other), "another seed, other faults");
        FaultInjector counted = new FaultInjector(spec, 42);
        long hits = decisions(counted).stream().filter(b -> b).count();
        assertEquals(hits, counted.counts().get(FaultPoint.CONNECT) + counted.counts().get(FaultPoint.READ_RESET));
    }

    private static List<Boolean> decisions(FaultInjector injector) {
        List<Boolean> decisions = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            decisions.add(injector.inject(i % 2 == 0 ? FaultPoint.CONNECT : FaultPoint.READ_RESET, "request " + i));
        }
        return decisions;
    }
}
