package dev.corral.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What Linux says about a JVM running Corral, read from {@code /proc} (no JMX, so it also sees
 * what Corral may have lost track of): its open file descriptors, its descendant processes, which
 * of them are zombies, how many app processes each app has, and the processes of the run that
 * are no longer in the JVM's tree (strays).
 *
 * <p>An app process is one process group among the JVM's descendants: Corral starts each under
 * a lifeline ({@code setsid sh lifeline.sh ...}: the lifeline, its stdin watcher and the app
 * share the group), and names the app in the lifeline's environment ({@code CORRAL_APP}).
 *
 * <p>Stateless; a process may exit between two reads of one scan, so every read tolerates that.
 */
final class ProcTree {
    private static final Path PROC = Path.of("/proc");

    private ProcTree() {
    }

    /** One process from {@code /proc/PID/stat}. */
    record Proc(long pid, long ppid, long pgid, char state, long startTicks) {
    }

    /**
     * One look at a JVM's processes.
     *
     * @param descendants every process below the JVM (the lifelines, their watchers, the apps),
     *                    zombies included
     * @param zombies     the descendants in state Z
     * @param perApp      app processes (process groups) per {@code CORRAL_APP}, for the apps named
     * @param strays      processes whose environment has the run's marker but that are not
     *                    descendants of the JVM
     */
    record Look(List<Proc> descendants, List<Proc> zombies, Map<String, Integer> perApp, List<Proc> strays) {
        int appProcesses() {
            return perApp.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** The number of open file descriptors of {@code pid} (entries of {@code /proc/PID/fd}). */
    static int openFileDescriptors(long pid) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(PROC.resolve(Long.toString(pid)).resolve("fd"))) {
            for (Path ignored : fds) {
                n++;
            }
        }
        return n;
    }

    /** Whether a process still exists and is the same one (not a reused pid). */
    static Proc stillThere(Proc proc) {
        Proc now = read(proc.pid());
        return now != null && now.startTicks() == proc.startTicks() ? now : null;
    }

    /**
     * Scans {@code /proc} once.
     *
     * @param apps   the apps to count processes of (by {@code CORRAL_APP}); others count as
     *               {@code "?"}
     * @param marker an environment entry ({@code NAME=value}) that every app process of the run
     *               carries, to find the strays; null: no stray search
     */
    static Look look(long jvmPid, Set<String> apps, String marker) throws IOException {
        Map<Long, Proc> all = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path entry : entries) {
                Proc proc = read(Long.parseLong(entry.getFileName().toString()));
                if (proc != null) {
                    all.put(proc.pid(), proc);
                }
            }
        }
        Map<Long, List<Proc>> children = new HashMap<>();
        all.values().forEach(p -> children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p));
        List<Proc> descendants = new ArrayList<>();
        Deque<Long> todo = new ArrayDeque<>(List.of(jvmPid));
        while (!todo.isEmpty()) {
            for (Proc child : children.getOrDefault(todo.pop(), List.of())) {
                descendants.add(child);
                todo.push(child.pid());
            }
        }
        List<Proc> zombies = descendants.stream().filter(p -> p.state() == 'Z').toList();
        Map<String, Integer> perApp = new TreeMap<>();
        apps.forEach(app -> perApp.put(app, 0));
        Set<Long> groups = new HashSet<>();
        for (Proc p : descendants) {
            if (groups.add(p.pgid())) {
                // the group's leader is the lifeline, whose environment names the app; a zombie
                // leader has no environment left: count its group as unknown
                String app = environment(p.pgid(), "CORRAL_APP");
                perApp.merge(app != null && apps.contains(app) ? app : "?", 1, Integer::sum);
            }
        }
        if (perApp.getOrDefault("?", 0) == 0) {
            perApp.remove("?");
        }
        List<Proc> strays = new ArrayList<>();
        if (marker != null) {
            Set<Long> mine = new HashSet<>();
            descendants.forEach(p -> mine.add(p.pid()));
            String name = marker.substring(0, marker.indexOf('='));
            String value = marker.substring(marker.indexOf('=') + 1);
            for (Proc p : all.values()) {
                if (!mine.contains(p.pid()) && p.pid() != jvmPid && value.equals(environment(p.pid(), name))) {
                    strays.add(p);
                }
            }
        }
        return new Look(descendants, zombies, perApp, strays);
    }

    /** {@code /proc/PID/stat}, or null if the process is gone. */
    static Proc read(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
            // after "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt
            // cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime ...
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new Proc(pid, Long.parseLong(f[1]), Long.parseLong(f[2]), f[0].charAt(0), Long.parseLong(f[19]));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** One variable of a process's environment, or null (gone, a zombie, not readable, not set). */
    static String environment(long pid, String name) {
        try {
            byte[] env = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
            String prefix = name + "=";
            int start = 0;
            for (int i = 0; i <= env.length; i++) {
                if (i == env.length || env[i] == 0) {
                    String entry = new String(env, start, i - start, StandardCharsets.UTF_8);
                    if (entry.startsWith(prefix)) {
                        return entry.substring(prefix.length());
                    }
                    start = i + 1;
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
