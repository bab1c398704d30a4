package dev.corral.config;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory sizes in settings: {@code 512MB}, {@code 2GB}, {@code 64KB} (binary multiples: 1 KB =
 * 1024 bytes; {@code KiB}, {@code MiB}, {@code GiB}, {@code K}, {@code M}, {@code G} too), and
 * {@code 0} for "off". A bare number other than 0 is refused rather than guessed at.
 */
public final class Sizes {
    public static final String ALLOWED = "a size such as 512MB or 2GB (0 = off)";
    private static final Pattern SIZE = Pattern.compile("([0-9]+)\\s*(B|K|KB|KIB|M|MB|MIB|G|GB|GIB)?");

    private Sizes() {
    }

    /** The size in bytes, or null after adding a problem for {@code setting}. */
    public static Long parse(String setting, String value, List<ConfigException.Problem> problems) {
        Matcher m = SIZE.matcher(value.trim().toUpperCase(Locale.ROOT));
        if (m.matches() && (m.group(2) != null || Long.parseLong(m.group(1)) == 0)) {
            try {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "B" : m.group(2).substring(0, 1);
                long factor = switch (unit) {
                    case "K" -> 1L << 10;
                    case "M" -> 1L << 20;
                    case "G" -> 1L << 30;
                    default -> 1L;
                };
                return Math.multiplyExact(n, factor);
            } catch (ArithmeticException | NumberFormatException e) {
                // too large: reported below
            }
        }
        problems.add(new ConfigException.Problem(setting, value, ALLOWED));
        return null;
    }

    /** The shortest exact spelling: {@code 512MB}, {@code 1GB}, {@code 1000B}, {@code 0}. */
    public static String format(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GB";
        }
        if (bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MB";
        }
        if (bytes % (1L << 10) == 0) {
            return (bytes >> 10) + "KB";
        }
        return bytes + "B";
    }
}
