package dev.corral.examples;

import dev.corral.jmx.LoopbackJmx;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.corral.examples.CommandRun.corral;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code corral} command's line, and the failures that need no running Corral (nothing in
 * this class starts an engine, so none is registered while it runs).
 */
class CorralCommandLineTest {
    private static final String HINT = "corral: run 'java -jar corral-demo.jar help' for the commands\n";

    @Test
    void helpPrintsTheUsageWithEveryCommandAndTheExitStatuses() {
        CommandRun run = corral("help");

        assertEquals(0, run.status(), run::toString);
        assertEquals(CorralCommand.usage(), run.out());
        assertEquals("", run.err());
        for (String command : CorralCommand.COMMANDS) {
            assertTrue(run.out().lines().anyMatch(line -> line.startsWith("  " + command)), command + " missing:\n" + run.out());
        }
        assertTrue(run.out().contains("default localhost:9010"), run.out());
        assertTrue(run.out().contains("Exit status: 0 done; 1 failed"), run.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"status", "restart", "scale", "faults"})
    void helpOfACommandIsTheUsage(String command) {
        CommandRun run = corral(command, "--help");

        assertEquals(0, run.status(), run::toString);
        assertEquals(CorralCommand.usage(), run.out());
    }

    @Test
    void everyExampleInTheReadmeIsAValidCommandLine() throws IOException {
        String prefix = "java -jar examples/target/corral-demo.jar ";
        List<String> examples = Files.readAllLines(Path.of("..", "README.md")).stream()
                .filter(line -> line.startsWith(prefix) && CorralCommand.isCommand(line.substring(prefix.length()).split(" ")[0]))
                .map(line -> line.substring(prefix.length()).replaceAll("\\s+#.*", "").trim())
                .toList();

        assertTrue(examples.size() >= 8, examples::toString);
        for (String example : examples) {
            assertDoesNotThrow(() -> CorralCommand.Invocation.parse(example.split(" +")), example);
        }
    }

    @Test
    void theSubcommandsAreTheFirstArgumentsThatAreNoDemoOption() {
        for (String command : List.of("status", "restart", "scale", "drain", "resume", "detach", "faults", "help")) {
            assertTrue(CorralCommand.isCommand(command), command);
        }
        for (String demoArgument : List.of("--port", "--help", "--set", "-h", "Status", "stats")) {
            assertFalse(CorralCommand.isCommand(demoArgument), demoArgument);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", value = {
            "restart => restart takes APP, but got none",
            "status demo blog => status takes [APP], but got demo blog",
            "scale demo 1 => scale takes APP MIN MAX, but got demo 1",
            "scale demo one 2 => scale takes a whole number for MIN, but got [one]",
            "scale demo 1 2.5 => scale takes a whole number for MAX, but got [2.5]",
            "scale demo 1 3000000000 => scale takes a whole number up to 2147483647 for MAX, but got [3000000000]",
            "detach => detach takes PID, but got none",
            "detach abc => detach takes a whole number for PID, but got [abc]",
            "detach 0 => detach takes a PID > 0, but got [0]",
            "faults demo => faults takes APP SPEC|off, but got demo",
            "drain demo --json => unknown option [--json] for drain; its options are --jmx, --help",
            "restart demo --rolling => unknown option [--rolling] for restart; its options are --jmx, --all-at-once, --help",
            "status --jmx => --jmx needs a value: --jmx HOST:PORT",
            "status --jmx localhost => --jmx must be HOST:PORT, such as localhost:9010, but was [localhost]",
            "status --jmx=:9010 => --jmx must be HOST:PORT, such as localhost:9010, but was [:9010]",
            "status --jmx ::1:9010 => --jmx must be HOST:PORT, such as localhost:9010, but was [::1:9010]",
            "status --jmx localhost:0 => --jmx must be HOST:PORT with a port 1..65535, but was [localhost:0]",
            "status --jmx localhost:http => --jmx must be HOST:PORT with a port 1..65535, but was [localhost:http]",
            "status --jmx localhost:9010 --url http://localhost/status => give --jmx HOST:PORT or --url URL, not both",
    })
    void aBadCommandLineExitsWith2NamingTheProblem(String line, String problem) {
        CommandRun run = corral(line.split(" "));

        assertEquals(2, run.status(), run::toString);
        assertEquals("corral: " + problem + "\n" + HINT, run.err());
        assertEquals("", run.out());
    }

    @Test
    @Timeout(30)
    void anUnreachableTargetExitsWith1AndOneLine() throws IOException {
        int port = freePort();

        for (String[] args : List.of(new String[] {"status", "--jmx", "127.0.0.1:" + port},
                new String[] {"restart", "demo", "--jmx=127.0.0.1:" + port})) {
            CommandRun run = corral(args);

            assertEquals(1, run.status(), run::toString);
            assertTrue(run.err().startsWith("corral: cannot connect to JMX at 127.0.0.1:" + port + ": "), run::toString);
            assertTrue(run.err().contains("refused"), run::toString);
            assertEquals(1, run.err().lines().count(), run::toString);
            assertEquals("", run.out());
        }
    }

    @Test
    @Timeout(30)
    void anUnknownHostExitsWith1NamingIt() {
        CommandRun run = corral("status", "--jmx", "no-such-host.invalid:9010");

        assertEquals(1, run.status(), run::toString);
        assertEquals("corral: cannot connect to JMX at no-such-host.invalid:9010: unknown host no-such-host.invalid\n",
                run.err());
    }

    @Test
    @Timeout(30)
    void aJvmWithoutCorralExitsWith1SayingSo() {
        try (LoopbackJmx jmx = LoopbackJmx.start(0)) {
            CommandRun run = corral("status", "--jmx", "127.0.0.1:" + jmx.port());

            assertEquals(1, run.status(), run::toString);
            assertEquals("corral: no Corral engine in the JVM at JMX 127.0.0.1:" + jmx.port()
                    + " (no MBean dev.corral:type=Engine)\n", run.err());
        }
    }

    @Test
    void statusFromAStatusUrlNobodyAnswersIsOneLine() throws IOException {
        String url = "http://127.0.0.1:" + freePort() + "/corral-status";
        CommandRun run = corral("status", "--url", url);

        assertEquals(1, run.status(), run::toString);
        assertTrue(run.err().startsWith("corral: cannot read the status at " + url + ": "), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
    }

    /** A loopback port nobody listens on (free a moment ago). */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
