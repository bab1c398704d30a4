package dev.corral.tomcat;

import dev.corral.config.Setting;

import org.apache.tomcat.util.IntrospectionUtils;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The valve's attributes are the settings table's: every app and engine setting is an attribute
 * with a setter and a getter, listed in Tomcat's MBean descriptor with the table's meaning. On a
 * mismatch the message holds the descriptor's settings block as it should read.
 */
class CorralValveAttributesTest {
    private static final String START = "<!-- settings:start (made from dev.corral.config.Setting; CorralValveAttributesTest checks it) -->";
    private static final String END = "<!-- settings:end -->";

    @Test
    void everySettingOfTheTableIsAnAttributeWithASetterAndAGetter() {
        CorralValve valve = new CorralValve();
        for (Setting setting : Setting.values()) {
            String name = setting.configName();
            assertTrue(IntrospectionUtils.setProperty(valve, name, setting.example()), name + " is no attribute");
            assertEquals(setting.example(), IntrospectionUtils.getProperty(valve, name), name + " has no getter");
            String suffix = Character.toUpperCase(name.charAt(0)) + name.substring(1);
            assertTrue(Arrays.stream(CorralValve.class.getMethods()).anyMatch(m -> m.getName().equals("set" + suffix)
                    && m.getParameterCount() == 1 && m.getParameterTypes()[0] == String.class), "no setter set" + suffix);
        }
        assertEquals(Arrays.stream(Setting.values()).map(Setting::configName).toList(), CorralValveAttributes.attributeNames());
    }

    @Test
    void theMBeanDescriptorListsEverySettingWithItsMeaning() throws IOException {
        String descriptor;
        try (InputStream in = CorralValve.class.getResourceAsStream("mbeans-descriptors.xml")) {
            descriptor = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int start = descriptor.indexOf(START);
        int end = descriptor.indexOf(END);
        assertTrue(start >= 0 && end > start, "mbeans-descriptors.xml has the markers " + START + " and " + END);
        String listed = descriptor.substring(start + START.length(), end).strip();
        String expected = render();
        if (!expected.equals(listed)) {
            Path file = Path.of("target", "expected-mbeans-descriptors-settings.xml");
            Files.writeString(file, expected + "\n");
        }
        assertEquals(expected, listed, "mbeans-descriptors.xml's settings must read (also in target/):\n\n" + expected + "\n");
    }

    static String render() {
        StringBuilder xml = new StringBuilder();
        for (Setting setting : Setting.values()) {
            if (xml.length() > 0) {
                xml.append("\n\n    ");
            }
            String scope = setting.scope() == Setting.Scope.APP ? "app" : "engine";
            xml.append("<attribute name=\"").append(setting.configName()).append("\"\n")
                    .append("               description=\"").append(escape(capitalize(setting.meaning())))
                    .append(" (the ").append(scope).append(" setting as configured; default ")
                    .append(escape(setting.defaultText())).append(")\"\n")
                    .append("               type=\"java.lang.String\"\n")
                    .append("               writeable=\"false\"/>");
        }
        return xml.toString();
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
