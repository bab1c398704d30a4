package dev.corral.pool.internal;

import dev.corral.config.ConfigException;
import dev.corral.config.ConfigException.Problem;
import dev.corral.config.IsolationConfig;
import dev.corral.config.Setting;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Who an app's processes run as, decided once when the app is added (Passenger's user
 * switching): the container's own user, or, when the container runs as root, the app's
 * {@code user} and {@code group}. The rules:
 * <ul>
 *   <li>a container running as root runs no app as root unless the app says {@code allowRoot=true}:
 *       without {@code user} (or with {@code user=root}) the app is refused;</li>
 *   <li>a container not running as root cannot switch: {@code user} and {@code group} may only name
 *       its own user and group;</li>
 *   <li>an unknown user or group is refused.</li>
 * </ul>
 * A refusal is a {@link ConfigException} naming the setting and its value, so the container's
 * start fails. Immutable.
 *
 * @param name     the user's name
 * @param uid      the user's uid
 * @param gid      the group's gid
 * @param home     the user's home directory (its HOME)
 * @param switches whether the processes change user or group (the container runs as root and
 *                 the target is not the container's own uid and gid)
 */
record ProcessUser(String name, int uid, int gid, Path home, boolean switches) {
    /** The program that switches: util-linux's {@code setpriv} (present wherever {@code setsid} is). */
    static final String SETPRIV = "setpriv";

    /** The container's own user: nothing changes. */
    static ProcessUser of(Accounts.Account self) {
        return new ProcessUser(self.name(), self.uid(), self.gid(), self.home(), false);
    }

    /**
     * Decides who the app's processes run as.
     *
     * @throws ConfigException naming {@code user}, {@code group} or {@code allowRoot}, with the value and what is allowed
     */
    static ProcessUser decide(IsolationConfig isolation, Accounts accounts) {
        Accounts.Account self = accounts.self();
        List<Problem> problems = new ArrayList<>();
        Accounts.Account target = self;
        if (isolation.user() != null) {
            Optional<Accounts.Account> found = accounts.user(isolation.user());
            if (found.isEmpty()) {
                problems.add(new Problem(Setting.USER.configName(), isolation.user(),
                        "a user known to this system (getent passwd has no such user)"));
            } else {
                target = found.get();
            }
        }
        int gid = isolation.user() == null ? self.gid() : target.gid();
        if (isolation.group() != null) {
            OptionalInt group = accounts.group(isolation.group());
            if (group.isEmpty()) {
                problems.add(new Problem(Setting.GROUP.configName(), isolation.group(),
                        "a group known to this system (getent group has no such group)"));
            } else {
                gid = group.getAsInt();
            }
        }
        ConfigException.throwIfAny(problems);
        boolean root = self.uid() == 0;
        if (!root) {
            if (target.uid() != self.uid()) {
                problems.add(new Problem(Setting.USER.configName(), isolation.user(), "the user Corral runs as, uid "
                        + self.uid() + " (" + self.name() + "): running an app as another user needs Corral to run as root"));
            }
            if (isolation.group() != null && gid != self.gid()) {   // (a group that follows another user: said above)
                problems.add(new Problem(Setting.GROUP.configName(), isolation.group(), "Corral's own group, gid "
                        + self.gid() + ": running an app as another group needs Corral to run as root"));
            }
        } else if (target.uid() == 0 && !isolation.allowRoot()) {
            problems.add(isolation.user() == null
                    ? new Problem(Setting.USER.configName(), null, "Corral runs as root, so an app needs a user to run as"
                            + " (or allowRoot=true to run its processes as root)")
                    : new Problem(Setting.USER.configName(), isolation.user(), "a user other than root (uid 0), or"
                            + " allowRoot=true to run the app's processes as root"));
        }
        ConfigException.throwIfAny(problems);
        boolean switches = root && (target.uid() != self.uid() || gid != self.gid());
        return new ProcessUser(target.name(), target.uid(), gid, target.home(), switches);
    }

    /** The words that run a command as this user: {@code setpriv ...} when switching, else none. */
    List<String> commandPrefix() {
        if (!switches) {
            return List.of();
        }
        return List.of(SETPRIV, "--reuid=" + uid, "--regid=" + gid, "--init-groups", "--");
    }

    /** The variables that say who the process is (as a login would set them), when switching. */
    Map<String, String> identityEnv() {
        return switches ? Map.of("HOME", home.toString(), "USER", name, "LOGNAME", name) : Map.of();
    }

    @Override
    public String toString() {
        return name + " (uid " + uid + ", gid " + gid + ")";
    }
}
