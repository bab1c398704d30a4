package dev.corral.pool;

import dev.corral.config.AppConfig;
import dev.corral.config.AppSettings;
import dev.corral.testing.TestApps;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which requests the containers answer from an app's static files: the decision both adapters
 * share (the containers' own answers are in {@code StaticFilesContract}).
 */
class StaticFilesTest {

    @TempDir
    Path appRoot;
    private AppConfig site;
    private AppConfig blog;

    @BeforeEach
    void apps() throws Exception {
        Files.createDirectories(appRoot.resolve("public"));
        site = config("/", null);
        blog = config("/blog", null);
    }

    private AppConfig config(String prefix, String staticDir) {
        AppSettings settings = TestApps.wsgi("site", appRoot);   // the shared fixture's app settings
        settings.setPathPrefix(prefix);
        settings.setStaticDir(staticDir);
        return settings.toConfig();
    }

    @Test
    void aGetOrHeadUnderThePrefixIsACandidateFileBelowTheDirectory() {
        assertEquals(new StaticFiles.Lookup(StaticFiles.Kind.FILE, "/css/a.css", null),
                StaticFiles.lookup(site, "GET", "/css/a.css?v=3", "/css/a.css"));
        assertEquals(new StaticFiles.Lookup(StaticFiles.Kind.FILE, "/css/a b.css", null),
                StaticFiles.lookup(blog, "HEAD", "/blog/css/a%20b.css", "/blog/css/a b.css"));
    }

    @ParameterizedTest
    @CsvSource({
            "POST,   /css/a.css, /css/a.css",
            "DELETE, /css/a.css, /css/a.css",
            "GET,    /,          /",
            "GET,    /css/,      /css/",
            "GET,    /.well-known/acme-challenge/x, /.well-known/acme-challenge/x",
            "GET,    /css/.hidden, /css/.hidden",
            "GET,    /%2egit/config, /.git/config",
    })
    void otherMethodsDirectoriesAndDotfilesGoToTheApp(String method, String raw, String decoded) {
        assertEquals(StaticFiles.Kind.APP, StaticFiles.lookup(site, method, raw, decoded).kind());
    }

    @Test
    void theApplicationGetsEverythingWithoutAStaticDirectory() {
        assertEquals(StaticFiles.Kind.APP, StaticFiles.lookup(config("/", "none"), "GET", "/a.css", "/a.css").kind());
        assertEquals(StaticFiles.Kind.APP, StaticFiles.lookup(config("/", "none"), "GET", "/../x", "/x").kind());
        assertEquals(StaticFiles.Kind.APP, StaticFiles.lookup(blog, "GET", "/blog", "/blog").kind(), "the prefix itself");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/../etc/passwd", "/css/../../x", "/%2e%2e/x", "/%2E%2E/x", "/css/.%2e/x", "/./a.css",
            "/css/%2e/a.css", "/css%2f..%2fx", "/css%2F..%2Fx", "/..%5cx", "/css\\..\\x", "/%252e%252e/x",
            "/a.css%00.txt", "/css/..;x=1/a.css"})
    void pathsThatTryToLeaveTheDirectoryAreRefused(String raw) {
        StaticFiles.Lookup lookup = StaticFiles.lookup(site, "GET", raw, "/whatever");
        assertEquals(StaticFiles.Kind.REFUSE, lookup.kind(), raw);
        assertTrue(lookup.why().contains(raw), lookup.why());
    }

    @Test
    void aPathTheContainerNormalizedOutOfThePrefixIsRefused() {
        StaticFiles.Lookup lookup = StaticFiles.lookup(blog, "GET", "/blog/x", "/other/x");
        assertEquals(StaticFiles.Kind.REFUSE, lookup.kind());
        assertEquals("[/blog/x] leaves pathPrefix [/blog]", lookup.why());
    }
}
