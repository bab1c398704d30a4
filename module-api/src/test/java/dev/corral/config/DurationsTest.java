package dev.corral.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.corral.config.ConfigException.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurationsTest {

    private final List<Problem> problems = new ArrayList<>();

    @ParameterizedTest
    @CsvSource({
            "250ms, PT0.25S",
            "30s, PT30S",
            "5m, PT5M",
            "1h, PT1H",
            "0, PT0S",
            "0ms, PT0S",
            "90, PT1M30S",
            "' 45s ', PT45S"})
    void parsesEachUnitAndBareSeconds(String value, String iso) {
        assertEquals(Duration.parse(iso), Durations.parse("queueTimeout", value, problems));
        assertTrue(problems.isEmpty(), problems::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "-5s", "1.5s", "5 s", "5d", "PT5S", "10sec", "99999999999999999999h"})
    void rejectsOtherSpellingsNamingSettingValueAndForm(String value) {
        assertNull(Durations.parse("queueTimeout", value, problems));
        assertEquals(List.of(new Problem("queueTimeout", value.trim(), Durations.ALLOWED)), problems);
        assertEquals("'queueTimeout' must be a duration such as 250ms, 30s, 5m or 1h (a bare number is seconds),"
                + " but was [" + value.trim() + "]", problems.get(0).toString());
    }

    @Test
    void reportsMissingValueAsRequired() {
        assertNull(Durations.parse("spawnTimeout", null, problems));
        assertEquals("'spawnTimeout' is required: " + Durations.ALLOWED, problems.get(0).toString());
    }

    @ParameterizedTest
    @CsvSource({
            "PT1M, 1m",
            "PT1.5S, 1500ms",
            "PT0S, 0s",
            "PT90S, 90s",
            "PT2H, 2h",
            "PT61M, 61m",
            "PT0.001S, 1ms"})
    void formatsInTheLargestExactUnit(String iso, String expected) {
        assertEquals(expected, Durations.format(Duration.parse(iso)));
    }

    @Test
    void formatRoundTripsThroughParse() {
        for (Duration d : List.of(Duration.ofMillis(1500), Duration.ofMinutes(90), Duration.ofHours(25), Duration.ZERO)) {
            assertEquals(d, Durations.parse("x", Durations.format(d), problems));
        }
    }

    @Test
    void formatFallsBackToIsoForSubMillisecondAndNegative() {
        assertEquals("PT0.0000015S", Durations.format(Duration.ofNanos(1500)));
        assertEquals("PT-1S", Durations.format(Duration.ofSeconds(-1)));
    }
}
