package dev.corral.jmx;

import java.util.List;

/** {@code dev.corral:type=Engine}: the Corral engine of this JVM (or container). */
@Description("The Corral engine: spawns, pools and queues the processes of external web apps")
public interface EngineMXBean {

    @Description("Corral's version")
    String getVersion();

    @Description("The directory of the app sockets and loader scripts (mode 0700, or 0711 once an app runs as another user)")
    String getRunDir();

    @Description("Processes all apps may run together, 0 = no limit; writable (0..100000): a lower limit stops no "
            + "running process, it only keeps new ones from starting")
    int getMaxPoolProcesses();

    void setMaxPoolProcesses(int maxPoolProcesses);

    @Description("Processes of all apps that exist (starting, ready, draining or stopping)")
    int getProcesses();

    @Description("The names of the apps, in the order they were added")
    List<String> getApps();

    @Description("The engine is draining (drain()): the readiness probe answers 503 and the HAProxy agent-check drain, so"
            + " that the load balancer sends no new requests; requests that still come are served")
    boolean isDraining();

    @Description("Drains the engine for a load balancer (before a deploy or a stop): /ready answers 503, the agent-check"
            + " answers drain; the apps serve every request that still comes, so none is lost while the balancer catches up")
    void drain();

    @Description("Ends drain(): /ready and the agent-check answer from the apps' state again")
    void resume();

    @Description("The whole engine as text: every app with its counts, every process with its state")
    String dump();
}
