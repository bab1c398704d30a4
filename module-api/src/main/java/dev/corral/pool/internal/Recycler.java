package dev.corral.pool.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Measures and limits for recycling processes: per-process jitter, so that a pool started at
 * once does not recycle all at once (HikariCP's lesson), and the resident set of a process tree
 * read from {@code /proc}. Stateless and thread-safe.
 */
final class Recycler {
    /** Limits are raised by up to this fraction per process. */
    static final double JITTER = 0.10;
    private static final long PAGE_SIZE = 4096;

    private Recycler() {
    }

    /** {@code limit} raised by a random 0..10%; 0 (off) stays 0. */
    static long jitter(long limit) {
        if (limit <= 0) {
            return limit;
        }
        return limit + (long) (limit * JITTER * ThreadLocalRandom.current().nextDouble());
    }

    /**
     * The resident set of a process group leader and all its descendants, in bytes: what a
     * pre-forking app really costs. 0 when it cannot be read (the process just exited).
     */
    static long residentBytes(long pid) {
        return ProcessHandle.of(pid).map(root -> {
            try (Stream<ProcessHandle> tree = Stream.concat(Stream.of(root), root.descendants())) {
                return tree.mapToLong(p -> residentBytesOf(p.pid())).sum();
            }
        }).orElse(0L);
    }

    /** Field 2 of {@code /proc/<pid>/statm}: resident pages. */
    static long residentBytesOf(long pid) {
        try {
            String[] fields = Files.readString(Path.of("/proc/" + pid + "/statm")).trim().split(" ");
            return Long.parseLong(fields[1]) * PAGE_SIZE;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
