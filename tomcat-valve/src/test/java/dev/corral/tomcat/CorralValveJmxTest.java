package dev.corral.tomcat;

import dev.corral.config.AppSettings;
import dev.corral.testing.LogCapture;
import dev.corral.testing.TestApps;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tomcat's own MBean of the valve: read-only, described by the shipped descriptor, pointing at the app's MBean. */
class CorralValveJmxTest {
    @TempDir
    Path tmp;
    private TomcatFixture tomcat;
    private final LogCapture logs = new LogCapture();

    @AfterEach
    void stop() throws Exception {
        if (tomcat != null) {
            tomcat.close();
        }
        logs.close();
    }

    @Test
    void theValvesMBeanIsReadOnlyAndPointsAtTheAppsMBean() throws Exception {
        AppSettings app = TestApps.threaded("jmxapp", TestApps.install(tmp.resolve("app")));
        app.setPathPrefix("/jmx");
        tomcat = new TomcatFixture();
        tomcat.start(List.of(app), 8);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> valves = server.queryNames(new ObjectName("*:type=Valve,*"), null);
        ObjectName valve = valves.stream().filter(name -> {
            try {
                return CorralValve.class.getName().equals(server.getAttribute(name, "className"));
            } catch (Exception e) {
                return false;
            }
        }).findFirst().orElseThrow(() -> new AssertionError("no CorralValve among " + valves));
        MBeanAttributeInfo[] attributes = server.getMBeanInfo(valve).getAttributes();
        assertTrue(attributes.length >= 20, "the descriptor's attributes: " + attributes.length);
        for (MBeanAttributeInfo attribute : attributes) {
            assertFalse(attribute.isWritable(), attribute.getName() + " is read-only");
            assertFalse(attribute.getDescription().isBlank(), attribute.getName());
            server.getAttribute(valve, attribute.getName());   // each one has its getter
        }
        ObjectName appName = (ObjectName) server.getAttribute(valve, "appObjectName");
        assertEquals(new ObjectName("dev.corral:type=App,name=jmxapp"), appName);
        assertEquals("jmxapp", server.getAttribute(appName, "Name"));
        assertEquals("/jmx", server.getAttribute(valve, "pathPrefix"));
        assertEquals(new ObjectName("dev.corral:type=Engine"), server.getAttribute(valve, "engineObjectName"));
    }
}
