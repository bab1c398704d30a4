package dev.corral.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Splits a command line into words the way a POSIX shell would, and quotes words back into such
 * a line. {@link #split} does no expansion at all (no variables, globs or command substitution).
 * {@link #splitTemplate} keeps variable references for {@link #expand}, which fills them in
 * when a process starts: {@code $NAME} and {@code ${NAME}} outside single quotes, not escaped by
 * a backslash; a value stays within its word (no field splitting). A template word spells a
 * reference {@code ${NAME}} and a literal dollar {@code $$}.
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
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private CommandLine() {
    }

    /**
     * Splits {@code line} into words.
     *
     * @return the words, possibly empty; never {@code null}
     * @throws IllegalArgumentException if a quote is not closed, or the line ends with a backslash
     */
    public static List<String> split(String line) {
        return split(line, false);
    }

    /**
     * Splits {@code line} into template words: like {@link #split}, but a {@code $NAME} or
     * {@code ${NAME}} outside single quotes (and not escaped) becomes the reference
     * {@code ${NAME}}, and every other dollar sign the literal {@code $$}, e.g.
     * {@code gunicorn --bind unix:$CORRAL_SOCKET 'a$b'} gives
     * {@code [gunicorn, --bind, unix:${CORRAL_SOCKET}, a$$b]}.
     *
     * @throws IllegalArgumentException if a quote is not closed, the line ends with a backslash,
     *                                  or a {@code ${...}} does not hold a variable name
     */
    public static List<String> splitTemplate(String line) {
        return split(line, true);
    }

    private static List<String> split(String line, boolean template) {
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
                String quoted = line.substring(i + 1, close);
                word.append(template ? quoted.replace("$", "$$") : quoted);
                inWord = true;
                i = close + 1;
            } else if (c == '"') {
                i = doubleQuoted(line, i, word, template);
                inWord = true;
            } else if (template && c == '$') {
                i = dollar(line, i, word);
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 == line.length()) {
                    throw new IllegalArgumentException("trailing backslash in [" + line + "]");
                }
                char next = line.charAt(i + 1);
                if (next != '\n') {
                    word.append(template && next == '$' ? "$$" : String.valueOf(next));
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
    private static int doubleQuoted(String line, int open, StringBuilder word, boolean template) {
        int i = open + 1;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (template && c == '$') {
                i = dollar(line, i, word);
                continue;
            }
            if (c == '\\' && i + 1 < line.length()) {
                char next = line.charAt(i + 1);
                if (next == '"' || next == '\\' || next == '$' || next == '`') {
                    word.append(template && next == '$' ? "$$" : String.valueOf(next));
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

    /**
     * Appends the template form of the unescaped {@code $} at {@code at}: a reference
     * {@code ${NAME}}, or {@code $$} when no name follows; returns the index after it.
     */
    private static int dollar(String line, int at, StringBuilder word) {
        int i = at + 1;
        if (i < line.length() && line.charAt(i) == '{') {
            int close = line.indexOf('}', i);
            String name = close < 0 ? null : line.substring(i + 1, close);
            if (name == null || !VARIABLE.matcher(name).matches()) {
                throw new IllegalArgumentException("bad variable reference at column " + (at + 1) + " in [" + line
                        + "]: ${ must be followed by a name and }");
            }
            word.append("${").append(name).append('}');
            return close + 1;
        }
        int end = i;
        while (end < line.length() && isNameChar(line.charAt(end), end == i)) {
            end++;
        }
        if (end == i) {
            word.append("$$");
            return i;
        }
        word.append("${").append(line, i, end).append('}');
        return end;
    }

    private static boolean isNameChar(char c, boolean first) {
        return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
    }

    /**
     * The names that template word {@code word} refers to, in order, e.g. {@code CORRAL_SOCKET}
     * for {@code unix:${CORRAL_SOCKET}}.
     */
    public static List<String> references(String word) {
        List<String> names = new ArrayList<>();
        expand(word, name -> {
            names.add(name);
            return "";
        });
        return names;
    }

    /**
     * Fills in template word {@code word}: each {@code ${NAME}} (or {@code $NAME}) becomes
     * {@code lookup(NAME)} (empty when that is null) and {@code $$} a dollar sign; any other
     * dollar sign stays as it is.
     */
    public static String expand(String word, java.util.function.Function<String, String> lookup) {
        StringBuilder out = new StringBuilder(word.length());
        int i = 0;
        while (i < word.length()) {
            char c = word.charAt(i);
            if (c != '$' || i + 1 == word.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = word.charAt(i + 1);
            int close = next == '{' ? word.indexOf('}', i) : -1;
            if (next == '$') {
                out.append('$');
                i += 2;
            } else if (close > 0 && VARIABLE.matcher(word.substring(i + 2, close)).matches()) {
                out.append(Objects.toString(lookup.apply(word.substring(i + 2, close)), ""));
                i = close + 1;
            } else if (isNameChar(next, true)) {
                int end = i + 1;
                while (end < word.length() && isNameChar(word.charAt(end), false)) {
                    end++;
                }
                out.append(Objects.toString(lookup.apply(word.substring(i + 1, end)), ""));
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /**
     * Joins template words into a line that {@link #splitTemplate} turns back into the same
     * words: a word with a reference is double-quoted ({@code "unix:${CORRAL_SOCKET}"}), with
     * its literal dollars escaped.
     */
    public static String joinTemplate(List<String> words) {
        StringBuilder line = new StringBuilder();
        for (String w : words) {
            if (line.length() > 0) {
                line.append(' ');
            }
            if (w.indexOf('$') < 0) {
                line.append(quote(w));
                continue;
            }
            StringBuilder quoted = new StringBuilder("\"");
            int i = 0;
            while (i < w.length()) {
                char c = w.charAt(i);
                int close = c == '$' && i + 1 < w.length() && w.charAt(i + 1) == '{' ? w.indexOf('}', i) : -1;
                if (close > 0 && VARIABLE.matcher(w.substring(i + 2, close)).matches()) {
                    quoted.append(w, i, close + 1);
                    i = close + 1;
                } else if (c == '$') {
                    quoted.append("\\$");
                    i += i + 1 < w.length() && w.charAt(i + 1) == '$' ? 2 : 1;
                } else {
                    if (c == '"' || c == '\\' || c == '`') {
                        quoted.append('\\');
                    }
                    quoted.append(c);
                    i++;
                }
            }
            line.append(quoted).append('"');
        }
        return line.toString();
    }

    private static boolean isSeparator(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
    }

    private static IllegalArgumentException unterminated(char quote, int index, String line) {
        return new IllegalArgumentException(
                "unterminated " + quote + " quote opened at column " + (index + 1) + " in [" + line + "]");
    }
}
