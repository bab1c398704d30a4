package dev.corral.examples;

import dev.corral.pool.ProcessStatus;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The demo end to end, in-process: real Jetty, real Python processes. */
class DemoTest {
    private static final Pattern SERVED_BY = Pattern.compile("Served by process (\\d+)");

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void needsPython() throws Exception {
        boolean python;
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            python = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            python = false;
        }
        assumeTrue(python, "python3 is not on the PATH");
    }

    @Test
    @Timeout(30)
    void servesTheBundledAppOnAFreePortAndLeavesNoProcessBehind() throws Exception {
        List<ProcessHandle> processes = new ArrayList<>();
        try (Demo demo = Demo.start(DemoOptions.parse("--host", "127.0.0.1", "--port", "0"))) {
            URI uri = demo.uri();
            assertTrue(uri.getPort() > 0, uri::toString);

            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode(), response::body);
            Matcher pid = SERVED_BY.matcher(response.body());
            assertTrue(pid.find(), response::body);
            assertTrue(response.body().contains("<b>demo</b>"), response::body);
            assertTrue(response.body().contains("<th>X-Request-Id</th>"), response::body);
            for (ProcessStatus process : demo.corral().apps().get(0).status().processList()) {
                ProcessHandle.of(process.pid()).ifPresent(handle -> {
                    processes.add(handle);
                    handle.descendants().forEach(processes::add);
                });
            }
            assertTrue(processes.stream().anyMatch(p -> p.pid() == Long.parseLong(pid.group(1))),
                    "the serving pid " + pid.group(1) + " is not among the app's processes " + processes);
        }
        for (ProcessHandle process : processes) {
            assertFalse(process.isAlive(), "process " + process.pid() + " outlived the demo");
        }
    }

    @Test
    @Timeout(30)
    void answersRequestsOutsideThePathPrefixWithJettys404() throws Exception {
        try (Demo demo = Demo.start(DemoOptions.parse("--host", "127.0.0.1", "--port", "0",
                "--set", "pathPrefix=/demo", "--set", "minProcesses=0"))) {
            assertEquals("/demo/", demo.uri().getPath());
            URI elsewhere = demo.uri().resolve("/elsewhere");

            HttpResponse<String> response = client.send(HttpRequest.newBuilder(elsewhere).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(404, response.statusCode());
            assertEquals(0, demo.corral().apps().get(0).status().processes());
        }
    }

    @Test
    @Timeout(30)
    void withJmxPortTheAppIsManagedOverRemoteJmx() throws Exception {
        try (Demo demo = Demo.start(DemoOptions.parse("--host", "127.0.0.1", "--port", "0", "--jmx-port", "0"))) {
            assertTrue(demo.banner().contains("JMX at localhost:" + demo.jmx().port()), demo.banner());
            try (javax.management.remote.JMXConnector connector =
                         javax.management.remote.JMXConnectorFactory.connect(demo.jmx().url())) {
                javax.management.MBeanServerConnection remote = connector.getMBeanServerConnection();
                javax.management.ObjectName app = new javax.management.ObjectName("dev.corral:type=App,name=demo");
                assertEquals(2, remote.getAttribute(app, "MinProcesses"));
                remote.invoke(app, "scale", new Object[] {1, 4}, new String[] {"int", "int"});
                assertEquals(1, demo.corral().apps().get(0).config().minProcesses());
            }
        }
    }
}
