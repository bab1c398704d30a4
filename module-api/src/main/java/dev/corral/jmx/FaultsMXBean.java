package dev.corral.jmx;

import java.util.Map;

/** {@code dev.corral:type=Faults,app=<app>}: the fault injector of one app. */
@Description("The faults injected into one app's I/O seams, seeded so that a run can be replayed")
public interface FaultsMXBean {

    @Description("The fault spec in force, such as connect:0.02,spawn:0.1,latency:0.05@200ms (empty: none); "
            + "writable: a bad spec is refused with the parse error")
    String getSpec();

    void setSpec(String spec);

    @Description("The seed of the injector's random generator (faultSeed), to replay a run")
    long getSeed();

    @Description("Faults injected so far, by fault point")
    Map<String, Long> getInjected();

    @Description("Stops injecting faults (the spec becomes empty)")
    void off();
}
