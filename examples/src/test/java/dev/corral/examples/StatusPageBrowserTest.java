package dev.corral.examples;

import dev.corral.pool.ProcessStatus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status page in a real browser (Debian's chromium, headless): it renders, its process table
 * lists the live pids, and the chart has points. The screenshot it takes is the one in
 * {@code docs/status-page.png} (copied there by hand when the page changes).
 */
class StatusPageBrowserTest {
    private static final Pattern POINTS = Pattern.compile("class=\"queued\"[^>]*points=\"([^\"]*)\"");

    @TempDir
    Path tmp;

    @Test
    @Timeout(90)
    void thePageRendersInAHeadlessBrowserWithTheLivePidsAndAChart() throws Exception {
        try (Demo demo = Demo.start(DemoOptions.parse("--host", "127.0.0.1", "--port", "0",
                "--set", "statusPath=/corral-status", "--set", "minProcesses=2"))) {
            URI status = demo.uri().resolve("/corral-status");
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 5; i++) {
                assertEquals(200, http.send(HttpRequest.newBuilder(demo.uri()).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode());
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> demo.corral().apps().get(0).status().ready() == 2
                    && points(http.send(HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString()).body()) >= 3);

            String dom = chromium(tmp, "--dump-dom", status.toString());
            for (ProcessStatus process : demo.corral().apps().get(0).status().processList()) {
                assertTrue(dom.contains("<td>" + process.pid() + "</td>"), "the rendered table lists pid " + process.pid());
            }
            assertTrue(points(dom) >= 3, "the chart has points: " + dom);
            assertTrue(dom.contains("<h2 id=\"app-demo\">app demo</h2>"), dom);

            Path screenshot = Path.of("target", "status-page.png").toAbsolutePath();
            Files.deleteIfExists(screenshot);
            chromium(tmp, "--screenshot=" + screenshot, "--window-size=1100,760", status + "?refresh=0");
            assertTrue(Files.size(screenshot) > 10_000, "a screenshot of the page: " + Files.size(screenshot) + " bytes");
        }
    }

    private static int points(String html) {
        Matcher m = POINTS.matcher(html);
        return m.find() ? m.group(1).trim().split(" ").length : 0;
    }

    /** Runs Debian's chromium headless on a fresh profile, without any network of its own; returns its stdout. */
    private static String chromium(Path tmp, String... args) throws IOException, InterruptedException {
        Path chromium = Path.of("/usr/bin/chromium");
        assertTrue(Files.isExecutable(chromium), "the browser test needs Debian's chromium (apt-get install chromium)");
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + Files.createTempDirectory(tmp, "profile")));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "chromium finished");
        assertEquals(0, process.exitValue(), "chromium " + String.join(" ", args));
        return out;
    }
}
