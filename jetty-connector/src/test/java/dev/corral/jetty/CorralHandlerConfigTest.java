package dev.corral.jetty;

import dev.corral.config.AppSettings;
import dev.corral.config.ConfigException;

import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the Jetty module's configuration fails: every problem at once, each spelled as the user
 * wrote it (the corral.* property, the key of an app file, naming the file), an unknown name
 * with the setting it most likely means; and no engine is started.
 */
class CorralHandlerConfigTest {
    @TempDir
    Path base;
    private Server server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    private String startFailure(CorralHandler handler) {
        server = new Server();
        server.setHandler(handler);
        Exception e = assertThrows(Exception.class, server::start);
        Throwable cause = e;
        while (cause != null && !(cause instanceof ConfigException)) {
            cause = cause.getCause();
        }
        assertTrue(cause != null, () -> "a ConfigException, got " + e);
        assertNull(handler.getCorral(), "no engine started");
        return cause.getMessage();
    }

    /** The handler as etc/corral.xml configures it. */
    private CorralHandler moduleHandler() {
        CorralHandler handler = new CorralHandler();
        handler.setPropertyPrefix("corral.");
        handler.setJettyBase(base.toString());
        handler.setAppsDirectory(base.resolve("corral"));
        return handler;
    }

    @Test
    void problemsAreSpelledAsTheirPropertiesAndAppFilesAndNameTheirFile() throws IOException {
        Path apps = Files.createDirectories(base.resolve("corral"));
        Files.createDirectories(base.resolve("srv/shop"));
        Files.writeString(apps.resolve("shop.properties"), "appRoot=" + base.resolve("srv/shop") + "\nmaxProces=4\nmaxQueue=-5\n");
        Files.writeString(apps.resolve("ignored.txt"), "not an app");
        Files.createDirectories(base.resolve("start.d"));
        Files.writeString(base.resolve("start.d/corral.ini"), "--module=corral\n# corral.app.bogus=1\ncorral.app.queueTimout=5s\n"
                + "corral.maxPoolProcess=3\njetty.http.port=0\n");
        CorralHandler handler = moduleHandler();
        handler.setMaxPoolProcesses("lots");
        AppSettings blog = new AppSettings();
        blog.setName("blog");
        blog.setAppRoot(base.resolve("nowhere").toString());
        handler.addPropertiesApp(blog);
        handler.addPropertiesApp(new AppSettings());   // no corral.app.* set: no app

        String message = startFailure(handler);
        assertEquals(List.of(
                "'corral.maxPoolProcesses' must be an integer 0..100000 (0 = no limit), but was [lots]",
                "'corral.app.queueTimout' is not a Corral property; did you mean 'corral.app.queueTimeout'? (set to [5s])"
                        + " in start.d/corral.ini",
                "'corral.maxPoolProcess' is not a Corral property; did you mean 'corral.maxPoolProcesses'? (set to [3])"
                        + " in start.d/corral.ini",
                "'maxProces' is not an app setting; did you mean 'maxProcesses'? (set to [4]) in corral/shop.properties",
                "'corral.app.appRoot' must be an existing directory, but was [" + base.resolve("nowhere") + "]",
                "'maxQueue' must be an integer 0..1000000, but was [-5] in corral/shop.properties"), message.lines().toList());
    }

    @Test
    void withoutAnyAppTheStartFailsSayingHowToAddOne() {
        String message = startFailure(moduleHandler());
        assertTrue(message.startsWith("'apps' is required: at least one app: corral.app.* properties, a <name>.properties file"),
                message);
    }

    @Test
    void severalAppsInXmlSayWhichAppAProblemIsAbout() {
        CorralHandler handler = new CorralHandler();
        for (String name : List.of("a", "b")) {
            AppSettings app = new AppSettings();
            app.setName(name);
            app.setAppRoot(base.toString());
            app.setMaxQueue("x" + name);
            handler.addApp(app);
        }
        assertEquals("'maxQueue' must be an integer 0..1000000, but was [xa] in app [a]\n"
                + "'maxQueue' must be an integer 0..1000000, but was [xb] in app [b]", startFailure(handler));
    }

    @Test
    void startPropertiesComeFromTheIniFilesTheCommandLineAndSystemProperties() throws IOException {
        Files.writeString(base.resolve("start.ini"), "corral.app.name=blog\n");
        Files.createDirectories(base.resolve("start.d"));
        Files.writeString(base.resolve("start.d/b.ini"), "  corral.app.env+=A=1\n-Dcorral.x=1\n--add-modules=http\n#corral.y=1\n");
        Files.writeString(base.resolve("start.d/a.ini"), "corral.app.command?=gunicorn --bind unix:$CORRAL_SOCKET app:app\n");
        Properties system = new Properties();
        system.setProperty("corral.selfCheck", "true");
        List<StartProperties.Given> given = StartProperties.given(base, List.of("-Dcorral.z=2", "-jar", "start.jar",
                "corral.app.maxQueue=5", "--list-config", "etc/extra.xml"), system);
        assertEquals(List.of(
                new StartProperties.Given("corral.app.name", "blog", "start.ini"),
                new StartProperties.Given("corral.app.command", "gunicorn --bind unix:$CORRAL_SOCKET app:app", "start.d/a.ini"),
                new StartProperties.Given("corral.app.env", "A=1", "start.d/b.ini"),
                new StartProperties.Given("corral.x", "1", "start.d/b.ini"),
                new StartProperties.Given("corral.z", "2", "the command line"),
                new StartProperties.Given("corral.app.maxQueue", "5", "the command line"),
                new StartProperties.Given("corral.selfCheck", "true", "a system property")), given);
        String known = "; it is one of: corral.app.name, corral.app.command, corral.app.env, corral.app.maxQueue, corral.selfCheck";
        assertEquals(List.of("'corral.x' is not a Corral property" + known + " (set to [1]) in start.d/b.ini",
                        "'corral.z' is not a Corral property" + known + " (set to [2]) in the command line"),
                StartProperties.unknown("corral.", List.of("corral.app.name", "corral.app.command", "corral.app.env",
                        "corral.app.maxQueue", "corral.selfCheck"), given).stream().map(Object::toString).toList());
    }
}
