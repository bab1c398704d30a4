package dev.corral.pool;

import dev.corral.config.AppConfig;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Which requests of an app the container answers from the app's static directory
 * ({@code staticDir}, {@link AppConfig#staticDir()}), as Passenger serves {@code public/}: the
 * same decision for both adapters, which then let their container's own file serving (Jetty's
 * {@code ResourceService}, Tomcat's {@code DefaultServlet}) do the rest.
 *
 * <ul>
 *   <li>Only GET and HEAD; every other method goes to the app, as does everything of an app
 *       without static files.</li>
 *   <li>Refused with 404 ({@link Kind#REFUSE}, never sent to the app): a path with a {@code .}
 *       or {@code ..} segment (also percent-encoded), an encoded {@code /} ({@code %2f}),
 *       {@code \} or {@code %5c}, an encoded NUL, or an encoded {@code %} (double encoding),
 *       and a path the container normalized out of the app's {@code pathPrefix}. Containers
 *       refuse some of these forms themselves first, with 400.</li>
 *   <li>Dotfiles are not served: a path with a segment starting with {@code .}
 *       ({@code /.git/config}, {@code /.well-known/...}) goes to the app, which may serve it.</li>
 *   <li>Directories are not listed: a path ending with {@code /}, the prefix itself, and any
 *       path that is not a regular file under the directory (the adapter looks) go to the
 *       app.</li>
 * </ul>
 *
 * <p>Stateless; thread-safe.
 */
public final class StaticFiles {

    /** What to do with a request. */
    public enum Kind {
        /** Not a static-file request: the app serves it. */
        APP,
        /** A candidate file: the container serves it if it is a file it will serve, else the app. */
        FILE,
        /** A path that tries to leave the static directory: 404, not sent to the app ({@link App#refusePath}). */
        REFUSE
    }

    /**
     * The decision for one request.
     *
     * @param kind what to do
     * @param path for {@link Kind#FILE}: the decoded path below the static directory, starting
     *             with {@code /} (the request path minus {@code pathPrefix}); else null
     * @param why  for {@link Kind#REFUSE}: what is wrong with the path; else null
     */
    public record Lookup(Kind kind, String path, String why) {
        static final Lookup APP = new Lookup(Kind.APP, null, null);

        static Lookup refuse(String why) {
            return new Lookup(Kind.REFUSE, null, why);
        }
    }

    private StaticFiles() {
    }

    /**
     * Decides for a request that matched {@code config}'s app.
     *
     * @param method      the request's method
     * @param rawPath     the request target's path as the client sent it (undecoded; a query is ignored)
     * @param decodedPath the path as the container decoded and normalized it, without path
     *                    parameters ({@code ;jsessionid=...}) or query
     */
    public static Lookup lookup(AppConfig config, String method, String rawPath, String decodedPath) {
        if (config.staticDir() == null || !("GET".equals(method) || "HEAD".equals(method))) {
            return Lookup.APP;
        }
        String raw = rawPath == null ? "" : rawPath;
        int query = raw.indexOf('?');
        raw = query >= 0 ? raw.substring(0, query) : raw;
        String lower = raw.toLowerCase(Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("\\") || lower.contains("%00")
                || lower.contains("%25")) {
            return Lookup.refuse("an encoded '/', '\\', NUL or '%', or a backslash, in [" + rawPath + "]");
        }
        boolean dotfile = false;
        for (String segment : decode(raw).split("/", -1)) {
            int parameters = segment.indexOf(';');
            String name = parameters >= 0 ? segment.substring(0, parameters) : segment;
            if (name.equals(".") || name.equals("..")) {
                return Lookup.refuse("a '.' or '..' segment in [" + rawPath + "]");
            }
            dotfile |= name.startsWith(".");
        }
        String prefix = config.pathPrefix();
        if (decodedPath == null || !config.matchesPath(decodedPath)) {
            return Lookup.refuse("[" + rawPath + "] leaves pathPrefix [" + prefix + "]");
        }
        String path = prefix.equals("/") ? decodedPath : decodedPath.substring(prefix.length());
        if (dotfile || path.isEmpty() || path.endsWith("/") || !path.startsWith("/")) {
            return Lookup.APP;
        }
        return new Lookup(Kind.FILE, path, null);
    }

    /** Percent-decodes a path (UTF-8); a malformed escape stays as it is. */
    private static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            int hi = c == '%' && i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
            if (lo >= 0) {
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
