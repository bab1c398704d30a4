package dev.corral.jetty;

import dev.corral.config.AppSettings;
import dev.corral.config.Setting;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Jetty module files are made from the settings table: {@code modules/corral.mod}'s
 * {@code [ini-template]} lists every setting with its default and meaning, and
 * {@code etc/corral.xml} sets each one from its property. On a mismatch the expected file is
 * written to {@code target/expected-config/} and the message says so; every {@code <Set>} and
 * {@code <Call>} on an object names a method the server, the handler or the app's settings have
 * (the static calls, {@code <Call class=...>}, run in the distribution's it-test).
 */
class CorralModuleFilesTest {
    static final Path CONFIG = Path.of("src/main/config");
    private static final int WIDTH = 100;

    @Test
    void theModulesIniTemplateListsEverySettingOfTheTable() throws IOException {
        assertFileReads(CONFIG.resolve("modules/corral.mod"), renderModule());
    }

    @Test
    void corralXmlSetsEverySettingFromItsProperty() throws IOException {
        assertFileReads(CONFIG.resolve("etc/corral.xml"), renderXml());
    }

    @Test
    void everySetAndCallOfCorralXmlNamesAMethodOfTheHandlerOrTheAppSettings() throws IOException {
        String xml = Files.readString(CONFIG.resolve("etc/corral.xml"));
        Matcher m = Pattern.compile("<(Set|Call) name=\"([A-Za-z]+)\"").matcher(xml);
        List<String> missing = new ArrayList<>();
        int count = 0;
        while (m.find()) {
            count++;
            String method = m.group(1).equals("Set") ? "set" + Character.toUpperCase(m.group(2).charAt(0)) + m.group(2).substring(1)
                    : m.group(2);
            boolean found = Arrays.stream(new Class<?>[] {CorralHandler.class, AppSettings.class, org.eclipse.jetty.server.Server.class}).flatMap(c -> Arrays.stream(c.getMethods()))
                    .map(Method::getName).anyMatch(method::equals);
            if (!found) {
                missing.add(method);
            }
        }
        assertTrue(count > Setting.values().length, "corral.xml has a Set per setting");
        assertEquals(List.of(), missing, "methods named in corral.xml that do not exist");
    }

    private static void assertFileReads(Path file, String expected) throws IOException {
        String actual = Files.readString(file, StandardCharsets.UTF_8);
        if (!expected.equals(actual)) {
            Path written = Path.of("target/expected-config").resolve(CONFIG.relativize(file));
            Files.createDirectories(written.getParent());
            Files.writeString(written, expected, StandardCharsets.UTF_8);
            assertEquals(expected, actual, file + " is not as the settings table makes it; the expected file is " + written);
        }
    }

    /** {@code modules/corral.mod}: fixed sections, then the ini-template made from the table. */
    static String renderModule() {
        StringBuilder mod = new StringBuilder("""
                # Corral for Jetty 12.1: runs Python (WSGI), Node and other web apps from pools of processes.
                # The [ini-template] below is made from Corral's settings table (dev.corral.config.Setting);
                # CorralModuleFilesTest checks it.

                [description]
                Corral: spawns, pools and queues the processes of external web apps (Python WSGI, Node.js
                or any HTTP server) and serves the requests matching an app's virtual hosts and path prefix
                from them; every other request goes on to the rest of the handler tree. Apps are configured
                by the corral.app.* properties (one app) and by one <name>.properties file per app in
                $JETTY_BASE/corral/.

                [tags]
                corral

                [depends]
                server

                [after]
                jmx

                [before]
                statistics
                compression
                gzip

                [files]
                corral/

                [lib]
                lib/corral/*.jar

                [xml]
                etc/corral.xml

                [ini]
                # Webapps (ee-webapp) always get Corral's classes from the server, even a WAR that bundles its
                # own copy of corral-module-api: dev.corral. is protected, but for corral-cdi (dev.corral.cdi.),
                # which lives in a webapp's WEB-INF/lib. For every environment (ee10, ee11, ...); start.d/ may
                # add more with +=.
                jetty.server.addProtectedClasses+=,dev.corral.,-dev.corral.cdi.

                [ini-template]
                # tag::documentation[]
                ## Corral's settings. A property left commented out keeps its default. Durations take units
                ## (250ms, 30s, 5m, 1h; a bare number is seconds). A misspelt corral.* property fails the start.

                ## ------------------------------------------------------------------------------------------
                ## The engine: shared by every app of this Jetty.
                """);
        for (Setting s : Setting.engineSettings()) {
            entry(mod, s, "corral." + s.configName());
        }
        mod.append("""

                ## The directory of the app files, relative to $JETTY_BASE: one <name>.properties file per app,
                ## with the app settings below without their corral.app. prefix (maxProcesses=4); the app's
                ## name is the file's unless the file sets one.
                # corral.appsDirectory=corral

                ## ------------------------------------------------------------------------------------------
                ## One app, set right here (more apps: files in the apps directory).
                """);
        for (Setting s : Setting.appSettings()) {
            entry(mod, s, "corral.app." + s.configName());
        }
        return mod.append("# end::documentation[]\n").toString();
    }

    private static void entry(StringBuilder mod, Setting s, String property) {
        mod.append('\n');
        String text = Character.toUpperCase(s.meaning().charAt(0)) + s.meaning().substring(1) + ". Default: "
                + s.defaultText() + ".";
        StringBuilder line = new StringBuilder("##");
        for (String word : text.split(" ")) {
            if (line.length() + 1 + word.length() > WIDTH) {
                mod.append(line).append('\n');
                line = new StringBuilder("##");
            }
            line.append(' ').append(word);
        }
        mod.append(line).append('\n').append("# ").append(property).append('=').append(s.example()).append('\n');
    }

    /** {@code etc/corral.xml}: the handler at the root of the tree, every setting from its property. */
    static String renderXml() {
        StringBuilder xml = new StringBuilder("""
                <?xml version="1.0"?>
                <!DOCTYPE Configure PUBLIC "-//Jetty//Configure//EN" "https://jetty.org/configure_10_0.dtd">

                <!-- Corral at the root of the handler tree (see modules/corral.mod), made from Corral's
                     settings table (dev.corral.config.Setting; CorralModuleFilesTest checks it).
                     Corral logs through SLF4J, as Jetty does. Every setting comes from its corral.*
                     property; one that is not set keeps Corral's default, and a corral.* property that is
                     no setting fails the start. The app of the corral.app.* properties is added when any
                     of them is set; the apps of the apps directory (one <name>.properties file each) are
                     read at start. More apps in XML: <Ref refid="Corral"><Call name="addApp">... -->
                <Configure id="Server" class="org.eclipse.jetty.server.Server">
                  <Call class="dev.corral.jetty.CorralLogging" name="toSlf4j"/>
                  <Call name="insertHandler">
                    <Arg>
                      <New id="Corral" class="dev.corral.jetty.CorralHandler">
                        <Set name="propertyPrefix">corral.</Set>
                        <Set name="jettyBase"><Property name="jetty.base"/></Set>
                """);
        for (Setting s : Setting.engineSettings()) {
            xml.append("        <Set name=\"").append(s.configName()).append("\" property=\"corral.")
                    .append(s.configName()).append("\"/>\n");
        }
        xml.append("""
                        <Set name="appsDirectory">
                          <Call class="org.eclipse.jetty.xml.XmlConfiguration" name="resolvedPath">
                            <Arg><Property name="jetty.base"/></Arg>
                            <Arg><Property name="corral.appsDirectory" default="corral"/></Arg>
                          </Call>
                        </Set>
                        <Call name="addPropertiesApp">
                          <Arg>
                            <New class="dev.corral.config.AppSettings">
                """);
        for (Setting s : Setting.appSettings()) {
            xml.append("              <Set name=\"").append(s.configName()).append("\" property=\"corral.app.")
                    .append(s.configName()).append("\"/>\n");
        }
        return xml.append("""
                            </New>
                          </Arg>
                        </Call>
                      </New>
                    </Arg>
                  </Call>
                </Configure>
                """).toString();
    }
}
