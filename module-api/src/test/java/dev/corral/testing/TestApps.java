package dev.corral.testing;

import dev.corral.config.AppSettings;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The test apps shipped in the test jar: {@code app.py} (a WSGI app run by the bundled loader)
 * and {@code threaded_server.py} (a generic threaded HTTP server that records how many requests
 * it serves at once). Installs them into a directory and builds settings for them.
 */
public final class TestApps {
    /** The real interpreter behind {@code python3} (a pyenv shim would add a second to every start). */
    public static final String PYTHON = locatePython();

    private TestApps() {
    }

    private static String locatePython() {
        try {
            Process probe = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)").start();
            String out = new String(probe.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            return probe.waitFor() == 0 && !out.isEmpty() ? out : "python3";
        } catch (IOException e) {
            return "python3";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "python3";
        }
    }

    /** Copies the test apps into {@code dir} and returns it. */
    public static Path install(Path dir) {
        try {
            Files.createDirectories(dir);
            for (String file : new String[] {"app.py", "threaded_server.py", "app.js", "wedged_server.py"}) {
                try (InputStream in = TestApps.class.getResourceAsStream("/dev/corral/testapps/" + file)) {
                    Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A WSGI app served by the bundled loader from {@code app.py}. */
    public static AppSettings wsgi(String name, Path root) {
        AppSettings settings = app(name, root, "wsgi");
        settings.setEntryPoint("app:application");
        return settings;
    }

    /** A Node app ({@code app.js}) that calls {@code listen(3000)}, run by the bundled node loader. */
    public static AppSettings node(String name, Path root) {
        AppSettings settings = app(name, root, "node");
        settings.setEntryPoint("app.js");
        return settings;
    }

    /** The generic threaded server, which accepts any number of requests at once. */
    public static AppSettings threaded(String name, Path root) {
        AppSettings settings = app(name, root, "generic");
        settings.setCommand(PYTHON + " -u threaded_server.py");
        return settings;
    }

    /**
     * A generic server that answers at once (closing each connection) until its file
     * {@code WEDGED-<pid>} appears, then accepts nothing more and fills its listen backlog: every
     * later connect to it blocks.
     */
    public static AppSettings wedged(String name, Path root) {
        AppSettings settings = app(name, root, "generic");
        settings.setCommand(PYTHON + " -u wedged_server.py");
        return settings;
    }

    private static AppSettings app(String name, Path root, String type) {
        AppSettings settings = new AppSettings();
        settings.setName(name);
        settings.setAppRoot(root.toString());
        settings.setType(type);
        settings.setShutdownTimeout("5s");
        // tests run as root in CI: a container running as root starts no app as root without it
        settings.setAllowRoot("true");
        return settings;
    }
}
