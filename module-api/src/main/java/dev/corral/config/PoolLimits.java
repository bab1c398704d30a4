package dev.corral.config;

import java.util.List;

/**
 * Settings of the engine as a whole rather than of one app: {@code maxPoolProcesses}, the
 * processes all apps of one JVM may run together (0 = no limit). Same name on Jetty (a setter on
 * the handler) and Tomcat (an attribute of every valve, which must agree).
 */
public final class PoolLimits {
    public static final String MAX_POOL_PROCESSES = "maxPoolProcesses";
    public static final int DEFAULT_MAX_POOL_PROCESSES = 0;

    private PoolLimits() {
    }

    /** The parsed value (the default when {@code raw} is null), or null after adding a problem. */
    public static Integer maxPoolProcesses(String raw, List<ConfigException.Problem> problems) {
        if (raw == null) {
            return DEFAULT_MAX_POOL_PROCESSES;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value >= 0 && value <= 100_000) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(Setting.MAX_POOL_PROCESSES.problem(raw));
        return null;
    }
}
