package dev.corral.pool.internal;

import dev.corral.config.Sizes;
import dev.corral.pool.AppStatus;
import dev.corral.pool.ProcessStatus;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An app's status as text for people, like {@code passenger-status}: what JMX's
 * {@code statusText()} and {@code dump()} return. Stateless.
 */
final class StatusText {
    private StatusText() {
    }

    static String app(AppStatus s, Map<String, String> settings, String indent) {
        StringBuilder text = new StringBuilder();
        text.append(indent).append("app ").append(s.name()).append(s.draining() ? " (draining)" : "")
                .append(s.restarting() ? " (rolling restart, generation " + s.generation() + ")" : "").append('\n');
        text.append(indent).append("  processes ").append(s.processes()).append(' ').append(byState(s.processesByState()))
                .append(", busy ").append(s.busy()).append('/').append(s.capacity() < 0 ? "unlimited" : s.capacity())
                .append(", queued ").append(s.queued()).append(" (limit ").append(settings.get("maxQueue"))
                .append(", oldest ").append(s.oldestQueuedMillis()).append(" ms)\n");
        text.append(indent).append("  served ").append(s.served()).append(", rejected ").append(s.rejected())
                .append(", timed out ").append(s.timedOut()).append(", failed ").append(s.failed())
                .append(failures(s.failuresByReason())).append('\n');
        text.append(indent).append(String.format(Locale.ROOT, "  queue wait p50 %.1f ms, p99 %.1f ms (last minute)%n",
                s.queueWaitP50Millis(), s.queueWaitP99Millis()));
        text.append(indent).append("  spawn failures ").append(s.spawnFailures()).append(", crashes ").append(s.crashes())
                .append(", recycles ").append(s.recycles());
        if (s.lastError() != null) {
            text.append("; last error at ").append(s.lastErrorTime()).append(": ").append(s.lastError());
        }
        text.append('\n');
        text.append(indent).append("  settings ").append(settings.entrySet().stream()
                .filter(e -> !e.getKey().equals("name"))
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "))).append('\n');
        if (!s.processList().isEmpty()) {
            text.append(indent).append(String.format(Locale.ROOT, "  %-9s %-9s %8s %9s %8s %9s %8s %8s  %s%n",
                    "pid", "state", "sessions", "processed", "memory", "cpu", "uptime", "idle", "last check"));
        }
        for (ProcessStatus p : s.processList()) {
            text.append(indent).append(String.format(Locale.ROOT, "  %-9d %-9s %8d %9d %8s %8.1fs %7ds %7ds  %s%n",
                    p.pid(), p.state(), p.sessions(), p.processed(), Sizes.format(p.residentBytes() >> 20 << 20),
                    p.cpuMillis() / 1000.0, p.uptimeMillis() / 1000, p.idleMillis() / 1000,
                    p.lastCheck() == null ? "-" : p.lastCheck() + " (" + p.lastCheckAgoMillis() / 1000 + " s ago)"));
        }
        return text.toString();
    }

    private static String byState(Map<String, Integer> byState) {
        String counts = byState.entrySet().stream().filter(e -> e.getValue() > 0)
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
        return counts.isEmpty() ? "" : "(" + counts + ")";
    }

    private static String failures(Map<String, Long> byReason) {
        String counts = byReason.entrySet().stream().filter(e -> e.getValue() > 0)
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
        return counts.isEmpty() ? "" : " (" + counts + ")";
    }
}
