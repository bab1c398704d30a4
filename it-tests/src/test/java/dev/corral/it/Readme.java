package dev.corral.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's install steps and configuration files, as the it-tests use them: the fenced code
 * block that follows a {@code <!-- it:KEY -->} marker, without its indentation. So the it-tests
 * install and configure what a reader would, and a README that stops working fails them.
 */
final class Readme {
    private final String text;

    private Readme(String text) {
        this.text = text;
    }

    /** The README given by Failsafe ({@code corral.it.readme}). */
    static Readme load() throws IOException {
        return new Readme(Files.readString(It.location("corral.it.readme"), StandardCharsets.UTF_8));
    }

    /** The code block after {@code <!-- it:key -->}, dedented, ending with a newline. */
    String block(String key) {
        String marker = "<!-- it:" + key + " -->";
        int at = text.indexOf(marker);
        if (at < 0 || text.indexOf(marker, at + 1) >= 0) {
            fail("README.md must have exactly one marker " + marker + " before a code block");
        }
        List<String> lines = text.substring(at + marker.length()).lines().toList();
        int open = 0;
        while (open < lines.size() && !lines.get(open).strip().startsWith("```")) {
            if (!lines.get(open).isBlank()) {
                fail("README.md: the marker " + marker + " must be followed by a code block, not [" + lines.get(open) + "]");
            }
            open++;
        }
        String fence = lines.get(open);
        int indent = fence.length() - fence.stripLeading().length();
        List<String> block = new ArrayList<>();
        for (int i = open + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.strip().equals("```")) {
                return String.join("\n", block) + "\n";
            }
            block.add(line.length() >= indent ? line.substring(indent) : line.strip());
        }
        fail("README.md: the code block after " + marker + " does not end");
        return null;
    }

    /**
     * {@link #block} with the README's placeholder directories {@code /srv/<app>} under {@code apps},
     * and {@code allowRoot=true} for every app it configures: the it-tests run as root in CI, and a
     * container running as root starts no app as root without it (README: Running apps as another
     * user). The README's own text stays as a reader, not root, would use it.
     */
    String block(String key, Path apps) {
        return asRoot(block(key).replace("/srv/", apps.toString() + "/"));
    }

    /** Each app of a configuration block (ini, properties, Jetty XML, Tomcat valves) with {@code allowRoot=true}. */
    static String asRoot(String block) {
        String valve = "className=\"dev.corral.tomcat.CorralValve\"";
        String xmlApp = "<New class=\"dev.corral.config.AppSettings\">";
        if (block.contains(valve)) {
            return block.replace(valve, valve + " allowRoot=\"true\"");
        }
        if (block.contains(xmlApp)) {
            return block.replace(xmlApp, xmlApp + "<Set name=\"allowRoot\">true</Set>");
        }
        if (block.contains("corral.app.")) {
            return block + "corral.app.allowRoot=true\n";
        }
        if (block.lines().anyMatch(line -> line.startsWith("appRoot="))) {
            return block + "allowRoot=true\n";
        }
        return block;
    }

    /** {@code # comment} lines left out: what a properties file or an ini file holds. */
    static String withoutComments(String block) {
        StringBuilder out = new StringBuilder();
        block.lines().filter(l -> !l.strip().startsWith("#")).forEach(l -> out.append(l).append('\n'));
        return out.toString();
    }

    static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
