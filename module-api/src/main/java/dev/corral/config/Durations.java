package dev.corral.config;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and formats the duration spelling used in Corral configuration: a non-negative whole
 * number followed by {@code ms}, {@code s}, {@code m} or {@code h}, or a bare number meaning
 * seconds ({@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 0}, {@code 90}).
 *
 * <p>Stateless and thread-safe.
 */
public final class Durations {

    /** What {@link #parse} accepts, worded to follow "must be". */
    public static final String ALLOWED = "a duration such as 250ms, 30s, 5m or 1h (a bare number is seconds)";

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    private Durations() {
    }

    /**
     * Parses {@code value} (trimmed) as a duration.
     *
     * @param setting  the setting's config name, used in the problem
     * @param value    the raw value; {@code null} is reported as missing
     * @param problems receives one problem if {@code value} is not a duration
     * @return the duration, or {@code null} if a problem was added
     */
    public static Duration parse(String setting, String value, List<ConfigException.Problem> problems) {
        if (value == null) {
            problems.add(new ConfigException.Problem(setting, null, ALLOWED));
            return null;
        }
        String trimmed = value.trim();
        Matcher m = DURATION.matcher(trimmed);
        if (m.matches()) {
            try {
                long amount = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                switch (unit) {
                    case "ms": return Duration.ofMillis(amount);
                    case "s": return Duration.ofSeconds(amount);
                    case "m": return Duration.ofMinutes(amount);
                    default: return Duration.ofHours(amount);
                }
            } catch (NumberFormatException | ArithmeticException tooLarge) {
                // falls through: a number this large is not a usable duration
            }
        }
        problems.add(new ConfigException.Problem(setting, trimmed, ALLOWED));
        return null;
    }

    /**
     * Formats {@code d} in the largest unit that represents it exactly, so that {@link #parse}
     * reads it back: {@code 60s} gives {@code "1m"}, {@code 1500ms} gives {@code "1500ms"},
     * zero gives {@code "0s"}. Negative durations and durations with a fraction of a millisecond
     * have no such spelling and are formatted by {@link Duration#toString()} instead.
     */
    public static String format(Duration d) {
        if (d.isNegative() || d.getNano() % 1_000_000 != 0) {
            return d.toString();
        }
        long seconds = d.getSeconds();
        if (d.getNano() != 0) {
            try {
                return Math.addExact(Math.multiplyExact(seconds, 1000L), d.getNano() / 1_000_000) + "ms";
            } catch (ArithmeticException tooLarge) {
                return d.toString();
            }
        }
        if (seconds == 0) {
            return "0s";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }
}
