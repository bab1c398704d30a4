package dev.corral.pool.internal;

import dev.corral.pool.AppStatus;
import dev.corral.pool.ProcessStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The status as JSON for machines ({@code <statusPath>?format=json}): the field names are the JMX
 * attributes' in lowerCamelCase, and {@code "version": 1} names this layout, which only grows.
 * Stateless.
 */
final class StatusJson {
    static final int VERSION = 1;

    private StatusJson() {
    }

    static Map<String, Object> engine(Pool pool, List<StatusEndpoints.View> views) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", VERSION);
        json.put("corral", Pool.version());
        json.put("runDir", pool.runDir().toString());
        json.put("maxPoolProcesses", pool.maxPoolProcesses());
        List<Object> apps = new ArrayList<>();
        for (StatusEndpoints.View view : views) {
            apps.add(app(view));
        }
        json.put("apps", apps);
        return json;
    }

    static Map<String, Object> app(StatusEndpoints.View view) {
        AppStatus s = view.status();
        Map<String, Object> app = new LinkedHashMap<>();
        app.put("name", s.name());
        app.put("settings", view.group().config.settings());
        app.put("processes", s.processes());
        app.put("processesByState", s.processesByState());
        app.put("spawning", s.spawning());
        app.put("busy", s.busy());
        app.put("capacity", s.capacity());
        app.put("queued", s.queued());
        app.put("maxQueue", view.group().config.maxQueue());
        app.put("oldestQueuedMillis", s.oldestQueuedMillis());
        app.put("served", s.served());
        app.put("rejected", s.rejected());
        app.put("timedOut", s.timedOut());
        app.put("failed", s.failed());
        app.put("failuresByReason", s.failuresByReason());
        app.put("queueWaitP50Millis", s.queueWaitP50Millis());
        app.put("queueWaitP99Millis", s.queueWaitP99Millis());
        app.put("spawnFailures", s.spawnFailures());
        app.put("crashes", s.crashes());
        app.put("recycles", s.recycles());
        app.put("exitsByCause", s.exitsByCause());
        app.put("lastError", s.lastError());
        app.put("lastErrorTime", s.lastErrorTime() == null ? null : s.lastErrorTime().toString());
        app.put("draining", s.draining());
        app.put("restarting", s.restarting());
        app.put("generation", s.generation());
        List<Object> processes = new ArrayList<>();
        for (ProcessStatus p : s.processList()) {
            Map<String, Object> process = new LinkedHashMap<>();
            process.put("pid", p.pid());
            process.put("processGroup", p.processGroup());
            process.put("state", p.state());
            process.put("lastCheck", p.lastCheck());
            process.put("lastCheckAgoMillis", p.lastCheckAgoMillis());
            process.put("checksPassed", p.checksPassed());
            process.put("checksFailed", p.checksFailed());
            process.put("sessions", p.sessions());
            process.put("processed", p.processed());
            process.put("residentBytes", p.residentBytes());
            process.put("cpuMillis", p.cpuMillis());
            process.put("uptimeMillis", p.uptimeMillis());
            process.put("idleMillis", p.idleMillis());
            process.put("generation", p.generation());
            process.put("address", p.address());
            processes.add(process);
        }
        app.put("processList", processes);
        return app;
    }
}
