package dev.corral.it;

import dev.corral.testing.TestApps;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The apps of the README's examples, installed where the README's {@code /srv/<app>} stands:
 * {@code blog} and {@code admin} (the WSGI test app, {@code app.py}), {@code shop} (the Node test
 * app, {@code app.js}), {@code api} (an ASGI app, {@code asgi.py}) and {@code files} (a static
 * file, {@code files/hello.txt}, for Python's http.server).
 */
final class ItApps {
    static final String FILE_TEXT = "hello from http.server\n";

    private ItApps() {
    }

    /** Installs every app under {@code apps} and returns it. */
    static Path install(Path apps) throws IOException {
        TestApps.install(apps.resolve("blog"));
        TestApps.install(apps.resolve("admin"));
        TestApps.install(apps.resolve("shop"));
        Files.createDirectories(apps.resolve("api"));
        try (InputStream in = ItApps.class.getResourceAsStream("asgi.py")) {
            Files.copy(in, apps.resolve("api/asgi.py"));
        }
        Files.createDirectories(apps.resolve("files/files"));
        Files.writeString(apps.resolve("files/files/hello.txt"), FILE_TEXT);
        return apps;
    }
}
