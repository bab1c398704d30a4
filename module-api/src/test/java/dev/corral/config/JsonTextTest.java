package dev.corral.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonTextTest {
    @Test
    void quotesWhatCouldEndTheStringOrBreakALine() {
        assertEquals("\"say \\\"hi\\\" \\\\ bye\"", JsonText.quote("say \"hi\" \\ bye"));
        assertEquals("\"a\\nb\\rc\\td\"", JsonText.quote("a\nb\rc\td"));
        assertEquals("\"\\u0000\\u001f\\u2028\\u2029\"", JsonText.quote("\u0000\u001f\u2028\u2029"));
        assertEquals("\"café ✓\"", JsonText.quote("café ✓"), "other characters as they are");
        assertEquals("null", JsonText.quote(null));
        assertEquals("[\"x\"", JsonText.quote("x", new StringBuilder("[")).toString(), "appends to what is there");
    }
}
