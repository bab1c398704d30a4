package dev.corral.examples;

import dev.corral.examples.CorralCommand.Failure;
import dev.corral.jmx.AppMXBean;
import dev.corral.jmx.EngineMXBean;
import dev.corral.jmx.FaultsMXBean;
import dev.corral.jmx.ObjectNames;
import dev.corral.jmx.ProcessMXBean;

import java.io.IOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.management.Attribute;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.JMRuntimeException;
import javax.management.JMX;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The Corral engine of another JVM (a Jetty, a Tomcat, the demo), reached over remote JMX as
 * {@code jconsole HOST:PORT} reaches it: the RMI registry at {@code HOST:PORT}, no authentication.
 * It finds the engine's, the apps' and the processes' MBeans by their fixed names
 * ({@link ObjectNames}, the first engine of that JVM), and turns every way a call can fail into a
 * {@link Failure} with one line for the operator.
 *
 * <p>Lifetime: one command; {@link #close()} closes the connection. Not thread-safe (one command
 * runs on one thread).
 */
final class CorralJmx implements AutoCloseable {
    /** How long to wait for the registry and the connector to answer. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final int FIRST_ENGINE = 1;

    private final String target;
    private final JMXConnector connector;
    private final MBeanServerConnection remote;

    private CorralJmx(String target, JMXConnector connector) throws IOException {
        this.target = target;
        this.connector = connector;
        this.remote = connector.getMBeanServerConnection();
    }

    /**
     * Connects to the JMX of the JVM at {@code host:port} and checks that a Corral engine runs there.
     *
     * @throws Failure {@code cannot connect to JMX at HOST:PORT: <reason>}, or no engine there
     */
    static CorralJmx connect(String host, int port) throws Failure {
        String target = host + ":" + port;
        JMXServiceURL url;
        try {
            url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + host + ":" + port + "/jmxrmi");
        } catch (java.net.MalformedURLException e) {
            throw new Failure("cannot connect to JMX at " + target + ": " + reason(e));
        }
        // On a thread of its own: an address that drops packets would otherwise hold the command
        // for the operating system's connect timeout (minutes), and RMI offers no per-call one.
        FutureTask<JMXConnector> connect = new FutureTask<>(() -> JMXConnectorFactory.connect(url));
        Thread connecting = new Thread(connect, "corral-jmx-connect");
        connecting.setDaemon(true);
        connecting.start();
        JMXConnector connector;
        try {
            connector = connect.get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new Failure("cannot connect to JMX at " + target + ": " + reason(e.getCause()));
        } catch (TimeoutException e) {
            connecting.interrupt();
            throw new Failure("cannot connect to JMX at " + target + ": no answer within "
                    + CONNECT_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("cannot connect to JMX at " + target + ": interrupted");
        }
        CorralJmx jmx;
        try {
            jmx = new CorralJmx(target, connector);
        } catch (IOException e) {
            close(connector);
            throw new Failure("cannot connect to JMX at " + target + ": " + reason(e));
        }
        try {
            if (!jmx.call(() -> jmx.remote.isRegistered(engineName()))) {
                throw new Failure("no Corral engine in the JVM at JMX " + target + " (no MBean " + engineName() + ")");
            }
        } catch (Failure e) {
            jmx.close();
            throw e;
        }
        return jmx;
    }

    /** {@code HOST:PORT}, as the messages name it. */
    String target() {
        return target;
    }

    EngineMXBean engine() {
        return JMX.newMXBeanProxy(remote, engineName(), EngineMXBean.class);
    }

    /** The names of the apps, in the engine's order. */
    List<String> apps() throws Failure {
        EngineMXBean engine = engine();
        return call(engine::getApps);
    }

    /** @throws Failure {@code no app named [x] (apps: a, b)} */
    AppMXBean app(String app) throws Failure {
        return JMX.newMXBeanProxy(remote, appName(app), AppMXBean.class);
    }

    FaultsMXBean faults(String app) throws Failure {
        appName(app);
        return JMX.newMXBeanProxy(remote, ObjectNames.faults(app, FIRST_ENGINE), FaultsMXBean.class);
    }

    /** The App MBean's name, once it is known to exist. */
    ObjectName appName(String app) throws Failure {
        ObjectName name;
        try {
            name = ObjectNames.app(app, FIRST_ENGINE);
        } catch (IllegalArgumentException e) {
            name = null; // not a name an app can have; reported as unknown below
        }
        ObjectName known = name;
        if (known == null || !call(() -> remote.isRegistered(known))) {
            List<String> apps = apps();
            throw new Failure("no app named [" + app + "] (apps: " + (apps.isEmpty() ? "none" : String.join(", ", apps)) + ")");
        }
        return known;
    }

    /** The process MBeans of one app, by pid. */
    List<ObjectName> processes(String app) throws Failure {
        ObjectName pattern = pattern("type=Process,app=" + app + ",*");
        List<ObjectName> names = new ArrayList<>(call(() -> remote.queryNames(pattern, null)));
        names.removeIf(name -> name.getKeyProperty("instance") != null); // another engine's
        names.sort(Comparator.comparingLong(CorralJmx::pid));
        return names;
    }

