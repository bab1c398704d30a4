package dev.corral.config;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Thrown when configuration is invalid; carries <em>every</em> problem found, not just the first,
 * so an operator can fix a whole configuration in one round.
 *
 * <p>The message has one line per problem, in the form
 * {@code 'maxQueue' must be an integer 0..1000000, but was [-5]}, or, for a missing value,
 * {@code 'name' is required: <allowed>}. Container adapters call {@link #render(Function)} to
 * spell the setting the way the user wrote it, for example {@code corral.maxQueue} on Jetty.
 *
 * <p>Immutable and therefore thread-safe.
 */
public final class ConfigException extends RuntimeException {

    /**
     * One invalid setting.
     *
     * @param setting the setting's config name, such as {@code maxProcesses}
     * @param value   the offending value as given, or {@code null} if a required value is missing
     * @param allowed what the setting accepts, worded to follow "must be", such as
     *                {@code an integer 1..1024}
     */
    public record Problem(String setting, String value, String allowed) {

        public Problem {
            Objects.requireNonNull(setting, "setting");
            Objects.requireNonNull(allowed, "allowed");
        }

        /** Renders this problem as one line, spelling the setting with {@code settingName}. */
        public String render(Function<String, String> settingName) {
            String key = "'" + settingName.apply(setting) + "'";
            if (value == null) {
                return key + " is required: " + allowed;
            }
            return key + " must be " + allowed + ", but was [" + oneLine(value) + "]";
        }

        @Override
        public String toString() {
            return render(Function.identity());
        }

        // Keeps the one-problem-per-line promise even for multi-line values such as env.
        private static String oneLine(String value) {
            return value.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
        }
    }

    private final List<Problem> problems;

    /**
     * @param problems at least one problem
     * @throws IllegalArgumentException if {@code problems} is empty
     */
    public ConfigException(List<Problem> problems) {
        this.problems = List.copyOf(problems);
        if (this.problems.isEmpty()) {
            throw new IllegalArgumentException("A ConfigException needs at least one problem");
        }
    }

    /** Throws a {@code ConfigException} listing {@code problems}, if there are any. */
    public static void throwIfAny(List<Problem> problems) {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    /** Every problem, in the order found (the documented order of the settings). */
    public List<Problem> problems() {
        return problems;
    }

    /** Every problem, one per line, with settings spelled by their config names. */
    @Override
    public String getMessage() {
        return render(Function.identity());
    }

    /**
     * The same text as {@link #getMessage()}, with each setting name passed through
     * {@code settingName} first, e.g. {@code name -> "corral." + name}.
     */
    public String render(Function<String, String> settingName) {
        return problems.stream().map(p -> p.render(settingName)).collect(Collectors.joining("\n"));
    }
}
