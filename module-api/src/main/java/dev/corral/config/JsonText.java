package dev.corral.config;

/**
 * Quoting text as a JSON string, the one place for it: Corral's status JSON and the examples'
 * JSON answers put app names, paths, reasons and errors into JSON (as {@link Html} does for HTML).
 */
public final class JsonText {
    private JsonText() {
    }

    /**
     * Appends {@code text} to {@code out} as a JSON string, quotes included: {@code "} and
     * {@code \} escaped, control characters and U+2028/U+2029 (line ends to JavaScript) as
     * {@code \}{@code uXXXX} or their short forms; null as {@code null}.
     */
    public static StringBuilder quote(String text, StringBuilder out) {
        if (text == null) {
            return out.append("null");
        }
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append("\\u").append(Character.forDigit(c >> 12, 16)).append(Character.forDigit((c >> 8) & 0xf, 16))
                                .append(Character.forDigit((c >> 4) & 0xf, 16)).append(Character.forDigit(c & 0xf, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    /** {@code text} as a JSON string, quotes included (see {@link #quote(String, StringBuilder)}). */
    public static String quote(String text) {
        return quote(text, new StringBuilder(text == null ? 4 : text.length() + 2)).toString();
    }
}
