package dev.corral.pool.internal;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;

/**
 * Stops app processes and writes their one exit line. A stop sends SIGTERM to the lifeline,
 * which passes it to the app's whole process group and SIGKILLs the group after
 * {@code shutdownTimeout}; should the lifeline itself be stuck, Corral SIGKILLs the group a
 * little later.
 */
final class ProcessStopper {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");
    static final Duration KILL_MARGIN = Duration.ofSeconds(3);

    private ProcessStopper() {
    }

    static void stop(Group group, AppProcess process) {
        OsProcess os = process.os;
        if (os == null || !os.isAlive()) {
            return;
        }
        LOG.log(Level.DEBUG, "stopping {0}", process);
        os.terminate();
        EngineServices services = group.engine.services;
        long graceNanos = group.config.shutdownTimeout().plus(KILL_MARGIN).toNanos();
        services.scheduler().schedule(() -> {
            if (os.isAlive()) {
                services.blockingExecutor().execute(() -> kill(process));
            }
        }, graceNanos);
    }

    /** SIGKILLs the process's whole group at once. */
    static void kill(AppProcess process) {
        OsProcess os = process.os;
        if (os == null || !os.isAlive()) {
            return;
        }
        LOG.log(Level.WARNING, "{0} did not stop in time: killing its process group", process);
        os.killGroup();
    }

    private static String retiredWhy(Retirement retirement) {
        return "retired it" + (retirement.reason() == null ? "" : " (" + retirement.reason() + ")");
    }

    static void logExit(AppProcess process, ProcessLifecycle.Life was, boolean expected, int exitCode,
                        List<Session> inFlight, long now) {
        StringBuilder line = new StringBuilder().append(process).append(" exited with ")
                .append(ExitStatus.describe(exitCode)).append(" after ")
                .append(String.format("%.1f", (now - process.createdNanos) / 1e9)).append(" s, served ")
                .append(process.processed).append(process.processed == 1 ? " request" : " requests");
        if (process.spawnFailed()) {
            // reported by the launcher already, with the app's output; killed by Corral at
            // spawnTimeout or exited first, the line is the same
            line.append(" (").append(process.retirement.reason()).append(')');
        } else if (!expected) {
            line.append(was == ProcessLifecycle.Life.STARTING ? " (while starting)"
                    : " (unexpectedly: it died on its own" + (process.retirement == null ? ""
                    : ", after Corral had " + retiredWhy(process.retirement)) + ")");
        } else {
            line.append(" (stopped by Corral").append(process.retirement == null || process.retirement.reason() == null ? ""
                    : ": " + process.retirement.reason()).append(')');
        }
        for (Session session : inFlight) {
            line.append("; it was serving ").append(session.request.describe()).append(" for ")
                    .append((now - session.startNanos) / 1_000_000).append(" ms");
        }
        for (String request : process.cutShort(inFlight)) {
            line.append("; it had cut short ").append(request);
        }
        LOG.log(expected ? Level.INFO : Level.WARNING, line.toString());
    }
}
