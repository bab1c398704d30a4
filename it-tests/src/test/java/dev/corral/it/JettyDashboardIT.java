package dev.corral.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example WAR in the Jetty 12.1 distribution, deployed as the README says (Jetty 12.1 has no
 * working Arquillian adapter): Corral installed by the README's commands, the demo app from the
 * README's {@code corral/demo.properties}, {@code ee10-deploy}, {@code ee10-annotations} and
 * {@code ee10-cdi} enabled and the WAR copied to {@code webapps/} by the README's commands. The
 * webapp ({@code ee10} environment) gets the engine's classes from Jetty's server class path
 * ({@code lib/corral/}); the dashboard checks run over HTTP. A second copy of the WAR that bundles
 * {@code corral-module-api} in its {@code WEB-INF/lib} still shares the server's engine: the
 * corral module makes {@code dev.corral.} protected.
 */
@Timeout(240)
class JettyDashboardIT {
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(45);
    private ExternalProcess jetty;

    @AfterEach
    void tearDown() {
        if (jetty != null) {
            jetty.close();
        }
    }

    @Test
    void theExampleWarDeployedAsTheReadmeSaysCallsThePoolSeesItAndGetsItsEvents() throws Exception {
        Readme readme = Readme.load();
        JettyBase base = JettyBase.install("jetty-dashboard", readme);
        It.location("corral.it.dashboardWar");   // built by examples/dashboard's package phase
        base.runReadme(readme.block("dashboard-jetty"), "the README's commands for the dashboard");
        Readme.write(base.dir.resolve("corral/demo.properties"), readme.block("dashboard-jetty-app", base.apps));
        assertTrue(Files.exists(base.dir.resolve("webapps/dashboard.war")), "the README copies the WAR to webapps/");
        // the same WAR with its own copy of the engine's classes, which Jetty must not use
        Path engineJar;
        try (Stream<Path> jars = Files.list(base.dir.resolve("lib/corral"))) {
            engineJar = jars.filter(p -> p.getFileName().toString().startsWith("corral-module-api-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no corral-module-api jar in lib/corral"));
        }
        withLibrary(base.dir.resolve("webapps/dashboard.war"), engineJar, base.dir.resolve("webapps/bundled.war"));

        jetty = base.start(List.of());
        base.awaitHttp(jetty);
        DashboardClient dashboard = new DashboardClient(URI.create("http://127.0.0.1:" + base.port + "/dashboard/"));
        It.await("the dashboard to answer", JettyBase.START_DEADLINE,
                () -> dashboard.get("pool").statusCode() == 200, jetty::logTail);

        long pid = DashboardChecks.answersFromAPooledProcess(dashboard, jetty.process().toHandle(), jetty::logTail);
        // the network reaches the same pool at the app's pathPrefix
        HttpResponse<String> direct = It.get(base.port, "/demo/slow?ms=0");
        assertEquals(200, direct.statusCode(), () -> "GET /demo/slow?ms=0: " + It.describe(direct) + jetty.logTail());
        Matcher answer = Pattern.compile("pid (\\d+) answered after 0 ms\n").matcher(direct.body());
        assertTrue(answer.matches(), direct::body);
        assertTrue(dashboard.pids(DashboardChecks.APP, "READY").contains(Long.parseLong(answer.group(1))), direct::body);

        DashboardChecks.queueFullReachesTheCallerAsQueueFullException(dashboard, jetty::logTail);
        DashboardChecks.aKilledProcessReachesTheWebappAsEvents(dashboard, pid, jetty::logTail);

        // protected classes: the WAR with its own corral-module-api sees the server's engine and its apps
        DashboardClient bundled = new DashboardClient(URI.create("http://127.0.0.1:" + base.port + "/bundled/"));
        HttpResponse<String> call = bundled.get("call/slow?ms=0");
        assertEquals(200, call.statusCode(), () -> "the WAR that bundles corral-module-api: " + It.describe(call)
                + jetty.logTail());
        long bundledPid = Long.parseLong(call.headers().firstValue("X-Corral-Pid").orElseThrow());
        assertTrue(dashboard.pids(DashboardChecks.APP, "READY").contains(bundledPid), () -> "pid " + bundledPid);

        jetty.terminateLeavingNoProcess(STOP_DEADLINE);
        assertTrue(jetty.logText().contains("WELD-ENV-001213: Jetty CDI SPI support detected"),
                () -> "Weld did not find Jetty's CDI integration (ee10-cdi)" + jetty.logTail());
    }

    /** The README's Java snippet is the example's code: each of its lines is a line of the dashboard's sources. */
    @Test
    void theReadmesSnippetIsTheDashboardsCode() throws IOException {
        Path sources = It.location("corral.it.repository").resolve("examples/dashboard/src/main/java");
        List<String> code;
        try (Stream<Path> files = Files.walk(sources)) {
            code = files.filter(p -> p.toString().endsWith(".java")).flatMap(p -> {
                try {
                    return Files.readAllLines(p).stream();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(String::strip).collect(Collectors.toList());
        }
        Pattern trailingComment = Pattern.compile("^(.*?)\\s+// .*$");
        List<String> missing = Readme.load().block("cdi-snippet").lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.equals("...")).map(l -> {
                    Matcher m = trailingComment.matcher(l);
                    return m.matches() ? m.group(1) : l;
                }).filter(l -> !code.contains(l)).collect(Collectors.toList());
        assertEquals(List.of(), missing, "lines of the README's CDI snippet that are not in examples/dashboard's code");
    }

    /** Copies the WAR {@code war} to {@code to} with {@code jar} added to its WEB-INF/lib. */
    private static void withLibrary(Path war, Path jar, Path to) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(war));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                out.putNextEntry(new ZipEntry(entry.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry("WEB-INF/lib/" + jar.getFileName()));
            try (InputStream library = Files.newInputStream(jar)) {
                library.transferTo(out);
            }
            out.closeEntry();
        }
    }
}
