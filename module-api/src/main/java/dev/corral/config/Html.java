package dev.corral.config;

/**
 * Escaping text for HTML, the one place for it: Corral's error pages ({@link ErrorPageConfig})
 * and its status page put request ids, reasons, app names, paths and errors into HTML.
 */
public final class Html {
    private Html() {
    }

    /** Escapes text for HTML content and quoted attribute values ({@code & < > " '}); null is empty. */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String entity = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> null;
            };
            if (entity != null && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (entity != null) {
                    out.append(entity);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }
}
