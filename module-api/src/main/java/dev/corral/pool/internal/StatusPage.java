package dev.corral.pool.internal;

import dev.corral.config.Sizes;
import dev.corral.pool.AppStatus;
import dev.corral.pool.ProcessStatus;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.corral.config.Html.escape;

/**
 * The status as a page for people ({@code <statusPath>}), like HAProxy's stats page and
 * {@code passenger-status}: per app its settings, queue, capacity, counters, spawn state and
 * last error; per process its state, health, load and resources; and a chart of the queue and the
 * busy slots over the last ten minutes, drawn as inline SVG (no script, no external asset).
 * {@code ?refresh=N} reloads it every N seconds. Stateless.
 */
final class StatusPage {
    private static final int CHART_WIDTH = 600;
    private static final int CHART_HEIGHT = 90;

    private StatusPage() {
    }

    static String render(Pool pool, List<StatusEndpoints.View> views, int refresh) {
        StringBuilder html = new StringBuilder(16384);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        if (refresh > 0) {
            html.append("<meta http-equiv=\"refresh\" content=\"").append(refresh).append("\">");
        }
        html.append("<title>Corral status</title><style>")
                .append("body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}")
                .append("h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.6em 0 .4em}")
                .append("table{border-collapse:collapse;margin:.3em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}")
                .append("th{background:#f0f0f0}td.l,th.l{text-align:left}.muted{color:#777}.bad{color:#b00}")
                .append(".READY{color:#070}.DOWN,.DRAINING,.STOPPING{color:#b60}.STARTING{color:#06b}")
                .append("svg{border:1px solid #ccc;background:#fcfcfc}.legend span{margin-right:1em}")
                .append("</style></head><body>\n");
        html.append("<h1>Corral status</h1><p class=\"muted\">Corral ").append(escape(Pool.version()))
                .append(" &middot; run directory ").append(escape(pool.runDir().toString()))
                .append(" &middot; maxPoolProcesses ").append(pool.maxPoolProcesses() == 0 ? "unlimited" : pool.maxPoolProcesses())
                .append(" &middot; ").append(views.size()).append(views.size() == 1 ? " app" : " apps")
                .append(refresh > 0 ? " &middot; reloads every " + refresh + " s" : "").append("</p>\n");
        for (StatusEndpoints.View view : views) {
            app(html, view);
        }
        return html.append("</body></html>\n").toString();
    }

