package dev.corral.config;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineTest {

    @Test
    void splitsOnAnyWhitespace() {
        assertEquals(List.of("python3", "-m", "http.server", "8000"),
                CommandLine.split("  python3\t-m \n http.server\r\n8000 "));
    }

    @Test
    void emptyOrBlankLineHasNoWords() {
        assertEquals(List.of(), CommandLine.split(""));
        assertEquals(List.of(), CommandLine.split(" \t\n"));
    }

    @Test
    void singleQuotesAreLiteral() {
        assertEquals(List.of("echo", "a \"b\" \\c $d"), CommandLine.split("echo 'a \"b\" \\c $d'"));
    }

    @Test
    void doubleQuotesAllowEscapedQuoteAndBackslashOnly() {
        assertEquals(List.of("say \"hi\" \\ \\n"), CommandLine.split("\"say \\\"hi\\\" \\\\ \\n\""));
    }

    @Test
    void backslashEscapesOutsideQuotes() {
        assertEquals(List.of("a b", "'", "\""), CommandLine.split("a\\ b \\' \\\""));
    }

    @Test
    void backslashNewlineContinuesTheLine() {
        assertEquals(List.of("node", "app.js"), CommandLine.split("node \\\napp.js"));
    }

    @Test
    void adjacentPartsFormOneWordAndEmptyQuotesAnEmptyWord() {
        assertEquals(List.of("ab c'd", "", "x"), CommandLine.split("a\"b c\"\\'d '' x"));
    }

    @Test
    void unterminatedQuotesAreRejectedWithTheirPosition() {
        IllegalArgumentException single = assertThrows(IllegalArgumentException.class,
                () -> CommandLine.split("echo 'oops"));
        assertEquals("unterminated ' quote opened at column 6 in [echo 'oops]", single.getMessage());
        IllegalArgumentException dbl = assertThrows(IllegalArgumentException.class,
                () -> CommandLine.split("echo \"a\\\""));
        assertTrue(dbl.getMessage().startsWith("unterminated \" quote opened at column 6"), dbl.getMessage());
    }

    @Test
    void trailingBackslashIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> CommandLine.split("echo \\"));
    }

    @Test
    void joinQuotesOnlyWhatNeedsItAndSplitsBack() {
        List<String> words = List.of("python3", "-c", "print('hi there')", "", "a=b", "$HOME");
        String line = CommandLine.join(words);
        assertEquals("python3 -c 'print('\\''hi there'\\'')' '' a=b '$HOME'", line);
        assertEquals(words, CommandLine.split(line));
    }
}
