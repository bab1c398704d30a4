package dev.corral.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example WAR in the unpacked Tomcat 11 distribution, started by Arquillian
 * ({@code arquillian-tomcat-managed-10}) in a CATALINA_BASE set up by the README's commands (see
 * {@link ArquillianTomcat.Managed}): Arquillian deploys the WAR through the manager as
 * {@code /dashboard-arquillian}, beside the {@code /dashboard} the README's commands put in
 * {@code webapps/}; both share the engine of the valve jar in {@code $CATALINA_BASE/lib}. Run by
 * its own Failsafe execution (it-tests/pom.xml).
 */
@ExtendWith(ArquillianTomcat.Managed.class)
@ExtendWith(ArquillianExtension.class)
@Timeout(180)
class TomcatManagedArquillianIT {

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive dashboard() {
        return ArquillianTomcat.dashboardWar("dashboard-arquillian.war");
    }

    @Test
    void theDashboardCallsThePoolSeesItAndGetsItsEvents() throws Exception {
        DashboardClient dashboard = new DashboardClient(base.toURI());
        // Tomcat is a child of the test JVM (the adapter starts it), its app processes below it
        long pid = DashboardChecks.answersFromAPooledProcess(dashboard, ProcessHandle.current(),
                ArquillianTomcat.Managed::logTail);

        // the README's deployment (webapps/dashboard.war) calls the same pool
        DashboardClient readme = new DashboardClient(base.toURI().resolve("/dashboard/"));
        HttpResponse<String> call = readme.get("call/slow?ms=0");
        assertEquals(200, call.statusCode(), () -> "the README's /dashboard: " + It.describe(call)
                + ArquillianTomcat.Managed.logTail());
        long readmePid = Long.parseLong(call.headers().firstValue("X-Corral-Pid").orElseThrow());
        assertTrue(dashboard.pids(DashboardChecks.APP, "READY").contains(readmePid), () -> "pid " + readmePid);

        DashboardChecks.queueFullReachesTheCallerAsQueueFullException(dashboard, ArquillianTomcat.Managed::logTail);
        DashboardChecks.aKilledProcessReachesTheWebappAsEvents(dashboard, pid, ArquillianTomcat.Managed::logTail);
    }
}
