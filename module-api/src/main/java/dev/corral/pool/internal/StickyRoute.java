package dev.corral.pool.internal;

import dev.corral.pool.Exchange;

/** Reads and writes the sticky-session cookie that names a client's process. Stateless. */
final class StickyRoute {
    private StickyRoute() {
    }

    /** The value of cookie {@code name} in the request's Cookie headers, or null. */
    static String read(Exchange exchange, String name) {
        String[] found = {null};
        exchange.forEachHeader((header, value) -> {
            if (found[0] == null && header.equalsIgnoreCase("cookie")) {
                for (String pair : value.split(";")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
                        found[0] = pair.substring(eq + 1).trim();
                        return;
                    }
                }
            }
        });
        return found[0];
    }

    /** The Set-Cookie value that sends the client back to {@code process}. */
    static String setCookie(String name, AppProcess process, String pathPrefix) {
        return name + "=" + process.route + "; Path=" + pathPrefix + "; HttpOnly; SameSite=Lax";
    }
}
