package dev.corral.pool.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The system's processes as {@code /proc/<pid>/stat} shows them at one moment: parent, resident
 * pages and CPU time of each. One scan answers the memory and CPU time of every app process's
 * tree at once, where asking per process (the JDK's {@code ProcessHandle.descendants()} reads
 * every process's stat for each tree, and {@code info()} more files besides) cost a status
 * scrape about 10 ms of CPU with 4 processes (docs/BENCHMARKS.md, the status endpoints' cost).
 *
 * <p>A snapshot is read lazily, on the first question, and never refreshed: take a new one for
 * a new reading. Processes that exit during the scan are left out. Linux only; elsewhere every
 * reading is 0, as before.
 *
 * <p>Thread-safety: not thread-safe; one snapshot serves one status reading on one thread.
 */
final class ProcessTable {
    /** The kernel's page size for resident pages; 4 KiB on the platforms Corral runs on. */
    private static final long PAGE_SIZE = 4096;
    /** {@code /proc} reports CPU time in USER_HZ ticks, 100 a second on every Linux architecture. */
    private static final long MILLIS_PER_TICK = 10;
    private static final Path PROC = Path.of("/proc");

    /** One process's line: its parent, resident pages and CPU ticks (user + system). */
    record Entry(long parent, long residentPages, long cpuTicks) {
    }

    /** Memory and CPU time of a process and all its descendants. */
    record Usage(long residentBytes, long cpuMillis) {
        static final Usage NONE = new Usage(0, 0);
    }

    private Map<Long, Entry> entries;
    private Map<Long, List<Long>> children;

    /** A snapshot to be read on its first question. */
    static ProcessTable lazy() {
        return new ProcessTable();
    }

    private ProcessTable() {
    }

    /** The usage of the tree rooted at {@code pid}; {@link Usage#NONE} if it is not running. */
    Usage usage(long pid) {
        scanOnce();
        if (!entries.containsKey(pid)) {
            return Usage.NONE;
        }
        long pages = 0;
        long ticks = 0;
        List<Long> todo = new ArrayList<>(List.of(pid));
        for (int i = 0; i < todo.size() && i < entries.size(); i++) {   // bounded: a pid is met once
            Entry entry = entries.get(todo.get(i));
            pages += entry.residentPages();
            ticks += entry.cpuTicks();
            todo.addAll(children.getOrDefault(todo.get(i), List.of()));
        }
        return new Usage(pages * PAGE_SIZE, ticks * MILLIS_PER_TICK);
    }

    private void scanOnce() {
        if (entries != null) {
            return;
        }
        entries = new HashMap<>();
        children = new HashMap<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(PROC, ProcessTable::isPid)) {
            for (Path dir : pids) {
                long pid = Long.parseLong(dir.getFileName().toString());
                Entry entry = read(dir.resolve("stat"));
                if (entry != null) {
                    entries.put(pid, entry);
                    if (entry.parent() != pid) {
                        children.computeIfAbsent(entry.parent(), p -> new ArrayList<>()).add(pid);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc (not Linux) or it went away: every reading is 0
        }
    }

    private static boolean isPid(Path path) {
        String name = path.getFileName().toString();
        return !name.isEmpty() && name.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /**
     * Parses one stat line. The command name (field 2) is in parentheses and may hold spaces and
     * parentheses itself, so the fields are counted from the last ')': state is field 3, the
     * parent 4, utime 14, stime 15, rss 24 (proc(5)).
     */
    static Entry parse(String line) {
        int close = line.lastIndexOf(')');
        if (close < 0) {
            return null;
        }
        String[] fields = line.substring(close + 1).trim().split(" ");
        // fields[0] is field 3 (state): field n is fields[n - 3]
        if (fields.length < 22) {
            return null;
        }
        try {
            return new Entry(Long.parseLong(fields[1]), Long.parseLong(fields[21]),
                    Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Entry read(Path stat) {
        try {
            return parse(new String(Files.readAllBytes(stat), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return null;   // exited during the scan
        }
    }
}
