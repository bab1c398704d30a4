package dev.corral.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What the body of Corral's own error answers (502, 503, 504, 408, 413, 500) shows a client.
 * By default only the status, the reason code and the request id: a network client learns no
 * pid, socket path, setting or app output (the log line has them all). {@code detailedErrors}
 * puts the failure's details in the body too (Passenger's {@code friendly_error_pages}); an
 * error page replaces the body of its status with an operator's HTML file. Immutable.
 *
 * @param detailedErrors whether the body carries the failure's details
 * @param pages          the error pages by status, read at start-up
 */
public record ErrorPageConfig(boolean detailedErrors, Map<Integer, Page> pages) {
    public static final boolean DEFAULT_DETAILED_ERRORS = false;
    /** The statuses of Corral's own answers, the ones an error page may be given for. */
    public static final Set<Integer> STATUSES = Set.of(408, 413, 500, 502, 503, 504);
    static final String STATUSES_TEXT = "408, 413, 500, 502, 503, 504";
    /** The largest error page file accepted. */
    public static final int MAX_PAGE_BYTES = 64 * 1024;

    /** The placeholders an error page may hold; each is replaced by its value, HTML-escaped. */
    public static final String REQUEST_ID = "{{requestId}}";
    public static final String STATUS = "{{status}}";
    public static final String REASON = "{{reason}}";

    /**
     * One error page: the file it was read from (to show the setting) and its text.
     *
     * @param file the file, as configured
     * @param html its content, read as UTF-8 at start-up
     */
    public record Page(Path file, String html) {
        public Page {
            if (file == null || html == null) {
                throw new IllegalArgumentException("an error page needs its file and its text");
            }
        }

        /** The page for one answer: the placeholders filled in, HTML-escaped. */
        public String render(int status, String reason, String requestId) {
            return html.replace(REQUEST_ID, Html.escape(requestId)).replace(STATUS, Integer.toString(status))
                    .replace(REASON, Html.escape(reason));
        }
    }

    public ErrorPageConfig {
        pages = pages == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(pages));
        for (Integer status : pages.keySet()) {
            if (!STATUSES.contains(status)) {
                throw new IllegalArgumentException("no error page for status " + status + ": one of " + STATUSES_TEXT);
            }
        }
    }

    public static ErrorPageConfig ofDefaults() {
        return new ErrorPageConfig(DEFAULT_DETAILED_ERRORS, Map.of());
    }

    /** The page for {@code status}, or null. */
    public Page page(int status) {
        return pages.get(status);
    }

    /** The pages as configuration text ({@code 503=/srv/errors/503.html 502=...}), or null when none. */
    public String pagesText() {
        return pages.isEmpty() ? null : pages.entrySet().stream()
                .map(e -> CommandLine.quote(e.getKey() + "=" + e.getValue().file())).collect(Collectors.joining(" "));
    }

    @Override
    public String toString() {
        return new StringJoiner(", ")
                .add("detailedErrors=" + detailedErrors)
                .add("errorPages=" + (pages.isEmpty() ? "" : pagesText()))
                .toString();
    }
}
