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

    @Description("The whole engine as text: every app with its counts, every process with its state")
    String dump();
}
