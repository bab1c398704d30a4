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

    @Test
    void aTemplateKeepsVariablesOutsideSingleQuotesAndEscapesOtherDollars() {
        assertEquals(List.of("gunicorn", "--bind", "unix:${CORRAL_SOCKET}", "app:app"),
                CommandLine.splitTemplate("gunicorn --bind unix:$CORRAL_SOCKET app:app"));
        assertEquals(List.of("${PORT}x", "${A}_b", "$$A", "$$A", "$$", "a$$", "$$1", "${B}c d"),
                CommandLine.splitTemplate("${PORT}x $A\\_b '$A' \\$A $ a$ $1 \"$B\"'c d'"));
        assertEquals(List.of("say ${X} \"$$\""), CommandLine.splitTemplate("\"say $X \\\"\\$\\\"\""));
        assertThrows(IllegalArgumentException.class, () -> CommandLine.splitTemplate("a ${B"));
        assertThrows(IllegalArgumentException.class, () -> CommandLine.splitTemplate("a ${B C}"));
        assertThrows(IllegalArgumentException.class, () -> CommandLine.splitTemplate("a ${}"));
    }

    @Test
    void expandFillsInEachReferenceWithinItsWord() {
        java.util.Map<String, String> env = java.util.Map.of("CORRAL_SOCKET", "/run/c/1.sock", "A", "two words");
        assertEquals("unix:/run/c/1.sock", CommandLine.expand("unix:${CORRAL_SOCKET}", env::get));
        assertEquals("two words-", CommandLine.expand("${A}-${UNSET}", env::get));
        assertEquals("$A $ $", CommandLine.expand("$$A $ $$", env::get));
        assertEquals("two words", CommandLine.expand("$A", env::get));
        assertEquals(List.of("CORRAL_SOCKET", "A"), CommandLine.references("${CORRAL_SOCKET}:$$X:${A}"));
    }

    @Test
    void joinTemplateSplitsBackToTheSameTemplate() {
        List<String> words = List.of("gunicorn", "unix:${CORRAL_SOCKET}", "$$5 \"x\" `y` \\", "it's", "${A}${B}");
        String line = CommandLine.joinTemplate(words);
        assertEquals("gunicorn \"unix:${CORRAL_SOCKET}\" \"\\$5 \\\"x\\\" \\`y\\` \\\\\" 'it'\\''s' \"${A}${B}\"", line);
        assertEquals(words, CommandLine.splitTemplate(line));
    }
}
