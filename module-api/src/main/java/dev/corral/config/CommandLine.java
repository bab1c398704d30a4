package dev.corral.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Splits a command line into words the way a POSIX shell would, without any expansion
 * (no variables, globs, or command substitution), and quotes words back into such a line.
 *
 * <ul>
 *   <li>Unquoted whitespace (space, tab, newline, carriage return, form feed) separates words.</li>
 *   <li>{@code '...'} is literal; it cannot contain a single quote.</li>
 *   <li>In {@code "..."} a backslash escapes only {@code "}, {@code \}, {@code $} and
 *       {@code `} (and removes a following newline); any other backslash is kept.</li>
 *   <li>Outside quotes a backslash escapes the next character; backslash-newline is removed.</li>
 *   <li>Quoted and unquoted parts next to each other form one word: {@code a"b c"} is {@code ab c};
 *       {@code ''} is an empty word.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class CommandLine {

    private static final Pattern SAFE_WORD = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private CommandLine() {
    }

    /**
     * Splits {@code line} into words.
     *
     * @return the words, possibly empty; never {@code null}
     * @throws IllegalArgumentException if a quote is not closed, or the line ends with a backslash
     */
    public static List<String> split(String line) {
        Objects.requireNonNull(line, "line");
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '\'') {
                int close = line.indexOf('\'', i + 1);
                if (close < 0) {
                    throw unterminated('\'', i, line);
                }
                word.append(line, i + 1, close);
                inWord = true;
                i = close + 1;
            } else if (c == '"') {
                i = doubleQuoted(line, i, word);
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 == line.length()) {
                    throw new IllegalArgumentException("trailing backslash in [" + line + "]");
                }
                char next = line.charAt(i + 1);
                if (next != '\n') {
                    word.append(next);
                    inWord = true;
                }
                i += 2;
            } else if (isSeparator(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return List.copyOf(words);
    }

    /**
     * Joins {@code words} into a line that {@link #split} turns back into the same words,
     * single-quoting only the words that need it.
     */
    public static String join(List<String> words) {
        StringBuilder line = new StringBuilder();
        for (String w : words) {
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(quote(w));
        }
        return line.toString();
    }

    /** Quotes one word for {@link #split}, e.g. {@code it's} becomes {@code 'it'\''s'}. */
    public static String quote(String word) {
        if (SAFE_WORD.matcher(word).matches()) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** Appends the double-quoted part starting at {@code open} and returns the index after it. */
    private static int doubleQuoted(String line, int open, StringBuilder word) {
        int i = open + 1;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\' && i + 1 < line.length()) {
                char next = line.charAt(i + 1);
                if (next == '"' || next == '\\' || next == '$' || next == '`') {
                    word.append(next);
                    i += 2;
                    continue;
                }
                if (next == '\n') {
                    i += 2;
                    continue;
                }
            }
            word.append(c);
            i++;
        }
        throw unterminated('"', open, line);
    }

    private static boolean isSeparator(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
    }

    private static IllegalArgumentException unterminated(char quote, int index, String line) {
        return new IllegalArgumentException(
                "unterminated " + quote + " quote opened at column " + (index + 1) + " in [" + line + "]");
    }
}
