package dev.corral.jmx;

import java.util.Map;

/**
 * {@code dev.corral:type=App,name=<app>}: one app. The runtime-tunable settings are writable
 * attributes; a write takes effect at once or is refused with the settings error, which names the
 * setting and what it accepts.
 */
@Description("One app: its settings in force, its pool and queue, its counters, and operations on it")
public interface AppMXBean {

    // ------------------------------------------------------------------ settings

    @Description("The app's name")
    String getName();

    @Description("Every setting in force, by name, in its configuration spelling")
    Map<String, String> getSettings();

    @Description("Processes kept running even when idle; writable, 0..maxProcesses")
    int getMinProcesses();

    void setMinProcesses(int minProcesses);

    @Description("Upper bound on processes; writable, 1..1024 (the least busy ones above a lowered bound retire)")
    int getMaxProcesses();

    void setMaxProcesses(int maxProcesses);

    @Description("Requests that may wait for a process; writable, 0..1000000 (none waiting is dropped)")
    int getMaxQueue();

    void setMaxQueue(int maxQueue);

    @Description("How long a request may wait in the queue, such as 30s; writable (applies to waiting requests too)")
    String getQueueTimeout();

    void setQueueTimeout(String queueTimeout);

    @Description("Idle processes above minProcesses stop after this, such as 5m (0 = never); writable")
    String getIdleTimeout();

    void setIdleTimeout(String idleTimeout);

    @Description("A process is recycled after this many requests (0 = off); writable")
    int getMaxRequests();

    void setMaxRequests(int maxRequests);

    @Description("A process whose tree's resident set exceeds this is recycled, such as 512MB (0 = off); writable")
    String getMaxMemory();

    void setMaxMemory(String maxMemory);

    @Description("A request running longer kills its process (504), such as 30s (0 = off); writable, for requests "
            + "that start from then on")
    String getMaxRequestTime();

    void setMaxRequestTime(String maxRequestTime);

    // ------------------------------------------------------------------ live counts

    @Description("Processes that exist (starting, ready, draining, down or stopping)")
    int getProcesses();

    @Description("Processes by state: STARTING, READY, DRAINING, DOWN, STOPPING")
    Map<String, Integer> getProcessesByState();

    @Description("Processes started but not ready yet")
    int getSpawning();

    @Description("Requests in flight on processes")
    int getBusy();

    @Description("Requests the ready processes can serve at once (concurrency each), -1 = unlimited")
    int getCapacity();

    @Description("Requests waiting for a process")
    int getQueued();

    @Description("How long the oldest waiting request has waited, in milliseconds (0: none waits)")
    long getOldestQueuedMillis();

    @Description("Requests the app answered (whatever its status)")
    long getServed();

    @Description("Requests answered 503 queue_full")
    long getRejected();

    @Description("Requests answered 503 queue_timeout")
    long getTimedOut();

    @Description("Requests that got no answer from the app for another reason than a full queue")
    long getFailed();

    @Description("Failed requests by reason code (the X-Corral-Reason header)")
    Map<String, Long> getFailuresByReason();

    @Description("Median wait in the queue over the last minute, in milliseconds")
    double getQueueWaitP50Millis();

    @Description("99th percentile of the wait in the queue over the last minute, in milliseconds")
    double getQueueWaitP99Millis();

    @Description("Spawns that failed")
    long getSpawnFailures();

    @Description("Processes that died on their own (not stopped or retired by Corral)")
    long getCrashes();

    @Description("Processes recycled: maxRequests, maxMemory, idleTimeout, restarts, scale-downs")
    long getRecycles();

    @Description("The last spawn or process error (empty: none)")
    String getLastError();

    @Description("When the last error happened, ISO-8601 (empty: none)")
    String getLastErrorTime();

    @Description("Whether the app is drained, by drain() or by a tmp/drain.txt in its appRoot (new requests are answered"
            + " 503 draining)")
    boolean isDraining();

    @Description("Whether a rolling restart is under way")
    boolean isRestarting();

    @Description("The restart generation: processes of older ones are replaced by a rolling restart")
    int getGeneration();

    // ------------------------------------------------------------------ operations

    @Description("Restarts the app: rolling (one process at a time, each once its replacement is ready) or all at "
            + "once; false if a restart runs already or the app is stopping")
    boolean restart(@Description(value = "true: one at a time, losing no request", name = "rolling") boolean rolling);

    @Description("Sets minProcesses and maxProcesses together")
    void scale(@Description(value = "processes kept running", name = "minProcesses") int minProcesses,
               @Description(value = "upper bound on processes", name = "maxProcesses") int maxProcesses);

    @Description("Stops taking new requests (they get 503 draining); queued and in-flight ones are still served")
    void drain();

    @Description("Takes new requests again after drain (a tmp/drain.txt keeps it drained until the file is removed)")
    void resume();

    @Description("Retires one process gracefully (it finishes its requests); false if no ready process has that pid")
    boolean detach(@Description(value = "the process's pid", name = "pid") long pid);

    @Description("The app as text, like passenger-status: counts, settings, every process")
    String statusText();
}
