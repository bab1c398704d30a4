package dev.corral.pool.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Finds the Python interpreter for the wsgi loader once per JVM. {@code python3} on the PATH may
 * be a wrapper (pyenv's shims take over a second to start), so Corral asks it once for
 * {@code sys.executable} and starts that binary directly. {@code -Dcorral.python=/path} or the
 * environment variable {@code CORRAL_PYTHON} choose another interpreter.
 */
final class Interpreters {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");
    private static volatile String python;

    private Interpreters() {
    }

    static String python() {
        String resolved = python;
        if (resolved == null) {
            synchronized (Interpreters.class) {
                if (python == null) {
                    python = resolvePython();
                }
                resolved = python;
            }
        }
        return resolved;
    }

    private static String resolvePython() {
        String configured = System.getProperty("corral.python", System.getenv("CORRAL_PYTHON"));
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        try {
            Process probe = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)")
                    .redirectErrorStream(true).start();
            probe.getOutputStream().close();
            String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (probe.waitFor(15, TimeUnit.SECONDS) && probe.exitValue() == 0 && !out.isEmpty()
                    && Files.isExecutable(Path.of(out))) {
                LOG.log(Level.INFO, "wsgi apps run with {0}", out);
                return out;
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot run python3 to locate the interpreter: {0}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "python3";
    }
}
