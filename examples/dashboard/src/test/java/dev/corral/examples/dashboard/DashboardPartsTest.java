package dev.corral.examples.dashboard;

import dev.corral.event.ProcessExited;
import dev.corral.event.QueueFull;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The dashboard's JSON and its event log, without a container (the it-tests deploy the WAR). */
class DashboardPartsTest {

    @Test
    void jsonWritesCorralsRecordsByTheirComponents() {
        ProcessExited exited = new ProcessExited("demo", Instant.parse("2026-12-03T10:00:00Z"), 42, 40, "crashed", 137,
                "signal 9 (SIGKILL, exit code 137)", 3, List.of("GET /slow \"x\""));
        assertEquals("{\"app\":\"demo\",\"time\":\"2026-12-03T10:00:00Z\",\"pid\":42,\"processGroup\":40,"
                + "\"cause\":\"crashed\",\"exitCode\":137,\"exitStatus\":\"signal 9 (SIGKILL, exit code 137)\","
                + "\"served\":3,\"interrupted\":[\"GET /slow \\\"x\\\"\"]}", Json.write(exited));
    }

    @Test
    void jsonEscapesAndWritesMapsListsNumbersAndNull() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("text", "a\\b\n\t\u0001");
        value.put("list", List.of(1, 2.5, true));
        value.put("none", null);
        value.put("nan", Double.NaN);
        assertEquals("{\"text\":\"a\\\\b\\n\\t\\u0001\",\"list\":[1,2.5,true],\"none\":null,\"nan\":null}", Json.write(value));
    }

    @Test
    void theEventLogKeepsTheLastEventsInOrderAndCountsAll() {
        EventLog log = new EventLog();
        int sent = EventLog.KEEP + 5;
        for (int i = 1; i <= sent; i++) {
            log.on(new QueueFull("demo", Instant.EPOCH, 1, i));
        }
        List<EventLog.Entry> kept = log.entries();
        assertEquals(EventLog.KEEP, kept.size());
        assertEquals(sent, log.received());
        assertEquals(6, kept.get(0).number());
        assertEquals(sent, kept.get(kept.size() - 1).number());
        assertEquals("QueueFull", kept.get(0).type());
        assertEquals(Thread.currentThread().getName(), kept.get(0).thread());
        assertEquals(sent, ((QueueFull) kept.get(kept.size() - 1).event()).rejected());
    }
}
