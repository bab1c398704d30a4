package dev.corral.pool.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rules of the code itself, read from the sources: the engine takes time and randomness only
 * from its injected services, and the container adapters never reach into its internals.
 */
class EngineRulesTest {
    private static final Path ENGINE = Path.of("src/main/java/dev/corral/pool/internal");
    /** Reading the clock, waiting for time, or drawing from an unseeded generator. */
    private static final Pattern REAL_TIME = Pattern.compile(
            "System\\.nanoTime\\(|System\\.currentTimeMillis\\(|Thread\\.sleep\\(|parkNanos\\(|ThreadLocalRandom");

    private static List<Path> javaFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }

    @Test
    void theEngineTakesTimeAndRandomnessFromItsServicesAlone() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path file : javaFiles(ENGINE)) {
            if (file.getFileName().toString().equals("SystemTime.java")) {
                continue;   // the one place that waits for real time (an injected latency)
            }
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String code = lines.get(i).replaceAll("//.*", "");
                if (!code.trim().startsWith("*") && REAL_TIME.matcher(code).find()) {
                    found.add(file.getFileName() + ":" + (i + 1) + ": " + code.trim());
                }
            }
        }
        assertEquals(List.of(), found);
    }

    @Test
    void theAdaptersUseThePublicApiAlone() throws IOException {
        List<String> found = new ArrayList<>();
        for (String module : List.of("../jetty-connector", "../tomcat-valve", "../examples")) {
            Path sources = Path.of(module, "src/main/java");
            assertTrue(Files.isDirectory(sources), sources.toString());
            for (Path file : javaFiles(sources)) {
                if (Files.readString(file).contains("dev.corral.pool.internal")) {
                    found.add(file.toString());
                }
            }
        }
        assertEquals(List.of(), found);
    }
}
