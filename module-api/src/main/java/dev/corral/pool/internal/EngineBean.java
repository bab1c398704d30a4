package dev.corral.pool.internal;

import dev.corral.jmx.EngineMXBean;

import java.util.List;

/** {@link EngineMXBean} over a {@link Pool}. Thread-safe. */
final class EngineBean implements EngineMXBean {
    private final Pool pool;

    EngineBean(Pool pool) {
        this.pool = pool;
    }

    @Override
    public String getVersion() {
        return Pool.version();
    }

    @Override
    public String getRunDir() {
        return pool.runDir().toString();
    }

    @Override
    public int getMaxPoolProcesses() {
        return pool.maxPoolProcesses();
    }

    @Override
    public void setMaxPoolProcesses(int maxPoolProcesses) {
        try {
            pool.setMaxPoolProcesses(maxPoolProcesses);
        } catch (dev.corral.config.ConfigException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    @Override
    public int getProcesses() {
        return pool.groups().stream().mapToInt(group -> group.counts().processes()).sum();
    }

    @Override
    public List<String> getApps() {
        return pool.groups().stream().map(Group::name).toList();
    }

    @Override
    public boolean isDraining() {
        return pool.draining();
    }

    @Override
    public void drain() {
        pool.drain();
    }

    @Override
    public void resume() {
        pool.resume();
    }

    @Override
    public String dump() {
        return pool.dump();
    }
}
