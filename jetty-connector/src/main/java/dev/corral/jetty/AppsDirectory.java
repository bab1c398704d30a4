package dev.corral.jetty;

import dev.corral.config.AppSettings;
import dev.corral.config.ConfigException;
import dev.corral.config.ConfigException.Problem;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The apps of a directory such as {@code $JETTY_BASE/corral}: one app per {@code <name>.properties}
 * file, the way Jetty deploys one context per file, read once at start in file name order. The
 * keys are the app settings ({@code maxProcesses=4}); {@code name} defaults to the file's name.
 * A key that is no app setting is a problem naming the file and the setting it most likely means.
 *
 * <p>Stateless and thread-safe.
 */
final class AppsDirectory {
    static final String SUFFIX = ".properties";

    private AppsDirectory() {
    }

    /** One app file: its settings, and the problems of its unknown keys (each naming the file). */
    record AppFile(Path file, AppSettings settings, List<Problem> problems) {
    }

    /**
     * The app files of {@code dir}, in name order; none if it does not exist.
     *
     * @param shown how errors name a file, e.g. relative to the Jetty base
     */
    static List<AppFile> read(Path dir, java.util.function.Function<Path, String> shown) throws IOException {
        List<AppFile> apps = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return apps;
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            listing.forEach(files::add);
        }
        files.sort(null);
        for (Path file : files) {
            Properties properties = new Properties();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(in);
            }
            AppSettings settings = new AppSettings();
            List<Problem> problems = new ArrayList<>();
            String fileName = file.getFileName().toString();
            settings.setName(fileName.substring(0, fileName.length() - SUFFIX.length()));
            properties.stringPropertyNames().stream().sorted().forEach(key -> {
                try {
                    settings.set(key, properties.getProperty(key));
                } catch (ConfigException e) {
                    e.problems().forEach(p -> problems.add(p.at(shown.apply(file))));
                }
            });
            apps.add(new AppFile(file, settings, problems));
        }
        return apps;
    }
}
