package dev.corral.pool.internal;

import dev.corral.jmx.ProcessMXBean;
import dev.corral.pool.ProcessStatus;

/**
 * {@link ProcessMXBean} over one {@link AppProcess}: every attribute is read from the process's
 * {@link ProcessStatus}, as the status endpoints read it; only memory and CPU time read
 * {@code /proc} (one {@link ProcessTable} scan each). Thread-safe.
 */
final class ProcessBean implements ProcessMXBean {
    private final Group group;
    private final AppProcess process;

    ProcessBean(Group group, AppProcess process) {
        this.group = group;
        this.process = process;
    }

    /** The process's state, without reading {@code /proc}. */
    private ProcessStatus status() {
        return group.counts(process);
    }

    @Override
    public long getPid() {
        return process.pid();
    }

    @Override
    public long getProcessGroup() {
        return process.pgid();
    }

    @Override
    public String getState() {
        return status().state();
    }

    @Override
    public String getLastCheck() {
        String check = status().lastCheck();
        return check == null ? "" : check;
    }

    @Override
    public long getLastCheckAgoMillis() {
        return status().lastCheckAgoMillis();
    }

    @Override
    public int getChecksPassed() {
        return status().checksPassed();
    }

    @Override
    public int getChecksFailed() {
        return status().checksFailed();
    }

    @Override
    public int getSessions() {
        return status().sessions();
    }

    @Override
    public int getConcurrency() {
        return group.config.concurrency();
    }

    @Override
    public long getProcessed() {
        return status().processed();
    }

    @Override
    public long getResidentBytes() {
        return group.status(process).residentBytes();
    }

    @Override
    public long getCpuMillis() {
        return group.status(process).cpuMillis();
    }

    @Override
    public long getUptimeMillis() {
        return status().uptimeMillis();
    }

    @Override
    public long getIdleMillis() {
        return status().idleMillis();
    }

    @Override
    public int getGeneration() {
        return process.generation;
    }

    @Override
    public String getAddress() {
        return process.address();
    }

    @Override
    public boolean detach() {
        return group.detach(process.pid());
    }
}
