package dev.corral.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.util.function.Supplier;

/**
 * The example WAR deployed by Arquillian into Tomcat 11 embedded in the test JVM
 * ({@code arquillian-tomcat-embedded-10}), the demo app's Corral valve in the WAR's
 * {@code META-INF/context.xml} (see {@link ArquillianTomcat.Embedded}); the dashboard's checks over
 * HTTP. Run by its own Failsafe execution (it-tests/pom.xml), whose class path has this adapter
 * and the valve's shaded jar.
 */
@ExtendWith(ArquillianTomcat.Embedded.class)
@ExtendWith(ArquillianExtension.class)
@Timeout(180)
class TomcatEmbeddedArquillianIT {
    private static final Supplier<String> LOG = () -> "\n(Tomcat logs to this test's output)";

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive dashboard() {
        return ArquillianTomcat.Embedded.war();
    }

    @Test
    void theDashboardCallsThePoolSeesItAndGetsItsEvents() throws Exception {
        DashboardClient dashboard = new DashboardClient(base.toURI());
        long pid = DashboardChecks.answersFromAPooledProcess(dashboard, ProcessHandle.current(), LOG);
        DashboardChecks.queueFullReachesTheCallerAsQueueFullException(dashboard, LOG);
        DashboardChecks.aKilledProcessReachesTheWebappAsEvents(dashboard, pid, LOG);
    }
}
