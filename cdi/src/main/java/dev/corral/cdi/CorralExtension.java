package dev.corral.cdi;

import dev.corral.client.AppClient;
import dev.corral.event.CorralEvent;
import dev.corral.event.CorralEvents;
import dev.corral.pool.Corral;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.BeforeShutdown;
import jakarta.enterprise.inject.spi.DeploymentException;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.InjectionPoint;
import jakarta.enterprise.inject.spi.ProcessInjectionPoint;

import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The portable extension that gives a webapp Corral's apps (register it with
 * {@code META-INF/services/jakarta.enterprise.inject.spi.Extension}, as the jar does):
 * <ul>
 *   <li>{@code @Inject @CorralApp("x") AppClient} and {@code @Inject CorralView} (from {@link CorralBeans});</li>
 *   <li>at deployment, every {@code @CorralApp} name of an injection point must be an app that runs in the
 *       container's Corral engine, or the deployment fails naming it;</li>
 *   <li>Corral's events ({@link CorralEvent} and its records) fired as CDI events, so that
 *       {@code void on(@Observes ProcessExited exited)} sees them. They are fired on the
 *       subscription's own thread (with the webapp's class loader as its context loader), never on
 *       an engine thread, so a slow or throwing observer delays only later events, never the engine.</li>
 * </ul>
 *
 * <p>Lifetime: the CDI container's (the webapp's); its event subscription ends at {@link BeforeShutdown}.
 */
public class CorralExtension implements Extension {
    private static final System.Logger LOG = System.getLogger("dev.corral.cdi");
    /** App names by the injection points that use them (for the deployment check). */
    private final Map<String, List<String>> appNames = new TreeMap<>();
    private CorralEvents.Subscription events;

    void addBeans(@Observes BeforeBeanDiscovery discovery, BeanManager beans) {
        discovery.addAnnotatedType(beans.createAnnotatedType(CorralBeans.class), CorralBeans.class.getName());
    }

    void collectAppNames(@Observes ProcessInjectionPoint<?, ?> event) {
        InjectionPoint point = event.getInjectionPoint();
        Type type = point.getType();
        if (type != AppClient.class) {
            return;
        }
        CorralApp app = qualifier(point);
        if (app == null) {
            event.addDefinitionError(new DeploymentException("injection point " + describe(point)
                    + " needs @CorralApp(\"<app name>\") to say which Corral app the AppClient calls"));
            return;
        }
        appNames.computeIfAbsent(app.value(), name -> new ArrayList<>()).add(describe(point));
    }

    void checkAppsAndSubscribe(@Observes AfterDeploymentValidation validation, BeanManager beans) {
        for (Map.Entry<String, List<String>> use : appNames.entrySet()) {
            String name = use.getKey();
            if (Corral.runningApp(name).isEmpty()) {
                validation.addDeploymentProblem(new DeploymentException(missing(name, use.getValue())));
            }
        }
        ClassLoader webapp = Thread.currentThread().getContextClassLoader();
        String subscriber = "cdi@" + Integer.toHexString(System.identityHashCode(this));
        events = CorralEvents.subscribe(subscriber, event -> fire(beans, webapp, event));
        LOG.log(System.Logger.Level.DEBUG, "Corral CDI extension ready: apps {0} checked, events to [{1}]",
                appNames.keySet(), subscriber);
    }

    void unsubscribe(@Observes BeforeShutdown shutdown) {
        if (events != null) {
            events.close();
            events = null;
        }
    }

    /** The subscription's counters, or null before deployment or after shutdown (for tests and diagnostics). */
    public CorralEvents.Subscription subscription() {
        return events;
    }

    private static void fire(BeanManager beans, ClassLoader webapp, CorralEvent event) {
        Thread thread = Thread.currentThread();
        ClassLoader was = thread.getContextClassLoader();
        thread.setContextClassLoader(webapp);
        try {
            beans.getEvent().fire(event);
        } finally {
            thread.setContextClassLoader(was);
        }
    }

    static String missing(String name, List<String> usedBy) {
        List<String> running = new ArrayList<>();
        Corral.running().forEach(corral -> corral.apps().forEach(app -> running.add(app.name())));
        return "@CorralApp(\"" + name + "\"): no Corral app named [" + name + "] runs in this JVM (used by "
                + String.join(", ", usedBy) + "); "
                + (running.isEmpty()
                ? "no Corral engine runs at all: the container's Corral (the Tomcat valve, the Jetty corral module)"
                  + " must start before this webapp, and its classes must come from the container, not WEB-INF/lib"
                : "apps running: " + running);
    }

    /** The app name of an injection point of {@link CorralBeans#appClient}. */
    static String appName(InjectionPoint point) {
        CorralApp app = qualifier(point);
        if (app == null) {
            throw new IllegalStateException("injection point " + describe(point) + " has no @CorralApp");
        }
        return app.value();
    }

    private static CorralApp qualifier(InjectionPoint point) {
        for (Annotation qualifier : point.getQualifiers()) {
            if (qualifier instanceof CorralApp app) {
                return app;
            }
        }
        return null;
    }

    private static String describe(InjectionPoint point) {
        return point.getMember() == null ? String.valueOf(point)
                : point.getMember().getDeclaringClass().getName() + "." + point.getMember().getName();
    }
}
