package dev.corral.it;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the Arquillian tests of the example WAR prepare before Arquillian starts Tomcat: JUnit
 * extensions registered before {@code ArquillianExtension}, whose {@code beforeAll} starts the
 * container (Arquillian reads arquillian.xml, and starts the container of {@code arquillian.launch},
 * in the first {@code ArquillianExtension.beforeAll} of the run). They set the {@code corral.it.arq.*}
 * system properties arquillian.xml uses (free loopback ports, the directories they made) and the
 * archive the test class deploys. The demo app, its valve and the install commands are the README's.
 */
final class ArquillianTomcat {
    private ArquillianTomcat() {
    }

    /** The example WAR the reactor built, as an archive named {@code name} (its context path). */
    static WebArchive dashboardWar(String name) {
        return ShrinkWrap.create(ZipImporter.class, name)
                .importFrom(It.location("corral.it.dashboardWar").toFile())
                .as(WebArchive.class);
    }

    /** The demo app's {@code <Valve>} of the README, its {@code /srv/} under {@code apps}. */
    static String valve(Readme readme, Path apps) {
        return readme.block("dashboard-tomcat-valve", apps);
    }

    /**
     * Tomcat embedded in the test JVM ({@code arquillian-tomcat-embedded-10}): Tomcat's class path is
     * the tests', which has the Corral valve's shaded jar (as {@code $CATALINA_BASE/lib} would) and
     * neither Weld nor corral-cdi. The WAR brings the demo app's valve in its
     * {@code META-INF/context.xml}: a Context's valves start before its webapp, so the engine runs
     * when Weld checks the webapp's {@code @CorralApp} names.
     */
    static final class Embedded implements BeforeAllCallback {
        private static WebArchive war;

        @Override
        public void beforeAll(ExtensionContext context) throws Exception {
            Path home = It.freshDir("tomcat-embedded-arquillian");
            Files.createDirectories(home.resolve("webapps"));
            Path apps = home.resolve("apps");
            installDemo(apps);
            String contextXml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Context>\n" + valve(Readme.load(), apps)
                    + "</Context>\n";
            war = dashboardWar("dashboard.war").addAsManifestResource(new StringAsset(contextXml), "context.xml");
            System.setProperty("corral.it.arq.tomcatHome", home.toString());
            System.setProperty("corral.it.arq.httpPort", Integer.toString(It.freePort()));
        }

        /** The archive to deploy: the example WAR with the valve in its META-INF/context.xml. */
        static WebArchive war() {
            return war;
        }

