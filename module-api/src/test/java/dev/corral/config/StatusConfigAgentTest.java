package dev.corral.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent-check settings: off by default, loopback by default, every bad value reported with what is allowed. */
class StatusConfigAgentTest {

    private static StatusConfig bind(String port, String address, List<ConfigException.Problem> problems) {
        return StatusConfig.bind(null, null, null, port, address, problems);
    }

    @Test
    void theAgentIsOffAndOnLoopbackUnlessSet() {
        List<ConfigException.Problem> problems = new ArrayList<>();
        StatusConfig config = bind(null, null, problems);
        assertEquals(List.of(), problems);
        assertFalse(config.agentEnabled());
        assertEquals("127.0.0.1", config.agentBind().getHostAddress());
        assertFalse(StatusConfig.OFF.agentEnabled());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "10.1.2.3", "::1", "[::1]", " 127.0.0.1 "})
    void takesAnIpAddressToBind(String address) {
        List<ConfigException.Problem> problems = new ArrayList<>();
        StatusConfig config = bind("9100", address, problems);
        assertEquals(List.of(), problems);
        assertTrue(config.agentEnabled());
        assertEquals(9100, config.agentPort());
    }

    @Test
    void reportsABadPortAndABadAddressAtOnce() {
        List<ConfigException.Problem> problems = new ArrayList<>();
        assertNull(bind("70000", "localhost", problems));
        assertEquals(List.of("'agentPort' must be an integer 0..65535 (0 = off), but was [70000]",
                "'agentBind' must be an IP address such as 127.0.0.1, 10.0.0.5, 0.0.0.0 or ::1, but was [localhost]"),
                problems.stream().map(Object::toString).toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "abc", "9100.5", "65536"})
    void rejectsPortsOutOfRange(String port) {
        List<ConfigException.Problem> problems = new ArrayList<>();
        bind(port, null, problems);
        assertEquals(1, problems.size(), problems::toString);
        assertEquals("agentPort", problems.get(0).setting());
    }

    @ParameterizedTest
    @ValueSource(strings = {"300.1.1.1", "1.2.3", "example.com", "fe80::zz", "127.0.0.1:9100"})
    void rejectsWhatIsNoIpAddressWithoutLookingItUp(String address) {
        List<ConfigException.Problem> problems = new ArrayList<>();
        bind("9100", address, problems);
        assertEquals(1, problems.size(), problems::toString);
        assertEquals("agentBind", problems.get(0).setting());
    }
}
