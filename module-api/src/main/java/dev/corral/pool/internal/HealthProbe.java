package dev.corral.pool.internal;

import java.time.Duration;

/** One health check of one process. Thread-safe. */
interface HealthProbe {

    /**
     * Checks the process once: a connect to its socket, and, when {@code healthPath} is set, a
     * {@code GET} whose status must be 2xx or 3xx, all within {@code timeout}.
     *
     * @return null when healthy, else why not
     */
    String check(AppProcess process, String healthPath, Duration timeout);
}
