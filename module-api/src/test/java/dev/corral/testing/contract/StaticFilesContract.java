package dev.corral.testing.contract;

import dev.corral.pool.AppStatus;
import dev.corral.testing.RawHttp;

import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Static files: GET and HEAD of a file under the app's {@code public/} directory
 * ({@code staticDir}) are answered by the container itself, with its validators, conditional
 * and range requests, and never reach (or start) an app process; everything else goes to the
 * app; paths that try to leave the directory, and symbolic links, are refused with 404.
 */
public abstract class StaticFilesContract extends ContractSupport {
    private static final String CSS = "body { color: #123456; }\n/* a static file */\n";
    private static final String SECRET = "TOP-SECRET-OUTSIDE-PUBLIC";

    /** {@code public/} with {@code css/site.css}, a dotfile, and a secret file beside it, outside. */
    private Path publish() throws Exception {
        Path dir = Files.createDirectories(appRoot.resolve("public"));
        Files.createDirectories(dir.resolve("css"));
        Files.writeString(dir.resolve("css/site.css"), CSS);
        Files.writeString(dir.resolve(".hidden"), SECRET);
        Files.writeString(appRoot.resolve("secret.txt"), SECRET);
        return dir;
    }

    /** Nothing of the app ran: no process, none starting, no request served or failed by one. */
    private void assertNoProcessTouched(String app) {
        AppStatus status = app(app).status();
        assertEquals(0, status.processes(), status.toString());
        assertEquals(0, status.spawning(), status.toString());
        assertEquals(0, status.served(), status.toString());
    }

    @Test
    void servesAFileWithValidatorsConditionalAndRangeRequestsWithoutAnyProcess() throws Exception {
        publish();
        start(wsgi("site").minProcesses(0));

        HttpResponse<String> file = get("/css/site.css");
        assertEquals(200, file.statusCode());
        assertEquals(CSS, file.body());
        assertTrue(file.headers().firstValue("Content-Type").orElse("").startsWith("text/css"), file.headers().toString());
        String etag = file.headers().firstValue("ETag").orElse(null);
        String lastModified = file.headers().firstValue("Last-Modified").orElse(null);
        assertNotNull(etag, file.headers().toString());
        assertTrue(etag.startsWith("W/\""), "a weak ETag: " + etag);
        assertEquals("bytes", file.headers().firstValue("Accept-Ranges").orElse(null), file.headers().toString());
        assertNotNull(lastModified, file.headers().toString());

        RawHttp.Response head = RawHttp.exchange(base, "HEAD", "/css/site.css");
        assertEquals(200, head.status());
        assertEquals(Integer.toString(CSS.length()), head.header("Content-Length"));
        assertEquals("", head.body());

        assertEquals(304, RawHttp.exchange(base, "GET", "/css/site.css", "If-None-Match: " + etag).status());
        assertEquals(304, RawHttp.exchange(base, "GET", "/css/site.css", "If-Modified-Since: " + lastModified).status());

        RawHttp.Response range = RawHttp.exchange(base, "GET", "/css/site.css", "Range: bytes=0-3");
        assertEquals(206, range.status());
        assertEquals("body", range.body());
        assertEquals("bytes 0-3/" + CSS.length(), range.header("Content-Range"));

        assertNoProcessTouched("site");
    }

    @Test
    void missingFilesDirectoriesDotfilesAndOtherMethodsGoToTheApp() throws Exception {
        publish();
        start(wsgi("site"));
        for (String path : List.of("/missing.css", "/css/", "/css", "/", "/.hidden")) {
            HttpResponse<String> response = get(path);
            assertEquals(200, response.statusCode(), path);
            assertTrue(response.body().startsWith("hello from site pid "), path + ": " + response.body());
        }
        HttpResponse<String> post = post("/css/site.css", "x=1");
        assertTrue(post.body().startsWith("hello from site pid "), "a POST goes to the app: " + post.body());
        HttpResponse<String> delete = http.send(HttpRequest.newBuilder(base.resolve("/css/site.css")).timeout(DEADLINE)
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(delete.body().startsWith("hello from site pid "), "a DELETE goes to the app: " + delete.body());
        assertEquals(CSS, get("/css/site.css").body(), "the file itself is still served");
    }

    @Test
    void pathsThatTryToLeaveTheDirectoryAreRefusedAndNeverReachTheApp() throws Exception {
        publish();
        start(wsgi("site").minProcesses(0));
        List<String> seen = new ArrayList<>();
        for (String target : List.of("/../secret.txt", "/css/../../secret.txt", "/%2e%2e/secret.txt",
                "/css/%2e%2e/%2e%2e/secret.txt", "/css/..%2f..%2fsecret.txt", "/css%2f..%2f..%2fsecret.txt",
                "/..%5csecret.txt", "/css\\..\\..\\secret.txt", "/%252e%252e/secret.txt", "/css/%252e%252e/site.css",
                "/css/./site.css", "/css/%2e/site.css")) {
            RawHttp.Response response = RawHttp.exchange(base, "GET", target);
            seen.add(target + " -> " + response.status() + " " + response.header("X-Corral-Reason"));
            // the container's own refusal (400) before Corral sees it, or Corral's (404 path_refused)
            assertTrue(response.status() == 400 || (response.status() == 404
                    && "path_refused".equals(response.header("X-Corral-Reason"))), target + " -> " + response.status());
            assertFalse(response.body().contains(SECRET), target);
            assertFalse(response.body().contains("hello from"), target + " reached the app");
        }
        System.out.println("static traversal statuses: " + seen);
        assertTrue(seen.stream().anyMatch(s -> s.endsWith(" 404 path_refused")), seen.toString());
        assertFalse(logs.awaitMatching("request failed: reason=path_refused status=404 app=site pid=- ").isEmpty(),
                logs.lines().toString());
        assertNoProcessTouched("site");
    }

    @Test
    void symbolicLinksAreNotServedWhereverTheyPoint() throws Exception {
        Path dir = publish();
        Files.createSymbolicLink(dir.resolve("leak.txt"), appRoot.resolve("secret.txt"));
        Files.createSymbolicLink(dir.resolve("css/alias.css"), dir.resolve("css/site.css"));
        Files.createSymbolicLink(dir.resolve("outside"), appRoot);
        start(wsgi("site").minProcesses(0));
        for (String target : List.of("/leak.txt", "/css/alias.css", "/outside/secret.txt")) {
            RawHttp.Response response = RawHttp.exchange(base, "GET", target);
            assertEquals(404, response.status(), target);
            assertEquals("path_refused", response.header("X-Corral-Reason"), target);
            assertFalse(response.body().contains(SECRET), target);
        }
        assertNoProcessTouched("site");
    }

    @Test
    void staticDirNoneSendsEveryRequestToTheApp() throws Exception {
        publish();
        start(wsgi("site").staticDir("none"));
        HttpResponse<String> response = get("/css/site.css");
        assertTrue(response.body().startsWith("hello from site pid "), response.body());
    }

    @Test
    void servesFilesUnderThePathPrefixFromAConfiguredDirectory() throws Exception {
        Path assets = Files.createDirectories(appRoot.resolve("assets/css"));
        Files.writeString(assets.resolve("site.css"), CSS);
        start(wsgi("blog").pathPrefix("/blog").staticDir("assets").minProcesses(0));
        HttpResponse<String> file = get("/blog/css/site.css");
        assertEquals(200, file.statusCode());
        assertEquals(CSS, file.body());
        assertNoProcessTouched("blog");
        HttpResponse<String> missing = get("/blog/css/none.css");
        assertTrue(missing.body().startsWith("hello from blog pid "), missing.body());
    }
}
