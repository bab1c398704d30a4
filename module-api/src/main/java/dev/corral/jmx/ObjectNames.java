package dev.corral.jmx;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * The names of Corral's MBeans on the platform MBeanServer, the same under Jetty and Tomcat.
 * App names never need quoting (a name is letters, digits, '.', '_' and '-'). A second engine
 * in the same JVM adds {@code instance=2} (and so on) to every name of its own.
 */
public final class ObjectNames {
    public static final String DOMAIN = "dev.corral";

    private ObjectNames() {
    }

    /** {@code dev.corral:type=Engine}. */
    public static ObjectName engine(int instance) {
        return name("type=Engine" + suffix(instance));
    }

    /** {@code dev.corral:type=App,name=<app>}. */
    public static ObjectName app(String app, int instance) {
        return name("type=App,name=" + app + suffix(instance));
    }

    /** {@code dev.corral:type=Faults,app=<app>}. */
    public static ObjectName faults(String app, int instance) {
        return name("type=Faults,app=" + app + suffix(instance));
    }

    /** {@code dev.corral:type=Process,app=<app>,pid=<pid>}. */
    public static ObjectName process(String app, long pid, int instance) {
        return name("type=Process,app=" + app + ",pid=" + pid + suffix(instance));
    }

    /** Every MBean of every Corral engine: {@code dev.corral:*}. */
    public static ObjectName all() {
        return name("*");
    }

    private static String suffix(int instance) {
        return instance <= 1 ? "" : ",instance=" + instance;
    }

    private static ObjectName name(String properties) {
        try {
            return new ObjectName(DOMAIN + ":" + properties);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("not a Corral MBean name: " + properties, e);
        }
    }
}
