package dev.corral.pool.internal;

import dev.corral.jmx.ProcessMXBean;
import dev.corral.pool.ProcessStatus;

/** {@link ProcessMXBean} over one {@link AppProcess}. Thread-safe. */
final class ProcessBean implements ProcessMXBean {
    private final Group group;
    private final AppProcess process;

    ProcessBean(Group group, AppProcess process) {
        this.group = group;
        this.process = process;
    }

    private ProcessStatus status() {
        return group.status(process);
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
        OsProcess os = process.os;
        return os == null ? 0 : os.residentBytes();
    }

    @Override
    public long getCpuMillis() {
        OsProcess os = process.os;
        return os == null ? 0 : os.cpuMillis();
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
