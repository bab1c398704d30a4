package dev.corral.config;

import java.util.List;

import dev.corral.config.ConfigException.Problem;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConfigExceptionTest {

    private final ConfigException e = new ConfigException(List.of(
            new Problem("maxQueue", "-5", "an integer 0..1000000"),
            new Problem("name", null, "a name of letters")));

    @Test
    void messageListsEveryProblemOnePerLine() {
        assertEquals("'maxQueue' must be an integer 0..1000000, but was [-5]\n"
                + "'name' is required: a name of letters", e.getMessage());
    }

    @Test
    void rendersSettingNamesInTheUsersSpelling() {
        assertEquals("'corral.maxQueue' must be an integer 0..1000000, but was [-5]\n"
                + "'corral.name' is required: a name of letters", e.render(n -> "corral." + n));
    }

    @Test
    void keepsProblemsInOrder() {
        assertEquals(List.of("maxQueue", "name"), e.problems().stream().map(Problem::setting).toList());
    }

    @Test
    void keepsOneLinePerProblemEvenForMultiLineValues() {
        ConfigException multi = new ConfigException(List.of(new Problem("env", "A\nB", "pairs")));
        assertEquals("'env' must be pairs, but was [A\\nB]", multi.getMessage());
    }

    @Test
    void needsAtLeastOneProblem() {
        assertThrows(IllegalArgumentException.class, () -> new ConfigException(List.of()));
    }
}
