package dev.corral.pool.internal;

import dev.corral.jmx.AppMXBean;
import dev.corral.jmx.EngineMXBean;
import dev.corral.jmx.FaultsMXBean;
import dev.corral.jmx.ObjectNames;
import dev.corral.jmx.ProcessMXBean;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
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
 * process's from the moment its OS process exists ({@link ProcessLauncher.Listener#started},
 * state STARTING) until it exits, every one gone when the engine closes. A process is named by
 * the pid operators see ({@link AppProcess#pid}): its lifeline's while it starts, then the app's
 * own once the app listens, when its MBean is registered again under that pid. A process whose
 * exit is seen before its registration is never registered: no stale MBean. (The launcher
 * registers a process before it watches for its exit, so that order does not happen; the mark
 * below guards the rule anyway.) A registration that fails is logged and costs nothing else.
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
    /** Processes seen started and not yet gone, with their MBean's name (null: its registration failed). */
    private final Map<AppProcess, ObjectName> processes = new IdentityHashMap<>();
    /**
     * Processes gone before their start was seen: a mark that their registration consumes. Only
     * a process that started is reported gone ({@link ProcessList#removeDeadLocked}), so every
     * mark is consumed.
     */
    private final Set<AppProcess> goneBeforeStart = Collections.newSetFromMap(new IdentityHashMap<>());
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

    /** A process's OS process exists (called once per such process, before its exit can be seen). */
    synchronized void processStarted(Group group, AppProcess process) {
        if (goneBeforeStart.remove(process) || closed) {
            return;   // its exit was seen first: no MBean for it, ever
        }
        processes.put(process, registerProcess(group, process));
    }

    /**
     * A process's pid as operators see it is final now (the app's own, once it listens): its
     * MBean, registered under its lifeline's pid, is registered again under this one.
     */
    synchronized void processPidKnown(Group group, AppProcess process) {
        ObjectName registeredAs = processes.get(process);
        if (registeredAs == null || registeredAs.equals(processName(group, process))) {
            return;   // gone already, its registration failed, or its name holds
        }
        unregister(registeredAs);
        processes.put(process, registerProcess(group, process));
    }

    /** A process that had started is gone (called once per such process, after its state change). */
    synchronized void processGone(AppProcess process) {
        if (processes.containsKey(process)) {
            ObjectName name = processes.remove(process);
            if (name != null) {
                unregister(name);
            }
        } else if (!closed) {
            goneBeforeStart.add(process);   // its registration is still to come: it will find this mark
        }
    }

    /** Registers the process's MBean under its current pid: its name, or null if that failed. */
    private ObjectName registerProcess(Group group, AppProcess process) {
        ObjectName name = processName(group, process);
        return register(name, new DescribedMBean<>(new ProcessBean(group, process), ProcessMXBean.class)) ? name : null;
    }

    private ObjectName processName(Group group, AppProcess process) {
        return ObjectNames.process(group.name(), process.pid(), instance());
    }

    /** Unregisters every MBean of this engine. */
    synchronized void close() {
        closed = true;
        processes.values().stream().filter(java.util.Objects::nonNull).forEach(this::unregister);
        processes.clear();
        goneBeforeStart.clear();
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
