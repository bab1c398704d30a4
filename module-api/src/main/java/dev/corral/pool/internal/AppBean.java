package dev.corral.pool.internal;

import dev.corral.config.ConfigException;
import dev.corral.jmx.AppMXBean;
import dev.corral.pool.AppStatus;

import java.util.Map;

/**
 * {@link AppMXBean} over one {@link Group}: reads its config and counts, writes its runtime
 * settings. A refused write throws {@link IllegalArgumentException} with the settings message
 * (a JDK class, so that any JMX client can show it). Thread-safe.
 */
final class AppBean implements AppMXBean {
    private final Group group;

    AppBean(Group group) {
        this.group = group;
    }

    private String setting(String name) {
        return group.config.settings().get(name);
    }

    private void change(String name, Object value) {
        try {
            group.change(Map.of(name, String.valueOf(value)));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private AppStatus counts() {
        return group.counts();
    }

    @Override
    public String getName() {
        return group.name();
    }

    @Override
    public Map<String, String> getSettings() {
        return group.config.settings();
    }

    @Override
    public int getMinProcesses() {
        return group.config.minProcesses();
    }

    @Override
    public void setMinProcesses(int minProcesses) {
        change("minProcesses", minProcesses);
    }

    @Override
    public int getMaxProcesses() {
        return group.config.maxProcesses();
    }

    @Override
    public void setMaxProcesses(int maxProcesses) {
        change("maxProcesses", maxProcesses);
    }

    @Override
    public int getMaxQueue() {
        return group.config.maxQueue();
    }

    @Override
    public void setMaxQueue(int maxQueue) {
        change("maxQueue", maxQueue);
    }

    @Override
    public String getQueueTimeout() {
        return setting("queueTimeout");
    }

    @Override
    public void setQueueTimeout(String queueTimeout) {
        change("queueTimeout", queueTimeout);
    }

    @Override
    public String getIdleTimeout() {
        return setting("idleTimeout");
    }

    @Override
    public void setIdleTimeout(String idleTimeout) {
        change("idleTimeout", idleTimeout);
    }

    @Override
    public int getMaxRequests() {
        return group.config.recycle().maxRequests();
    }

    @Override
    public void setMaxRequests(int maxRequests) {
        change("maxRequests", maxRequests);
    }

    @Override
    public String getMaxMemory() {
        return setting("maxMemory");
    }

    @Override
    public void setMaxMemory(String maxMemory) {
        change("maxMemory", maxMemory);
    }

    @Override
    public String getMaxRequestTime() {
        return setting("maxRequestTime");
    }

    @Override
    public void setMaxRequestTime(String maxRequestTime) {
        change("maxRequestTime", maxRequestTime);
    }

    @Override
    public int getProcesses() {
        return counts().processes();
    }

    @Override
    public Map<String, Integer> getProcessesByState() {
        return counts().processesByState();
    }

    @Override
    public int getSpawning() {
        return counts().spawning();
    }

    @Override
    public int getBusy() {
        return counts().busy();
    }

    @Override
    public int getCapacity() {
        return counts().capacity();
    }

    @Override
    public int getQueued() {
        return counts().queued();
    }

    @Override
    public long getOldestQueuedMillis() {
        return counts().oldestQueuedMillis();
    }

    @Override
    public long getServed() {
        return counts().served();
    }

    @Override
    public long getRejected() {
        return counts().rejected();
    }

    @Override
    public long getTimedOut() {
        return counts().timedOut();
    }

    @Override
    public long getFailed() {
        return counts().failed();
    }

    @Override
    public Map<String, Long> getFailuresByReason() {
        return counts().failuresByReason();
    }

    @Override
    public double getQueueWaitP50Millis() {
        return counts().queueWaitP50Millis();
    }

    @Override
    public double getQueueWaitP99Millis() {
        return counts().queueWaitP99Millis();
    }

    @Override
    public long getSpawnFailures() {
        return counts().spawnFailures();
    }

    @Override
    public long getCrashes() {
        return counts().crashes();
    }

    @Override
    public long getRecycles() {
        return counts().recycles();
    }

    @Override
    public String getLastError() {
        String error = counts().lastError();
        return error == null ? "" : error;
    }

    @Override
    public String getLastErrorTime() {
        AppStatus s = counts();
        return s.lastErrorTime() == null ? "" : s.lastErrorTime().toString();
    }

    @Override
    public boolean isDraining() {
        return group.draining();
    }

    @Override
    public boolean isRestarting() {
        return counts().restarting();
    }

    @Override
    public int getGeneration() {
        return counts().generation();
    }

    @Override
    public boolean restart(boolean rolling) {
        return group.restart(rolling);
    }

    @Override
    public void scale(int minProcesses, int maxProcesses) {
        try {
            group.scale(minProcesses, maxProcesses);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    @Override
    public void drain() {
        group.drain();
    }

    @Override
    public void resume() {
        group.resume();
    }

    @Override
    public boolean detach(long pid) {
        return group.detach(pid);
    }

    @Override
    public String statusText() {
        return StatusText.app(group.status(), group.config.settings(), "");
    }
}
