package dev.corral.config;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Pattern;

import dev.corral.config.ConfigException.Problem;

/**
 * What an app's processes take from the container and who they run as (Passenger's user
 * switching): the variables of the container's environment they do not inherit, and the user
 * and group they run as. The names are checked here for their form only; whether the user
 * exists, and whether the container may switch to it (it must run as root), are facts of the
 * machine the engine checks when the app is added. Immutable.
 *
 * @param envDrop   names and {@code PREFIX*} patterns of the container's variables the processes do not inherit
 * @param user      the user to run as (a name or uid), or {@code null} for the container's own user
 * @param group     the group to run as (a name or gid), or {@code null} for the user's primary group
 * @param allowRoot whether the processes may run as root
 */
public record IsolationConfig(List<String> envDrop, String user, String group, boolean allowRoot) {
    public static final List<String> DEFAULT_ENV_DROP = List.of();
    public static final boolean DEFAULT_ALLOW_ROOT = false;

    static final Pattern ENV_DROP_ENTRY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*\\*?|\\*");
    /** A user or group: a POSIX portable name (useradd's rule, with an optional Samba {@code $}) or a number. */
    static final Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_.-]{0,31}\\$?");
    static final Pattern SEPARATORS = Pattern.compile("[,\\s]+");

    public IsolationConfig {
        envDrop = envDrop == null ? DEFAULT_ENV_DROP : List.copyOf(envDrop);
        List<Problem> problems = new ArrayList<>();
        check(envDrop, user, group, problems);
        ConfigException.throwIfAny(problems);
    }

    public static IsolationConfig ofDefaults() {
        return new IsolationConfig(DEFAULT_ENV_DROP, null, null, DEFAULT_ALLOW_ROOT);
    }

    static void check(List<String> envDrop, String user, String group, List<Problem> problems) {
        for (String entry : envDrop) {
            if (!ENV_DROP_ENTRY.matcher(entry).matches()) {
                problems.add(Setting.ENV_DROP.problem(entry));
            }
        }
        if (user != null && !ACCOUNT.matcher(user).matches()) {
            problems.add(Setting.USER.problem(user));
        }
        if (group != null && !ACCOUNT.matcher(group).matches()) {
            problems.add(Setting.GROUP.problem(group));
        }
    }

    /** The entries of an {@code envDrop} text: names and patterns separated by commas or whitespace. */
    static List<String> splitEnvDrop(String text) {
        return text == null ? DEFAULT_ENV_DROP
                : SEPARATORS.splitAsStream(text.trim()).filter(word -> !word.isEmpty()).toList();
    }

    /** Whether the container's variable {@code name} is one the processes do not inherit. */
    public boolean drops(String name) {
        return drops(envDrop, name);
    }

    static boolean drops(List<String> envDrop, String name) {
        for (String entry : envDrop) {
            if (entry.endsWith("*") ? name.startsWith(entry.substring(0, entry.length() - 1)) : name.equals(entry)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return new StringJoiner(", ")
                .add(Setting.ENV_DROP + "=" + String.join(",", envDrop))
                .add(Setting.USER + "=" + (user == null ? "" : user))
                .add(Setting.GROUP + "=" + (group == null ? "" : group))
                .add(Setting.ALLOW_ROOT + "=" + allowRoot)
                .toString();
    }
}
