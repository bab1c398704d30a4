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
     * One invalid setting, or one name that is no setting at all.
     *
     * @param setting the setting's config name, such as {@code maxProcesses}, or the unknown name
     *                as the user wrote it
     * @param value   the offending value as given, or {@code null} if a required value is missing
     * @param allowed what the setting accepts, worded to follow "must be", such as
     *                {@code an integer 1..1024}; for an unknown name, what it is not, worded to
     *                follow "is not", such as {@code an app setting}
     * @param known   for an unknown name, the names it could have meant (its did-you-mean is
     *                chosen among them); {@code null} for a bad value
     * @param where   where the setting was given, such as {@code start.d/corral.ini}, or {@code null}
     */
    public record Problem(String setting, String value, String allowed, List<String> known, String where) {

        public Problem {
            Objects.requireNonNull(setting, "setting");
            Objects.requireNonNull(allowed, "allowed");
            known = known == null ? null : List.copyOf(known);
        }

        /** A bad or missing value. */
        public Problem(String setting, String value, String allowed) {
            this(setting, value, allowed, null, null);
        }

        /**
         * A name that is no setting: {@code 'maxProces' is not an app setting; did you mean
         * 'maxProcesses'? (set to [4])}.
         *
         * @param whatItIsNot such as {@code "an app setting"} or {@code "an attribute of CorralValve"}
         * @param known       the names that are settings, in documented order
         */
        public static Problem unknown(String name, String value, String whatItIsNot, List<String> known) {
            return new Problem(name, value, whatItIsNot, known, null);
        }

        /** Whether this is a name that is no setting (rather than a bad value). */
        public boolean isUnknown() {
            return known != null;
        }

        /** The known name closest to an unknown one, if one is close enough to be a likely typo. */
        public java.util.Optional<String> didYouMean() {
            return known == null ? java.util.Optional.empty() : Suggestions.closest(setting, known);
        }

        /** The same problem, said to be given at {@code where}. */
        public Problem at(String where) {
            return new Problem(setting, value, allowed, known, where);
        }

        /**
         * The same problem with its setting, and the names an unknown one could have meant,
         * spelled by {@code spelling}, e.g. {@code name -> "corral.app." + name}.
         */
        public Problem spelled(Function<String, String> spelling) {
            return new Problem(spelling.apply(setting), value, allowed,
                    known == null ? null : known.stream().map(spelling).toList(), where);
        }

        /** Renders this problem as one line, spelling settings with {@code settingName}. */
        public String render(Function<String, String> settingName) {
            String key = "'" + settingName.apply(setting) + "'";
            String line;
            if (known != null) {
                String hint = didYouMean().map(n -> "; did you mean '" + settingName.apply(n) + "'?")
                        .orElseGet(() -> known.isEmpty() ? "" : "; it is one of: "
                                + known.stream().map(settingName).collect(Collectors.joining(", ")));
                line = key + " is not " + allowed + hint + (value == null ? "" : " (set to [" + oneLine(value) + "])");
            } else if (value == null) {
                line = key + " is required: " + allowed;
            } else {
                line = key + " must be " + allowed + ", but was [" + oneLine(value) + "]";
            }
            return where == null ? line : line + " in " + where;
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
