package dev.corral.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's settings tables are the settings table's ({@link Setting}): every setting with
 * its default and meaning, rendered and compared with the text between the README's markers. On
 * a mismatch the message holds the text the README should have.
 */
class SettingsReferenceTest {
    private static final String START = "<!-- settings-reference:start (made from dev.corral.config.Setting; SettingsReferenceTest checks it) -->";
    private static final String END = "<!-- settings-reference:end -->";

    @Test
    void theReadmeListsEverySettingWithItsDefaultAndMeaning() throws IOException {
        String documented = dev.corral.testing.ReadmeText.between(START, END);
        String expected = render().strip();
        if (!expected.equals(documented)) {
            Files.writeString(Path.of("target", "expected-readme-settings.md"), expected);
        }
        assertEquals(expected, documented, "README.md's settings tables must read as target/expected-readme-settings.md");
    }

    static String render() {
        return table("setting", Setting.appSettings())
                + "\nThe engine's settings, one value for all apps of the JVM:\n\n"
                + table("engine setting", Setting.engineSettings());
    }

    private static String table(String heading, List<Setting> settings) {
        StringBuilder md = new StringBuilder("| " + heading + " | default | meaning |\n|---|---|---|\n");
        for (Setting s : settings) {
            String defaultText = s.defaultValue().map(v -> "`" + v + "`").orElse(escape(s.defaultText()));
            md.append("| `").append(s.configName()).append("` | ").append(defaultText).append(" | ")
                    .append(escape(s.meaning())).append(" |\n");
        }
        return md.toString();
    }

    private static String escape(String text) {
        return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("*", "\\*");
    }
}
