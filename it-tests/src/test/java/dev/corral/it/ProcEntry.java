package dev.corral.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One line of the Linux process table, read from {@code /proc/<pid>/stat} and {@code cmdline}.
 * Unlike {@link ProcessHandle#isAlive()}, it tells a zombie ({@code Z}) from a live process,
 * and gives the process group. {@code startTicks} (field 22, clock ticks since boot) tells a
 * process from a later one that reuses its pid.
 */
record ProcEntry(long pid, char state, long ppid, long pgrp, long startTicks, String commandLine) {

    /** The entry of {@code pid}, or empty if there is no such process (not even a zombie). */
    static Optional<ProcEntry> read(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
        } catch (IOException gone) {
            return Optional.empty();
        }
        // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        //  utime stime cutime cstime priority nice threads itrealvalue starttime ..."; comm may hold ") "
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return Optional.empty();
        }
        String[] f = stat.substring(close + 2).trim().split(" ");
        if (f.length < 20) {
            return Optional.empty();
        }
        String comm = stat.substring(stat.indexOf('(') + 1, close);
        String cmd;
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            cmd = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
        } catch (IOException e) {
            cmd = "";
        }
        return Optional.of(new ProcEntry(pid, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[2]),
                Long.parseLong(f[19]), cmd.isEmpty() ? "[" + comm + "]" : cmd));
    }

    /** Every process in the table now (racy by nature: processes come and go while it is read). */
    static List<ProcEntry> all() {
        List<ProcEntry> entries = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(Path.of("/proc"))) {
            dirs.map(p -> p.getFileName().toString())
                    .filter(name -> name.chars().allMatch(Character::isDigit))
                    .forEach(name -> read(Long.parseLong(name)).ifPresent(entries::add));
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e, e);
        }
        return entries;
    }

    /** The same process as this entry (same pid and start time) as it is now, if it still exists. */
    Optional<ProcEntry> now() {
        return read(pid).filter(e -> e.startTicks == startTicks);
    }

    boolean zombie() {
        return state == 'Z' || state == 'X';
    }

    @Override
    public String toString() {
        return "pid " + pid + " [" + state + "] ppid " + ppid + " pgrp " + pgrp + ": " + commandLine;
    }
}
