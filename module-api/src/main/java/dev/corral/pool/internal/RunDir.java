package dev.corral.pool.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The engine's private working directory (mode 0700): the app sockets, and the bundled loader
 * scripts copied out of the jar so that {@code sh} and {@code python3} can run them.
 * Socket paths must stay under ~100 bytes, so the directory should have a short path.
 */
public final class RunDir {
    static final String LIFELINE = "lifeline.sh";
    /**
     * A directory, run as {@code python -u lib/corral-wsgi <entry>}: its {@code __main__.py} and
     * the package {@code corral_wsgi}. Copied as files rather than built into a zipapp: Python
     * caches their bytecode in {@code __pycache__} for the next spawns (a zipapp is compiled
     * again at every start), and tracebacks point at files one can read.
     */
    static final String WSGI_LOADER = "corral-wsgi";
    static final String NODE_LOADER = "node_loader.js";
    private static final String[] SCRIPTS = {LIFELINE, NODE_LOADER};
    /** The WSGI loader's files, one path a line: the resources of a jar cannot be listed. */
    private static final String WSGI_LOADER_INDEX = WSGI_LOADER + "/FILES";

    /** In a temp run dir: the pid of the JVM that made it, so a later one can remove it if that JVM died. */
    static final String OWNER = "owner.pid";

    private final Path dir;
    private final boolean owned;

    private RunDir(Path dir, boolean owned) {
        this.dir = dir;
        this.owned = owned;
    }

    /**
     * Creates (or reuses) the directory with mode 0700 and installs the loader scripts.
     *
     * @param dir   the directory, or null for a fresh one under {@code java.io.tmpdir}
     */
    public static RunDir create(Path dir) {
        try {
            boolean owned = dir == null;
            if (owned) {
                removeAbandoned(Path.of(System.getProperty("java.io.tmpdir")));
            }
            Path path = owned
                    ? Files.createTempDirectory("corral-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
                    : Files.createDirectories(dir);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
            Files.createDirectories(path.resolve("lib"));
            List<String> scripts = new ArrayList<>(List.of(SCRIPTS));
            try (InputStream in = loaderResource(WSGI_LOADER_INDEX)) {
                new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                        .forEach(file -> scripts.add(WSGI_LOADER + "/" + file));
            }
            for (String script : scripts) {
                Path target = path.resolve("lib").resolve(script);
                Files.createDirectories(target.getParent());
                try (InputStream in = loaderResource(script)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            if (owned) {
                Files.writeString(path.resolve(OWNER), Long.toString(ProcessHandle.current().pid()));
            }
            return new RunDir(path.toAbsolutePath(), owned);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Corral's run directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static InputStream loaderResource(String name) throws IOException {
        InputStream in = RunDir.class.getResourceAsStream("/dev/corral/loaders/" + name);
        if (in == null) {
            throw new IOException("the Corral jar lacks /dev/corral/loaders/" + name);
        }
        return in;
    }

    /**
     * Removes the temp run directories of JVMs that died without cleaning up (kill -9): their
     * app processes are gone already (the lifeline saw to that), only the files remain.
     */
    static void removeAbandoned(Path tmp) {
        try (Stream<Path> dirs = Files.list(tmp)) {
            dirs.filter(d -> d.getFileName().toString().startsWith("corral-") && Files.isReadable(d.resolve(OWNER)))
                    .forEach(d -> {
                        try {
                            long owner = Long.parseLong(Files.readString(d.resolve(OWNER)).trim());
                            if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                                return;
                            }
                        } catch (IOException | NumberFormatException e) {
                            return;
                        }
                        new RunDir(d, true).delete();
                    });
        } catch (IOException | RuntimeException ignored) {
            // best effort: a leftover directory costs a few bytes
        }
    }

    public Path path() {
        return dir;
    }

    Path script(String name) {
        return dir.resolve("lib").resolve(name);
    }

    Path socket(int seq) {
        return dir.resolve(seq + ".sock");
    }

    /** Removes the directory if the engine created it. */
    void delete() {
        if (!owned) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a leftover temp dir is harmless
        }
    }
}
