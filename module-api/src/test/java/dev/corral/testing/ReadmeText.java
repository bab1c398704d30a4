package dev.corral.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parts of the README that tests hold to the code: the text between two marker lines. */
public final class ReadmeText {
    private ReadmeText() {
    }

    /** The README's text between {@code start} and {@code end}, stripped; fails if a marker is missing. */
    public static String between(String start, String end) throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int from = readme.indexOf(start);
        int to = readme.indexOf(end);
        assertTrue(from >= 0 && to > from, "README.md has the markers " + start + " and " + end);
        return readme.substring(from + start.length(), to).strip();
    }
}
