package dev.corral.pool.internal;

import dev.corral.pool.AppStatus;
import dev.corral.pool.ProcessStatus;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The status in the Prometheus text format 0.0.4 ({@code <statusPath>/metrics}), one series per
 * app (label {@code app}); per-process series (label {@code pid}) only with
 * {@code statusPerProcessMetrics=true}, since pids churn. Stateless.
 */
final class Metrics {
    private Metrics() {
    }

    static String render(List<StatusEndpoints.View> views, boolean perProcess) {
        StringBuilder out = new StringBuilder(8192);
        family(out, "corral_app_queue_requests", "gauge", "Requests waiting for a process.");
        views.forEach(v -> sample(out, "corral_app_queue_requests", app(v), v.status().queued()));
        family(out, "corral_app_queue_limit", "gauge", "Requests that may wait (maxQueue).");
        views.forEach(v -> sample(out, "corral_app_queue_limit", app(v), v.group().config.maxQueue()));
        family(out, "corral_app_queue_oldest_seconds", "gauge", "How long the oldest waiting request has waited.");
        views.forEach(v -> sample(out, "corral_app_queue_oldest_seconds", app(v), v.status().oldestQueuedMillis() / 1000.0));
        family(out, "corral_app_processes", "gauge", "Processes by state.");
        views.forEach(v -> v.status().processesByState().forEach((state, n) ->
                sample(out, "corral_app_processes", app(v) + ",state=\"" + state + "\"", n)));
        family(out, "corral_app_busy", "gauge", "Requests in flight on processes.");
        views.forEach(v -> sample(out, "corral_app_busy", app(v), v.status().busy()));
        family(out, "corral_app_capacity", "gauge", "Requests the ready processes can serve at once; -1 = unlimited.");
        views.forEach(v -> sample(out, "corral_app_capacity", app(v), v.status().capacity()));
        family(out, "corral_app_draining", "gauge", "1 while an operator drained the app.");
        views.forEach(v -> sample(out, "corral_app_draining", app(v), v.status().draining() ? 1 : 0));
        family(out, "corral_requests_total", "counter", "Requests the app answered (whatever its status).");
        views.forEach(v -> sample(out, "corral_requests_total", app(v), v.status().served()));
        family(out, "corral_request_failures_total", "counter",
                "Requests that got no answer from the app, by reason (the X-Corral-Reason code).");
        views.forEach(v -> v.status().failuresByReason().forEach((reason, n) ->
                sample(out, "corral_request_failures_total", app(v) + ",reason=\"" + reason + "\"", n)));
        family(out, "corral_queue_wait_seconds", "histogram", "How long requests waited for a process.");
        for (StatusEndpoints.View v : views) {
            AppStatus s = v.status();
            List<Long> buckets = s.queueWaitBuckets();
            for (int i = 0; i < buckets.size(); i++) {
                String le = i < AppStatus.QUEUE_WAIT_BUCKETS_SECONDS.size()
                        ? number(AppStatus.QUEUE_WAIT_BUCKETS_SECONDS.get(i)) : "+Inf";
                sample(out, "corral_queue_wait_seconds_bucket", app(v) + ",le=\"" + le + "\"", buckets.get(i));
            }
            sample(out, "corral_queue_wait_seconds_sum", app(v), s.queueWaitSumSeconds());
            sample(out, "corral_queue_wait_seconds_count", app(v), s.queueWaitCount());
        }
        family(out, "corral_spawn_failures_total", "counter", "Spawns that failed.");
        views.forEach(v -> sample(out, "corral_spawn_failures_total", app(v), v.status().spawnFailures()));
        family(out, "corral_process_exits_total", "counter",
                "Process exits by cause: crashed, or why Corral retired the process.");
        views.forEach(v -> v.status().exitsByCause().forEach((cause, n) ->
                sample(out, "corral_process_exits_total", app(v) + ",cause=\"" + cause + "\"", n)));
        family(out, "corral_process_resident_memory_bytes", "gauge", "Resident memory of the app's processes, their trees included.");
        views.forEach(v -> sample(out, "corral_process_resident_memory_bytes", app(v),
                v.status().processList().stream().mapToLong(ProcessStatus::residentBytes).sum()));
        if (perProcess) {
            perProcess(out, views);
        }
        return out.toString();
    }

    private static void perProcess(StringBuilder out, List<StatusEndpoints.View> views) {
        Map<String, String> families = Map.of(
                "corral_pid_sessions", "gauge|Requests in flight on the process.",
                "corral_pid_requests_total", "counter|Requests the process finished.",
                "corral_pid_resident_memory_bytes", "gauge|Resident memory of the process's tree.",
                "corral_pid_cpu_seconds_total", "counter|CPU time of the process's tree.");
        for (String name : List.of("corral_pid_sessions", "corral_pid_requests_total", "corral_pid_resident_memory_bytes",
                "corral_pid_cpu_seconds_total")) {
            String[] typeAndHelp = families.get(name).split("\\|", 2);
            family(out, name, typeAndHelp[0], typeAndHelp[1]);
            for (StatusEndpoints.View v : views) {
                for (ProcessStatus p : v.status().processList()) {
                    String labels = app(v) + ",pid=\"" + p.pid() + "\"";
                    double value = switch (name) {
                        case "corral_pid_sessions" -> p.sessions();
                        case "corral_pid_requests_total" -> p.processed();
                        case "corral_pid_resident_memory_bytes" -> p.residentBytes();
                        default -> p.cpuMillis() / 1000.0;
                    };
                    sample(out, name, labels, value);
                }
            }
        }
    }

    private static String app(StatusEndpoints.View view) {
        return "app=\"" + escape(view.status().name()) + "\"";
    }

    private static void family(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String labels, double value) {
        out.append(name).append('{').append(labels).append("} ").append(number(value)).append('\n');
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%s", value);
    }

    /** A label value as the text format wants it: backslash, double quote and line feed escaped. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
