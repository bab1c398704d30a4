package dev.corral.pool.internal;

import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code tmp/drain.txt} in an app's root: while it exists the app is drained, as by its MBean's
 * {@code drain()} (new requests are answered 503 draining, the queue is still served, the
 * readiness probe and the agent-check say so); removing it resumes the app. Looked at on every
 * upkeep round of the app ({@code Pool.MAINTENANCE_INTERVAL}, a second), the way
 * {@code tmp/restart.txt} is, so that a deploy script or a Kubernetes {@code preStop} hook can
 * drain an app without JMX.
 *
 * <p>Thread-safety: checked by the maintenance task alone (one at a time per group); the flag is
 * volatile for the request path's reads.
 */
final class DrainFile {
    private static final System.Logger LOG = System.getLogger("dev.corral.pool");

    private final Group group;
    private volatile boolean exists;

    DrainFile(Group group) {
        this.group = group;
    }

    boolean exists() {
        return exists;
    }

    void check() {
        boolean now;
        try {
            now = Files.exists(path());
        } catch (RuntimeException e) {
            return;   // unreadable: keep what was seen last
        }
        if (now != exists) {
            exists = now;
            if (now) {
                LOG.log(Level.INFO, "app [{0}]: tmp/drain.txt exists: draining, new requests are answered 503 draining",
                        group.name());
            } else {
                LOG.log(Level.INFO, "app [{0}]: tmp/drain.txt is gone: the app takes new requests again", group.name());
            }
        }
    }

    private Path path() {
        return group.config.appRoot().resolve("tmp").resolve("drain.txt");
    }
}
