package dev.corral.jetty;

import dev.corral.config.AppSettings;
import dev.corral.testing.LogCapture;
import dev.corral.testing.TestApps;

import org.eclipse.jetty.jmx.MBeanContainer;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Set;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With Jetty's jmx module the handler's MBean links to the engine's; Server.dump() shows the engine. */
class CorralHandlerJmxTest {
    @TempDir
    Path tmp;
    private Server server;
    private final LogCapture logs = new LogCapture();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        logs.close();
    }

    @Test
    void theHandlersMBeanShowsTheEngineAndTheDumpShowsTheApps() throws Exception {
        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        server = new Server();
        server.addBean(new MBeanContainer(mbeans));
        CorralHandler handler = new CorralHandler();
        AppSettings app = TestApps.threaded("dumped", TestApps.install(tmp.resolve("app")));
        handler.addApp(app);
        server.setHandler(handler);
        server.start();
        Set<ObjectName> handlers = mbeans.queryNames(new ObjectName("dev.corral.jetty:type=corralhandler,*"), null);
        assertEquals(1, handlers.size(), "Jetty's jmx module made the handler's MBean: " + handlers);
        ObjectName name = handlers.iterator().next();
        ObjectName engine = new ObjectName((String) mbeans.getAttribute(name, "engine"));
        assertEquals(new ObjectName("dev.corral:type=Engine"), engine);
        assertTrue(mbeans.isRegistered(engine));
        Object apps = mbeans.getAttribute(name, "apps");
        String first = apps instanceof String[] array ? array[0] : ((java.util.List<?>) apps).get(0).toString();
        assertEquals(new ObjectName("dev.corral:type=App,name=dumped"), new ObjectName(first));
        String dump = server.dump();
        assertTrue(dump.contains("Corral ") && dump.contains("app dumped"), dump);
    }
}
