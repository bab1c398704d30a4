package dev.corral.pool.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** A {@link HealthProbe} whose verdicts the test sets per process (healthy unless told). */
final class FakeHealthProbe implements HealthProbe {
    private final Map<AppProcess, String> failing = new IdentityHashMap<>();
    final List<AppProcess> checked = new ArrayList<>();

    void fail(AppProcess process, String why) {
        failing.put(process, why);
    }

    void heal(AppProcess process) {
        failing.remove(process);
    }

    @Override
    public String check(AppProcess process, String healthPath, Duration timeout) {
        checked.add(process);
        return failing.get(process);
    }
}
