package dev.corral.pool.internal;

import dev.corral.fault.FaultInjector;
import dev.corral.fault.FaultPoint;
import dev.corral.fault.FaultSpec;
import dev.corral.jmx.FaultsMXBean;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@link FaultsMXBean} over one app's {@link FaultInjector}. Thread-safe. */
final class FaultsBean implements FaultsMXBean {
    private final FaultInjector faults;

    FaultsBean(FaultInjector faults) {
        this.faults = faults;
    }

    @Override
    public String getSpec() {
        return faults.spec().toString();
    }

    @Override
    public void setSpec(String spec) {
        FaultSpec parsed;
        try {
            parsed = FaultSpec.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'faults' must be " + FaultSpec.ALLOWED + ", but was [" + spec + "]: "
                    + e.getMessage());
        }
        faults.setSpec(parsed);
    }

    @Override
    public long getSeed() {
        return faults.seed();
    }

    @Override
    public Map<String, Long> getInjected() {
        Map<String, Long> injected = new LinkedHashMap<>();
        faults.counts().forEach((FaultPoint point, Long n) -> injected.put(point.specName(), n));
        return injected;
    }

    @Override
    public void off() {
        faults.setSpec(FaultSpec.NONE);
    }
}
