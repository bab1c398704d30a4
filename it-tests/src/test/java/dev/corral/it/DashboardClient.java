package dev.corral.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The example WAR (examples/dashboard) over HTTP, as a browser or {@code curl} sees it:
 * {@code call/<path>} calls the demo app through the webapp's injected AppClient, {@code pool} is
 * the webapp's CorralView as JSON and {@code events} the CDI events it observed.
 */
final class DashboardClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final URI base;

    /** @param base the webapp's root, e.g. {@code http://127.0.0.1:8080/dashboard/} */
    DashboardClient(URI base) {
        this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
    }

    /** {@code GET <base><path>}, with a bounded wait. */
    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(request(path), HttpResponse.BodyHandlers.ofString());
    }

    /** The same, not waiting for the answer. */
    CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return HTTP.sendAsync(request(path), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60)).GET().build();
    }

    /** {@code GET pool/<app>}: the app's snapshot (200 expected). */
    JsonNode app(String name) throws IOException, InterruptedException {
        return json("pool/" + name);
    }

    /** The pids of an app's processes in a state ({@code READY}, ...), from {@code pool/<app>}. */
    List<Long> pids(String app, String state) throws IOException, InterruptedException {
        List<Long> pids = new ArrayList<>();
        for (JsonNode process : app(app).get("processList")) {
            if (state == null || state.equals(process.get("state").asText())) {
                pids.add(process.get("pid").asLong());
            }
        }
        return pids;
    }

    /** {@code GET events}: the events the webapp observed, oldest first. */
    List<JsonNode> events() throws IOException, InterruptedException {
        List<JsonNode> events = new ArrayList<>();
        json("events").get("events").forEach(events::add);
        return events;
    }

    JsonNode json(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = get(path);
        assertEquals(200, response.statusCode(), () -> "GET " + base.resolve(path) + ": " + It.describe(response));
        return JSON.readTree(response.body());
    }

    static JsonNode parse(String json) throws IOException {
        return JSON.readTree(json);
    }
}
