package dev.corral.pool.internal;

import dev.corral.jmx.AppMXBean;
import dev.corral.jmx.EngineMXBean;
import dev.corral.jmx.FaultsMXBean;
import dev.corral.jmx.ObjectNames;
import dev.corral.jmx.ProcessMXBean;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Keeps an engine's MBeans on its MBeanServer in step with the engine: the engine's at start,
 * each app's (and its faults') when the app is added and gone when it is removed, each
 * process's when it becomes ready and gone when it exits, every one gone when the engine closes. A process whose exit is seen before
 * its registration (both are actions after a state change, and may run out of order) is never
 * registered: no stale MBean. A registration that fails is logged and costs nothing else.
 *
 * <p>Names are {@link ObjectNames}'; the first engine on a server has the plain names, a second
 * one adds {@code instance=2}, and so on.
 *
 * <p>Thread-safety: its own monitor; JMX calls into the beans never take it.
 */
final class Management {
    private static final System.Logger LOG = System.getLogger("dev.corral.jmx");

    private final MBeanServer server;
    // Guarded by this.
    private int instance;
    private final Set<ObjectName> registered = new LinkedHashSet<>();
    /**
     * Processes whose MBean is registered (their name), or which exited before their registration
     * ran (null: a mark that the registration consumes).
     */
    private final Map<AppProcess, ObjectName> processes = new IdentityHashMap<>();
    private boolean closed;

    Management(MBeanServer server) {
        this.server = server;
    }

    /** This engine's instance number on the server (1: the plain names). */
    synchronized int instance() {
        if (instance == 0) {
            instance = 1;
            while (server.isRegistered(ObjectNames.engine(instance))) {
                instance++;
            }
        }
        return instance;
    }

    synchronized void engineStarted(EngineMXBean engine) {
        register(ObjectNames.engine(instance()), new DescribedMBean<>(engine, EngineMXBean.class));
    }

    synchronized void appAdded(Group group) {
        register(ObjectNames.app(group.name(), instance()), new DescribedMBean<>(new AppBean(group), AppMXBean.class));
        register(ObjectNames.faults(group.name(), instance()),
                new DescribedMBean<>(new FaultsBean(group.faults), FaultsMXBean.class));
    }

    /**
     * An app was removed: its MBean and its faults' go now, its processes' as each exits
     * ({@link #processGone}).
     */
    synchronized void appRemoved(Group group) {
        unregister(ObjectNames.app(group.name(), instance()));
        unregister(ObjectNames.faults(group.name(), instance()));
    }

    /** A process became ready (called once per process, after its state change). */
    synchronized void processReady(Group group, AppProcess process) {
        if (processes.containsKey(process)) {
            processes.remove(process);   // its exit was seen first: no MBean for it, ever
            return;
        }
        if (closed) {
            return;
        }
        ObjectName name = ObjectNames.process(group.name(), process.pid(), instance());
        processes.put(process, register(name, new DescribedMBean<>(new ProcessBean(group, process), ProcessMXBean.class))
                ? name : null);
    }

    /** A process that had become ready exited (called once per such process, after its state change). */
    synchronized void processGone(AppProcess process) {
        if (processes.containsKey(process)) {
            ObjectName name = processes.remove(process);
            if (name != null) {
                unregister(name);
            }
        } else if (!closed) {
            processes.put(process, null);   // its registration is still to come: it will find this mark
        }
    }

    /** Unregisters every MBean of this engine. */
    synchronized void close() {
        closed = true;
        processes.values().stream().filter(java.util.Objects::nonNull).forEach(this::unregister);
        processes.clear();
        List<ObjectName> names = new ArrayList<>(registered);
        names.forEach(this::unregister);
    }

    private boolean register(ObjectName name, Object bean) {
        if (closed) {
            return false;
        }
        try {
            server.registerMBean(bean, name);
            registered.add(name);
            return true;
        } catch (JMException e) {
            LOG.log(Level.WARNING, "cannot register the MBean {0}: {1}", name, e.toString());
            return false;
        }
    }

    private void unregister(ObjectName name) {
        registered.remove(name);
        try {
            server.unregisterMBean(name);
        } catch (JMException e) {
            LOG.log(Level.DEBUG, "the MBean {0} was gone already: {1}", name, e.toString());
        }
    }
}
