package dev.corral.pool.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
        Process os = process.process;
        if (os == null || !os.isAlive()) {
            return;
        }
        LOG.log(Level.DEBUG, "stopping {0}", process);
        os.destroy();
        long graceNanos = group.config.shutdownTimeout().plus(KILL_MARGIN).toNanos();
        group.engine.scheduler.schedule(() -> {
            if (os.isAlive()) {
                group.engine.blockingExecutor.execute(() -> kill(process));
            }
        }, graceNanos, TimeUnit.NANOSECONDS);
    }

    /** SIGKILLs the process's whole group at once. */
    static void kill(AppProcess process) {
        Process os = process.process;
        if (os == null || !os.isAlive()) {
            return;
        }
        LOG.log(Level.WARNING, "{0} did not stop in time: killing its process group", process);
        try {
            new ProcessBuilder("kill", "-KILL", "--", "-" + process.pgid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot run kill for {0}: {1}", process, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        os.destroyForcibly();
    }

    static void logExit(AppProcess process, AppProcess.State was, boolean expected, int exitCode,
                        List<Session> inFlight, long now) {
        StringBuilder line = new StringBuilder().append(process).append(" exited with ")
                .append(ExitStatus.describe(exitCode)).append(" after ")
                .append(String.format("%.1f", (now - process.createdNanos) / 1e9)).append(" s, served ")
                .append(process.processed).append(process.processed == 1 ? " request" : " requests");
        if (!expected) {
            line.append(was == AppProcess.State.STARTING ? " (while starting)" : " (unexpectedly)");
        } else if (process.stopReason != null) {
            line.append(" (").append(process.stopReason).append(')');
        }
        for (Session session : inFlight) {
            line.append("; it was serving ").append(session.request.describe()).append(" for ")
                    .append((now - session.startNanos) / 1_000_000).append(" ms");
        }
        for (String request : process.cutShort()) {
            line.append("; it had cut short ").append(request);
        }
        LOG.log(expected ? Level.INFO : Level.WARNING, line.toString());
    }
}