    private static void app(StringBuilder html, StatusEndpoints.View view) {
        AppStatus s = view.status();
        Map<String, String> settings = view.group().config.settings();
        html.append("<h2 id=\"app-").append(escape(s.name())).append("\">app ").append(escape(s.name()))
                .append(s.draining() ? " <span class=\"bad\">(draining)</span>" : "")
                .append(s.restarting() ? " <span class=\"STARTING\">(rolling restart)</span>" : "").append("</h2>\n");
        html.append("<p class=\"muted\">").append(escape(settings.get("type"))).append(" at ")
                .append(escape(settings.get("pathPrefix"))).append(" &middot; processes ")
                .append(settings.get("minProcesses")).append("..").append(settings.get("maxProcesses"))
                .append(" &middot; concurrency ").append(settings.get("concurrency")).append(" &middot; generation ")
                .append(s.generation()).append("</p>\n");
        html.append("<table><tr><th>queued</th><th>limit</th><th>oldest wait</th><th>busy</th><th>capacity</th>")
                .append("<th>served</th><th>rejected</th><th>timed out</th><th>failed</th><th>wait p50</th><th>wait p99</th>")
                .append("<th>spawn failures</th><th>crashes</th><th>recycles</th></tr><tr>")
                .append(td(s.queued())).append(td(settings.get("maxQueue"))).append(td(s.oldestQueuedMillis() + " ms"))
                .append(td(s.busy())).append(td(s.capacity() < 0 ? "unlimited" : Integer.toString(s.capacity())))
                .append(td(s.served())).append(td(s.rejected())).append(td(s.timedOut())).append(td(s.failed()))
                .append(td(String.format(Locale.ROOT, "%.1f ms", s.queueWaitP50Millis())))
                .append(td(String.format(Locale.ROOT, "%.1f ms", s.queueWaitP99Millis())))
                .append(td(s.spawnFailures())).append(td(s.crashes())).append(td(s.recycles())).append("</tr></table>\n");
        StringBuilder failures = new StringBuilder();
        s.failuresByReason().forEach((reason, n) -> {
            if (n > 0) {
                failures.append(failures.length() == 0 ? "" : ", ").append(escape(reason)).append(' ').append(n);
            }
        });
        html.append("<p>failures by reason: ").append(failures.length() == 0 ? "<span class=\"muted\">none</span>" : failures)
                .append("</p>\n");
        if (s.lastError() != null) {
            html.append("<p class=\"bad\">last error at ").append(s.lastErrorTime()).append(": ")
                    .append(escape(s.lastError())).append("</p>\n");
        }
        chart(html, view);
        html.append("<table class=\"processes\"><tr><th>pid</th><th class=\"l\">state</th><th class=\"l\">last check</th>")
                .append("<th>sessions</th><th>processed</th><th>memory</th><th>cpu</th><th>uptime</th><th>last used</th>")
                .append("<th>generation</th></tr>\n");
        for (ProcessStatus p : s.processList()) {
            html.append("<tr class=\"process\">").append(td(p.pid()))
                    .append("<td class=\"l ").append(p.state()).append("\">").append(p.state()).append("</td>")
                    .append("<td class=\"l\">").append(p.lastCheck() == null ? "<span class=\"muted\">-</span>"
                            : escape(p.lastCheck()) + " (" + p.lastCheckAgoMillis() / 1000 + " s ago)").append("</td>")
                    .append(td(p.sessions())).append(td(p.processed()))
                    .append(td(Sizes.format(p.residentBytes() >> 20 << 20)))
                    .append(td(String.format(Locale.ROOT, "%.1f s", p.cpuMillis() / 1000.0)))
                    .append(td(p.uptimeMillis() / 1000 + " s")).append(td(p.idleMillis() / 1000 + " s ago"))
                    .append(td(p.generation())).append("</tr>\n");
        }
        if (s.processList().isEmpty()) {
            html.append("<tr><td class=\"l muted\" colspan=\"10\">no process</td></tr>\n");
        }
        html.append("</table>\n");
    }

    /** Queued requests and busy slots over the last ten minutes, one point a second. */
    private static void chart(StringBuilder html, StatusEndpoints.View view) {
        List<StatusHistory.Sample> samples = view.group().history.samples();
        int top = 1;
        for (StatusHistory.Sample sample : samples) {
            top = Math.max(top, Math.max(sample.queued(), sample.busy()));
        }
        long end = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).millis();
        StringBuilder queued = new StringBuilder();
        StringBuilder busy = new StringBuilder();
        for (StatusHistory.Sample sample : samples) {
            double x = CHART_WIDTH - (end - sample.millis()) / 1000.0 * CHART_WIDTH / StatusHistory.SAMPLES;
            queued.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y(sample.queued(), top)));
            busy.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y(sample.busy(), top)));
        }
        html.append("<svg class=\"chart\" width=\"").append(CHART_WIDTH).append("\" height=\"").append(CHART_HEIGHT)
                .append("\" viewBox=\"0 0 ").append(CHART_WIDTH).append(' ').append(CHART_HEIGHT)
                .append("\" role=\"img\" aria-label=\"queue and busy slots over the last 10 minutes\">")
                .append("<polyline class=\"busy\" fill=\"none\" stroke=\"#06b\" stroke-width=\"1.5\" points=\"")
                .append(busy.toString().trim()).append("\"/>")
                .append("<polyline class=\"queued\" fill=\"none\" stroke=\"#b00\" stroke-width=\"1.5\" points=\"")
                .append(queued.toString().trim()).append("\"/>")
                .append("<text x=\"4\" y=\"12\" font-size=\"11\" fill=\"#777\">").append(top).append("</text>")
                .append("</svg>\n<p class=\"legend muted\"><span style=\"color:#b00\">&#9632; queued</span>")
                .append("<span style=\"color:#06b\">&#9632; busy</span>last 10 minutes, one point a second</p>\n");
    }

    private static double y(int value, int top) {
        return CHART_HEIGHT - 4 - (double) value * (CHART_HEIGHT - 18) / top;
    }

    private static String td(Object value) {
        return "<td>" + escape(String.valueOf(value)) + "</td>";
    }
}
