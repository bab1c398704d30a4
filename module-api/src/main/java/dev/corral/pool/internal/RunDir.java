package dev.corral.pool.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The engine's private working directory (mode 0700): the app sockets, and the bundled loader
 * scripts copied out of the jar so that {@code sh}, {@code python3} and {@code node} can run them.
 * Socket paths must stay under ~100 bytes, so the directory should have a short path.
 *
 * <p>Without a configured {@code runDir}, each engine makes a fresh {@code corral-*} directory
 * under {@code java.io.tmpdir}, marked with its JVM ({@link #OWNER}), removes it when it stops,
 * and on start removes those of JVMs that died without stopping (kill -9). A configured
 * directory is the operator's: reused, never removed. Immutable.
 */
public final class RunDir {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");
    static final String LIFELINE = "lifeline.sh";
    /**
     * A directory, run as {@code python -u lib/corral-wsgi <entry>}: its {@code __main__.py} and
     * the package {@code corral_wsgi}. Copied as files rather than built into a zipapp: Python
     * caches their bytecode in {@code __pycache__} for the next spawns (a zipapp is compiled
     * again at every start), and tracebacks point at files one can read.
     */
    static final String WSGI_LOADER = "corral-wsgi";
    /**
     * A directory, run as {@code node lib/corral-node <entry>}: its {@code package.json} names
     * {@code index.js}, which requires its sibling modules (CommonJS, no dependencies).
     */
    static final String NODE_LOADER = "corral-node";
    private static final String[] SCRIPTS = {LIFELINE};
    /** The loaders that are directories: each lists its files in {@link #LOADER_INDEX}. */
    private static final String[] LOADER_DIRS = {WSGI_LOADER, NODE_LOADER};
    /** A loader directory's files, one path a line: the resources of a jar cannot be listed. */
    private static final String LOADER_INDEX = "FILES";

    /**
     * In a temp run dir, the mark that it is Corral's and whose: the pid of the JVM that made it
     * and that JVM's start time, so that a later JVM removes it once its owner is gone, and does
     * not mistake another process that got the same pid for the owner.
     */
    static final String OWNER = "corral-owner";
    /** The mark of Corral versions before {@link #OWNER}: the owner's pid alone. */
    static final String LEGACY_OWNER = "owner.pid";
    private static final String PREFIX = "corral-";
    private static final String MAGIC = "corral run dir";

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
        return dir == null ? createTemp(Path.of(System.getProperty("java.io.tmpdir"))) : prepare(dir, false);
    }

    /**
     * A fresh {@code corral-*} directory under {@code tmp}, marked as this JVM's, after removing
     * the ones of JVMs that are gone ({@link #removeAbandoned}).
     */
    static RunDir createTemp(Path tmp) {
        removeAbandoned(tmp);
        Path path;
        try {
            path = Files.createTempDirectory(tmp, PREFIX, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            // the mark first: a JVM killed while it installs the scripts leaves a directory the next one removes
            Files.writeString(path.resolve(OWNER), Owner.current().render());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Corral's run directory in " + tmp + ": " + e.getMessage(), e);
        }
        return prepare(path, true);
    }

    private static RunDir prepare(Path dir, boolean owned) {
        try {
            Path path = owned ? dir : Files.createDirectories(dir);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
            Files.createDirectories(path.resolve("lib"));
            List<String> scripts = new ArrayList<>(List.of(SCRIPTS));
            for (String loader : LOADER_DIRS) {
                try (InputStream in = loaderResource(loader + "/" + LOADER_INDEX)) {
                    new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                            .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                            .forEach(file -> scripts.add(loader + "/" + file));
                }
            }
            for (String script : scripts) {
                Path target = path.resolve("lib").resolve(script);
                Files.createDirectories(target.getParent());
                try (InputStream in = loaderResource(script)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return new RunDir(path.toAbsolutePath(), owned);
        } catch (IOException e) {
            if (owned) {
                new RunDir(dir, true).delete();
            }
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
     * app processes are gone already (the lifeline saw to that), only the files remain. Only
     * Corral's own are touched: a directory (not a link) named {@code corral-*}, owned by this
     * JVM's user, with a readable mark ({@link #OWNER}, or {@link #LEGACY_OWNER}) whose owner is
     * gone: no process has its pid, or the one that has it started at another time (the pid
     * was reused). Anything in doubt stays.
     */
    static void removeAbandoned(Path tmp) {
        UserPrincipal me;
        try {
            me = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name"));
        } catch (IOException | RuntimeException e) {
            return;   // without knowing who we are, nothing is surely ours
        }
        try (Stream<Path> dirs = Files.list(tmp)) {
            dirs.filter(d -> d.getFileName().toString().startsWith(PREFIX))
                    .filter(d -> Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS))
                    .filter(d -> ownedBy(d, me))
                    .filter(d -> Owner.of(d).map(Owner::isGone).orElse(false))
                    .forEach(d -> {
                        LOG.log(Level.INFO, "removing the run directory {0} of a JVM that is gone", d);
                        new RunDir(d, true).delete();
                    });
        } catch (IOException | RuntimeException ignored) {
            // best effort: a leftover directory costs a few bytes
        }
    }

    private static boolean ownedBy(Path dir, UserPrincipal user) {
        try {
            return Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).equals(user);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The JVM that made a temp run dir: its pid and how to tell it from a later process with the
     * same pid: its start in clock ticks since boot ({@code startTicks}, from
     * {@code /proc/<pid>/stat}; -1 when unknown) and, for marks and systems without that, its
     * start time ({@code started}; {@code null} when unknown: a {@link #LEGACY_OWNER} mark, or a
     * system that does not say). The ticks come first because they never move: a start time is
     * boot time plus ticks, and the boot time a JVM computes follows the wall clock, so a clock
     * step (a VM resumed, NTP) between one JVM's start and another's check made a live JVM's run
     * dir look abandoned, and it was removed under its running apps.
     */
    record Owner(long pid, Instant started, long startTicks) {

        Owner(long pid, Instant started) {
            this(pid, started, -1);
        }

        static Owner current() {
            ProcessHandle self = ProcessHandle.current();
            return new Owner(self.pid(), self.info().startInstant().orElse(null), startTicks(self.pid()));
        }

        /** The mark as written: a line naming it, then {@code pid=}, {@code ticks=} and {@code started=}. */
        String render() {
            return MAGIC + "\npid=" + pid + "\n" + (startTicks < 0 ? "" : "ticks=" + startTicks + "\n")
                    + (started == null ? "" : "started=" + started.toEpochMilli() + "\n");
        }

        /**
         * When the process {@code pid} started, in clock ticks since boot (field 22 of
         * {@code /proc/<pid>/stat}), or -1 if that cannot be read (no such process, no /proc).
         */
        static long startTicks(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
                // after the command name, which may hold spaces and parentheses: field 3 (state) on
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(fields[22 - 3]);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        /** The owner named by the mark in {@code dir}; empty if it has none, or one that is not Corral's. */
        static Optional<Owner> of(Path dir) {
            try {
                Path mark = dir.resolve(OWNER);
                if (Files.isRegularFile(mark, LinkOption.NOFOLLOW_LINKS)) {
                    return parse(Files.readAllLines(mark, StandardCharsets.UTF_8));
                }
                Path legacy = dir.resolve(LEGACY_OWNER);
                if (Files.isRegularFile(legacy, LinkOption.NOFOLLOW_LINKS)) {
                    return Optional.of(new Owner(Long.parseLong(Files.readString(legacy).trim()), null));
                }
            } catch (IOException | RuntimeException e) {
                // unreadable or malformed: not surely Corral's
            }
            return Optional.empty();
        }

        private static Optional<Owner> parse(List<String> lines) {
            if (lines.isEmpty() || !lines.get(0).equals(MAGIC)) {
                return Optional.empty();
            }
            Long pid = null;
            Instant started = null;
            long ticks = -1;
            for (String line : lines.subList(1, lines.size())) {
                if (line.startsWith("pid=")) {
                    pid = Long.parseLong(line.substring(4));
                } else if (line.startsWith("ticks=")) {
                    ticks = Long.parseLong(line.substring(6));
                } else if (line.startsWith("started=")) {
                    started = Instant.ofEpochMilli(Long.parseLong(line.substring(8)));
                }
            }
            return pid == null ? Optional.empty() : Optional.of(new Owner(pid, started, ticks));
        }

        /**
         * True when no live process is this owner: none has the pid, or the one that has it
         * started at another tick since boot (exact), or, without ticks on either side, at
         * another time (compared to the second, which the pid would have to be reused within to
         * fool it: the kernel hands pids out in turn).
         */
        boolean isGone() {
            Optional<ProcessHandle> holder = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
            if (holder.isEmpty()) {
                return true;
            }
            if (startTicks >= 0) {
                long holderTicks = startTicks(pid);
                if (holderTicks >= 0) {
                    return holderTicks != startTicks;
                }
            }
            if (started == null) {
                return false;
            }
            return holder.get().info().startInstant()
                    .map(start -> Math.abs(start.toEpochMilli() - started.toEpochMilli()) >= 1000)
                    .orElse(false);
        }
    }

    public Path path() {
        return dir;
    }

    Path script(String name) {
        return dir.resolve("lib").resolve(name);
    }

    /**
     * The directory of the sockets of the processes that run as {@code user}: {@code u<uid>} in
     * the run directory, owned by that user and its group, mode 0700, so that only that user and
     * root reach the sockets in it (apps of other users cannot). Made if missing, and its owner
     * and mode set again if it was there (a configured run directory is reused). For a user
     * other than the container's, the run directory is opened for that user to pass through
     * ({@link #openForOtherUsers}).
     */
    Path socketDir(ProcessUser user) throws IOException {
        Path sockets = dir.resolve("u" + user.uid());
        try {
            Files.createDirectory(sockets, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (!Files.isDirectory(sockets, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(sockets + " exists and is not a directory");
            }
        }
        Files.setPosixFilePermissions(sockets, PosixFilePermissions.fromString("rwx------"));
        if (user.switches()) {
            Files.setAttribute(sockets, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(sockets, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
            openForOtherUsers();
        }
        return sockets;
    }

    /**
     * Lets the users that apps run as pass through the run directory to their own socket
     * directory and read the bundled loaders: the run directory becomes 0711 (others may enter
     * it, not list it), its {@code lib} tree 0755 and 0644 (code, no secrets; still only the
     * container's user may change it: the lifeline in it runs as root).
     */
    private void openForOtherUsers() throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Files.walkFileTree(dir.resolve("lib"), new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path path, java.nio.file.attribute.BasicFileAttributes attrs)
                    throws IOException {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path path, java.nio.file.attribute.BasicFileAttributes attrs)
                    throws IOException {
                if (attrs.isRegularFile()) {
                    try {
                        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
                    } catch (java.nio.file.NoSuchFileException gone) {
                        // a running app's Python renamed its bytecode cache's temporary file meanwhile
                    }
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path path, IOException e) throws IOException {
                if (e instanceof java.nio.file.NoSuchFileException) {
                    return java.nio.file.FileVisitResult.CONTINUE;   // gone meanwhile, as above
                }
                throw e;
            }
        });
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