    /**
     * The process with this pid, whichever app it belongs to.
     *
     * @throws Failure {@code no process with pid [N] (processes: app pid, ...)}
     */
    ProcessMXBean process(long pid) throws Failure {
        ObjectName pattern = pattern("type=Process,*");
        List<ObjectName> all = new ArrayList<>(call(() -> remote.queryNames(pattern, null)));
        all.sort(Comparator.comparing((ObjectName name) -> name.getKeyProperty("app")).thenComparingLong(CorralJmx::pid));
        for (ObjectName name : all) {
            if (pid(name) == pid) {
                return JMX.newMXBeanProxy(remote, name, ProcessMXBean.class);
            }
        }
        List<String> known = all.stream().map(name -> name.getKeyProperty("app") + " " + pid(name)).toList();
        throw new Failure("no process with pid [" + pid + "] (processes: "
                + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
    }

    /**
     * Every attribute of an MBean as plain values (maps, lists, strings, numbers, booleans), by
     * its JMX name in lowerCamelCase ({@code MaxQueue} → {@code maxQueue}); {@code name} first,
     * then the others in alphabetical order. An attribute that cannot be read is left out.
     */
    Map<String, Object> attributes(ObjectName name) throws Failure {
        String[] names = Arrays.stream(call(() -> remote.getMBeanInfo(name)).getAttributes())
                .map(MBeanAttributeInfo::getName).sorted().toArray(String[]::new);
        Map<String, Object> sorted = new TreeMap<>();
        for (Attribute attribute : call(() -> remote.getAttributes(name, names)).asList()) {
            sorted.put(lowerCamelCase(attribute.getName()), plain(attribute.getValue()));
        }
        Map<String, Object> values = new LinkedHashMap<>();
        if (sorted.containsKey("name")) {
            values.put("name", sorted.remove("name"));
        }
        values.putAll(sorted);
        return values;
    }

    /** Calls the remote JVM, turning every failure into one line. */
    <T> T call(RemoteCall<T> call) throws Failure {
        try {
            return call.call();
        } catch (IOException e) {
            throw lost(e);
        } catch (InstanceNotFoundException e) {
            throw gone(e);
        } catch (JMException e) {
            throw new Failure(reason(e));
        } catch (UndeclaredThrowableException e) {
            // what an MXBean proxy throws for the checked exceptions above
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw lost(io);
            }
            if (cause instanceof InstanceNotFoundException missing) {
                throw gone(missing);
            }
            throw new Failure(reason(cause));
        } catch (SecurityException e) {
            throw new Failure("JMX at " + target + " refused the call: " + reason(e));
        } catch (JMRuntimeException e) {
            // RuntimeMBeanException and kin wrap what the MBean threw
            throw new Failure(reason(e));
        } catch (RuntimeException e) {
            // the MBean's own refusal, such as a bad value for a setting: its message is for the operator
            throw new Failure(e.getMessage() != null ? e.getMessage() : reason(e));
        }
    }

    /** Runs an operation without a result in the remote JVM, as {@link #call} does. */
    void run(RemoteAction action) throws Failure {
        call(() -> {
            action.run();
            return null;
        });
    }

    /** A call to the remote JVM; {@link #call} reports how it failed. */
    @FunctionalInterface
    interface RemoteCall<T> {
        T call() throws IOException, JMException;
    }

    /** A call to the remote JVM without a result; {@link #run} reports how it failed. */
    @FunctionalInterface
    interface RemoteAction {
        void run() throws IOException, JMException;
    }

    @Override
    public void close() {
        close(connector);
    }

    private Failure lost(IOException e) {
        return new Failure("lost the JMX connection to " + target + ": " + reason(e));
    }

    private static Failure gone(InstanceNotFoundException e) {
        return new Failure("the MBean " + e.getMessage() + " is gone (its app or process stopped meanwhile)");
    }

    private static void close(JMXConnector connector) {
        try {
            connector.close();
        } catch (IOException e) {
            // the command is over; the server drops the connection on its own
        }
    }

    static ObjectName engineName() {
        return ObjectNames.engine(FIRST_ENGINE);
    }

    private static ObjectName pattern(String properties) throws Failure {
        try {
            return new ObjectName(ObjectNames.DOMAIN + ":" + properties);
        } catch (MalformedObjectNameException e) {
            throw new Failure("not a Corral MBean name: " + ObjectNames.DOMAIN + ":" + properties);
        }
    }

    private static long pid(ObjectName process) {
        try {
            return Long.parseLong(process.getKeyProperty("pid"));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String lowerCamelCase(String attribute) {
        return attribute.isEmpty() ? attribute : Character.toLowerCase(attribute.charAt(0)) + attribute.substring(1);
    }

    /** Open types as plain values: a Map's TabularData as a map (in the server's order), arrays as lists. */
    private static Object plain(Object value) {
        if (value instanceof TabularData table) {
            boolean keyValue = table.getTabularType().getRowType().keySet().equals(java.util.Set.of("key", "value"));
            if (keyValue) {
                Map<String, Object> map = new LinkedHashMap<>();
                for (Object row : table.values()) {
                    CompositeData entry = (CompositeData) row;
                    map.put(String.valueOf(plain(entry.get("key"))), plain(entry.get("value")));
                }
                return map;
            }
            return table.values().stream().map(CorralJmx::plain).toList();
        }
        if (value instanceof CompositeData composite) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (String key : composite.getCompositeType().keySet()) {
                map.put(key, plain(composite.get(key)));
            }
            return map;
        }
        if (value instanceof Object[] array) {
            return Arrays.stream(array).map(CorralJmx::plain).toList();
        }
        return value;
    }

    /**
     * Why something failed, in one line: the message of the innermost cause that has one
     * ({@code Connection refused} rather than the three exceptions RMI wraps it in).
     */
    static String reason(Throwable failure) {
        Throwable innermost = failure;
        String message = null;
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 20; t = t.getCause(), depth++) {
            innermost = t;
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t instanceof UnknownHostException ? "unknown host " + t.getMessage() : t.getMessage();
            }
        }
        if (message == null) {
            message = innermost.getClass().getSimpleName();
        }
        // RemoteException appends "; nested exception is: \n\t..." to its own message
        int nested = message.indexOf("; nested exception is:");
        if (nested > 0) {
            message = message.substring(0, nested);
        }
        return message.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