        /** The demo app where the README's {@code /srv/demo} stands (as its install commands put it). */
        private static void installDemo(Path apps) throws IOException {
            Path demo = Files.createDirectories(apps.resolve("demo"));
            Files.copy(It.location("corral.it.repository").resolve("examples/src/main/resources/dev/corral/demo/app.py"),
                    demo.resolve("app.py"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * The unpacked Tomcat distribution, started by Arquillian ({@code arquillian-tomcat-managed-10}),
     * in a CATALINA_BASE set up as the README says: its install commands for the dashboard (the
     * valve jar in {@code lib/}, the demo app, the WAR in {@code webapps/}) and the demo app's valve
     * in {@code server.xml}'s {@code <Host>}; plus, for Arquillian, the manager webapp and a
     * {@code manager-script} user. Arquillian deploys the WAR a second time, under another name.
     */
    static final class Managed implements BeforeAllCallback {
        private static Path base;

        @Override
        public void beforeAll(ExtensionContext context) throws Exception {
            Path home = It.location("corral.it.tomcatHome");
            It.location("corral.it.dashboardWar");   // built by examples/dashboard's package phase
            base = It.freshDir("tomcat-managed-arquillian");
            Path apps = base.resolve("apps");
            It.copyTree(home.resolve("conf"), base.resolve("conf"));
            for (String dir : new String[] {"logs", "temp", "work", "lib", "webapps/ROOT"}) {
                Files.createDirectories(base.resolve(dir));
            }
            It.copyTree(home.resolve("webapps/manager"), base.resolve("webapps/manager"));
            Readme readme = Readme.load();
            runReadme(readme.block("dashboard-tomcat"));

            int port = It.freePort();
            String xml = Files.readString(base.resolve("conf/server.xml"), StandardCharsets.UTF_8);
            xml = replaceOnce(xml, "<Server port=\"8005\" shutdown=\"SHUTDOWN\">", "<Server port=\"-1\" shutdown=\"SHUTDOWN\">");
            xml = replaceOnce(xml, "<Connector port=\"8080\" protocol=\"HTTP/1.1\"",
                    "<Connector port=\"" + port + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"");
            Matcher host = Pattern.compile("<Host [^>]*>").matcher(xml);
            assertTrue(host.find(), "the distribution's server.xml has a <Host>");
            // The sockets go to java.io.tmpdir, which is $CATALINA_BASE/temp: too deep a path under
            // target/it-work for a socket (~100 bytes), so a short runDir (as the README advises)
            Path runDir = It.shortRunDir();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> It.deleteTree(runDir)));
            String valve = valve(readme, apps);
            assertTrue(valve.strip().endsWith("/>"), valve);
            valve = valve.substring(0, valve.lastIndexOf("/>")) + " runDir=\"" + runDir + "\"/>\n";
            xml = xml.substring(0, host.end()) + "\n" + valve + xml.substring(host.end());
            Files.writeString(base.resolve("conf/server.xml"), xml, StandardCharsets.UTF_8);

            String password = UUID.randomUUID().toString();
            Files.writeString(base.resolve("conf/tomcat-users.xml"), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    + "<tomcat-users xmlns=\"http://tomcat.apache.org/xml\" version=\"1.0\">\n"
                    + "  <user username=\"arquillian\" password=\"" + password + "\" roles=\"manager-script\"/>\n"
                    + "</tomcat-users>\n", StandardCharsets.UTF_8);

            System.setProperty("corral.it.arq.catalinaHome", home.toString());
            System.setProperty("corral.it.arq.catalinaBase", base.toString());
            System.setProperty("corral.it.arq.httpPort", Integer.toString(port));
            System.setProperty("corral.it.arq.jmxPort", Integer.toString(It.freePort()));
            System.setProperty("corral.it.arq.managerPassword", password);
        }

        /** The README's commands, by {@code sh -eu} with CATALINA_BASE and CORRAL set, {@code /srv/} under apps/. */
        private static void runReadme(String commands) throws Exception {
            String script = commands.replace("/srv/", base.resolve("apps") + "/");
            ProcessBuilder builder = new ProcessBuilder(List.of("sh", "-eu", "-c", script)).directory(base.toFile());
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(k -> k.startsWith("CATALINA_"));
            env.put("CATALINA_BASE", base.toString());
            env.put("CORRAL", It.location("corral.it.repository").toString());
            try (ExternalProcess step = ExternalProcess.start("the README's commands", builder,
                    base.resolve("it-logs/install.log"))) {
                assertTrue(step.process().waitFor(60, TimeUnit.SECONDS), () -> "the README's commands did not finish"
                        + step.logTail());
                assertEquals(0, step.process().exitValue(), () -> "the README's commands failed" + step.logTail());
            }
        }

        /** The end of Tomcat's log ({@code logs/catalina.<date>.log}), for an assertion message. */
        static String logTail() {
            try (Stream<Path> logs = Files.list(base.resolve("logs"))) {
                Optional<Path> log = logs.filter(p -> p.getFileName().toString().startsWith("catalina."))
                        .max(Comparator.comparing(p -> p.toFile().lastModified()));
                return log.map(p -> ExternalProcess.logTail(p, "Tomcat's log", 150)).orElse("\n(no Tomcat log in "
                        + base.resolve("logs") + ")");
            } catch (IOException e) {
                return "\n(cannot read Tomcat's logs: " + e + ")";
            }
        }

    }

    private static String replaceOnce(String text, String target, String replacement) {
        int at = text.indexOf(target);
        if (at < 0 || text.indexOf(target, at + 1) >= 0) {
            fail("the distribution's server.xml does not contain exactly one [" + target + "]");
        }
        return text.substring(0, at) + replacement + text.substring(at + target.length());
    }
}
