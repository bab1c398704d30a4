package dev.corral.examples;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonTest {

    @Test
    void writesWhatAJsonParserReadsBackUnchanged() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("version", 1L);
        value.put("text", "quote \" backslash \\ newline \n tab \t bell \u0007 é");
        value.put("yes", true);
        value.put("nothing", null);
        value.put("half", 0.5);
        value.put("list", List.of(1L, "two", List.of(), Map.of()));
        value.put("nested", Map.of("key", -3L));

        Object parsed = MiniJson.parse(Json.write(value));

        assertEquals(value, parsed);
        assertEquals(List.copyOf(value.keySet()), List.copyOf(((Map<?, ?>) parsed).keySet()), "keys keep their order");
    }

    @Test
    void writesWholeDoublesWithoutAFractionAndNonFiniteOnesAsNull() {
        assertEquals("[\n  2,\n  1.5e-7,\n  null,\n  null\n]",
                Json.write(Arrays.asList(2.0, 1.5e-7, Double.NaN, Double.POSITIVE_INFINITY)));
        assertEquals(Arrays.asList(2L, 1.5e-7, null, null), MiniJson.parse(Json.write(new Object[] {2.0, 1.5e-7, Double.NaN, null})));
    }

    @Test
    void refusesAValueWithoutAJsonForm() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of("when", new Object())));
    }
}
