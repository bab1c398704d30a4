package dev.corral.jmx;

/**
 * {@code dev.corral:type=Process,app=<app>,pid=<pid>}: one app process, registered as soon as
 * its OS process exists (state {@code STARTING}) and unregistered when it has exited, whether it
 * became ready or not. While it starts, its pid is its lifeline's (the process group's); once
 * the app listens and its own pid is known, the MBean is registered again under that pid.
 */
@Description("One process of an app")
public interface ProcessMXBean {

    @Description("The app's own pid; while it starts, its lifeline's (the ProcessGroup)")
    long getPid();

    @Description("The process group of the app's tree (the pid of its lifeline)")
    long getProcessGroup();

    @Description("STARTING, READY, DRAINING, DOWN or STOPPING")
    String getState();

    @Description("The last health check: passed, why it failed, or empty if none ran yet")
    String getLastCheck();

    @Description("Time since the last health check in milliseconds, -1 if none ran yet")
    long getLastCheckAgoMillis();

    @Description("Health checks passed in a row")
    int getChecksPassed();

    @Description("Health checks failed in a row")
    int getChecksFailed();

    @Description("Requests in flight on it")
    int getSessions();

    @Description("Requests it may serve at once (the app's concurrency; 0 = unlimited)")
    int getConcurrency();

    @Description("Requests it has finished")
    long getProcessed();

    @Description("Resident memory of its whole process tree, in bytes")
    long getResidentBytes();

    @Description("CPU time of its whole process tree, in milliseconds")
    long getCpuMillis();

    @Description("Time since it was spawned, in milliseconds")
    long getUptimeMillis();

    @Description("Time since it last took or finished a request (since it was spawned if none yet), in milliseconds")
    long getIdleMillis();

    @Description("The app's restart generation it was started in")
    int getGeneration();

    @Description("The socket path or 127.0.0.1:port it listens on (or will, while it starts)")
    String getAddress();

    @Description("Retires it gracefully: it finishes its requests, then stops; false if it takes no requests (starting, or retired already)")
    boolean detach();
}
