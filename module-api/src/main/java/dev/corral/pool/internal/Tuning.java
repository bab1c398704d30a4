package dev.corral.pool.internal;

import dev.corral.config.AppConfig;
import dev.corral.config.ConfigException;
import dev.corral.config.ConfigException.Problem;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings changed while the app runs (JMX, {@code scale}). Only the runtime-tunable ones may
 * change; a new value is checked by the same rules as at start-up and refused with the same
 * message. The app's whole config is replaced at once under the lock (STYLE.md rule 4), and the
 * change takes effect at once, never deferred silently:
 * <ul>
 *   <li>{@code minProcesses}, {@code maxProcesses}: processes are spawned, or the least busy ones
 *       above the new maximum retired gracefully;</li>
 *   <li>{@code maxQueue}: new requests are refused until the queue is below it (none is dropped);</li>
 *   <li>{@code queueTimeout}: the queue's deadlines follow it, for the requests already waiting too;</li>
 *   <li>{@code maxRequests}, {@code maxMemory}: every process gets its new (jittered) limit, and one
 *       past it is recycled (maxMemory at the next upkeep, within a second);</li>
 *   <li>{@code maxRequestTime}: for requests that start from now on;</li>
 *   <li>{@code idleTimeout}: at the next upkeep.</li>
 * </ul>
 *
 * <p>Thread-safety: changes are made one at a time (this object's monitor), so that none is lost.
 */
final class Tuning {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");
    /** The settings that may change while the app runs, in documented order. */
    static final Set<String> RUNTIME = new LinkedHashSet<>(List.of("minProcesses", "maxProcesses", "maxQueue",
            "queueTimeout", "idleTimeout", "maxRequests", "maxMemory", "maxRequestTime"));

    private final Group group;

    Tuning(Group group) {
        this.group = group;
    }

    /**
     * Changes settings (config name to configuration text).
     *
     * @throws ConfigException naming a setting that cannot change at run time, or a value that is
     *                         not valid, with what the setting accepts
     */
    synchronized void change(Map<String, String> changes) {
        List<Problem> fixed = new ArrayList<>();
        changes.forEach((name, value) -> {
            if (!RUNTIME.contains(name)) {
                fixed.add(new Problem(name, value, "a setting that can change while the app runs: one of "
                        + String.join(", ", RUNTIME) + " (the others need a restart of the container)"));
            }
        });
        ConfigException.throwIfAny(fixed);
        AppConfig next = group.config.with(changes);
        AppConfig was;
        try (Change change = group.change()) {
            was = group.config;
            group.config = next;
            appliedLocked(was, next, change);
        }
        StringBuilder line = new StringBuilder();
        changes.keySet().forEach(name -> line.append(line.length() == 0 ? "" : ", ").append(name).append('=')
                .append(next.settings().get(name)).append(" (was ").append(was.settings().get(name)).append(')'));
        LOG.log(Level.INFO, "app [{0}]: changed while running: {1}", group.name(), line);
    }

    private void appliedLocked(AppConfig was, AppConfig now, Change change) {
        var random = group.engine.services.random();
        boolean maxRequests = was.recycle().maxRequests() != now.recycle().maxRequests();
        boolean maxMemory = was.recycle().maxMemoryBytes() != now.recycle().maxMemoryBytes();
        for (AppProcess process : new ArrayList<>(group.processes.all)) {
            if (maxRequests) {
                process.maxRequests = Recycling.jitter(now.recycle().maxRequests(), random);
                group.recycling.recycleIfWornLocked(process, change);
            }
            if (maxMemory) {
                process.maxMemory = Recycling.jitter(now.recycle().maxMemoryBytes(), random);
            }
        }
        if (!was.queueTimeout().equals(now.queueTimeout())) {
            group.waiting.rescheduleLocked(change.now);
        }
        group.recycling.shrinkLocked(change);
        group.spawning.spawnIfNeededLocked(change);
    }
}
