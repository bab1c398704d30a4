package dev.corral.jetty;

import dev.corral.config.ConfigException.Problem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the {@code corral.*} properties that Jetty's start.jar was given and that are no
 * setting of Corral's, so that a typo fails the start instead of being ignored: start.jar passes
 * every property on to the XML files, where a {@code <Set property="...">} only reads the names
 * it knows, and nothing reports the others. Jetty has no hook for this, so this class reads what
 * start.jar reads: {@code start.ini} and {@code start.d/*.ini} of the Jetty base (lines
 * {@code name=value}, {@code name+=value}, {@code name?=value} and {@code -Dname=value}), the
 * JVM's command line (start.jar's arguments, or the XmlConfiguration command line of a forked or
 * {@code --dry-run} start, which holds every property) and the system properties. Directories
 * added with {@code --include-jetty-dir} or {@code --add-config-dir} are not read.
 *
 * <p>Stateless and thread-safe.
 */
final class StartProperties {
    private static final Pattern INI_LINE = Pattern.compile("(?:-D)?([^=+?\\s#][^=+?\\s]*)\\s*[+?]?=(.*)");

    private StartProperties() {
    }

    /** A property as given: its name, value and where it was set (for the error). */
    record Given(String name, String value, String where) {
    }

    /**
     * The problems of the properties starting with {@code prefix} whose names are not in
     * {@code known}: each says which known name it most likely means and where it was set.
     */
    static List<Problem> unknown(String prefix, List<String> known, List<Given> given) {
        Map<String, Given> unknown = new LinkedHashMap<>();
        for (Given g : given) {
            if (g.name().startsWith(prefix) && !known.contains(g.name())) {
                unknown.putIfAbsent(g.name(), g);
            }
        }
        List<Problem> problems = new ArrayList<>();
        unknown.values().forEach(g -> problems.add(
                Problem.unknown(g.name(), g.value(), "a Corral property", known).at(g.where())));
        return problems;
    }

    /** Every property start.jar may have been given: the base's ini files, then the command line and system properties. */
    static List<Given> given(Path jettyBase, List<String> commandLine, Properties systemProperties) {
        List<Given> given = new ArrayList<>();
        if (jettyBase != null) {
            readIni(jettyBase, jettyBase.resolve("start.ini"), given);
            Path startD = jettyBase.resolve("start.d");
            if (Files.isDirectory(startD)) {
                List<Path> inis = new ArrayList<>();
                try (DirectoryStream<Path> files = Files.newDirectoryStream(startD, "*.ini")) {
                    files.forEach(inis::add);
                } catch (IOException e) {
                    // an unreadable start.d fails start.jar itself first
                }
                inis.stream().sorted().forEach(ini -> readIni(jettyBase, ini, given));
            }
        }
        for (String arg : commandLine) {
            Matcher m = INI_LINE.matcher(arg);
            if ((arg.startsWith("-D") || !arg.startsWith("-")) && m.matches()) {
                given.add(new Given(m.group(1), m.group(2), "the command line"));
            }
        }
        systemProperties.stringPropertyNames().stream().sorted()
                .forEach(name -> given.add(new Given(name, systemProperties.getProperty(name), "a system property")));
        return given;
    }

    /** This JVM's command line, as far as the operating system tells it (empty if it does not). */
    static List<String> thisCommandLine() {
        List<String> args = new ArrayList<>(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        ProcessHandle.current().info().arguments().ifPresent(all -> args.addAll(List.of(all)));
        return args;
    }

    private static void readIni(Path base, Path ini, List<Given> given) {
        if (!Files.isRegularFile(ini)) {
            return;
        }
        String where = base.relativize(ini).toString();
        try {
            for (String line : Files.readAllLines(ini, StandardCharsets.UTF_8)) {
                String trimmed = line.strip();
                Matcher m = INI_LINE.matcher(trimmed);
                if (!trimmed.startsWith("#") && !trimmed.startsWith("--") && m.matches()) {
                    given.add(new Given(m.group(1), m.group(2).strip(), where));
                }
            }
        } catch (IOException e) {
            // start.jar read it a moment ago; if it cannot be read now, there is nothing to check
        }
    }
}
