package dev.corral.pool.internal;

import dev.corral.config.ConfigException;
import dev.corral.config.IsolationConfig;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who an app's processes run as, decided against a given container user and a given password
 * database: the refusals a machine that is not root (or is) would show. The real switch, with a
 * user the test creates, is {@code RunAsUserTest}'s.
 */
class ProcessUserTest {
    private static final Accounts.Account ROOT = new Accounts.Account("root", 0, 0, Path.of("/root"));
    private static final Accounts.Account BOB = new Accounts.Account("bob", 1000, 1000, Path.of("/home/bob"));
    private static final Accounts.Account WWW = new Accounts.Account("www-data", 33, 33, Path.of("/var/www"));

    /** A machine with root, bob and www-data, and the groups root, adm, www-data and bob; the JVM runs as {@code self}. */
    private static Accounts machine(Accounts.Account self) {
        Map<String, Accounts.Account> users = Map.of("root", ROOT, "0", ROOT, "bob", BOB, "1000", BOB, "www-data", WWW, "33", WWW);
        Map<String, Integer> groups = Map.of("root", 0, "adm", 4, "www-data", 33, "bob", 1000, "4", 4);
        return new Accounts() {
            @Override
            public Optional<Account> user(String nameOrUid) {
                return Optional.ofNullable(users.get(nameOrUid));
            }

            @Override
            public OptionalInt group(String nameOrGid) {
                Integer gid = groups.get(nameOrGid);
                return gid == null ? OptionalInt.empty() : OptionalInt.of(gid);
            }

            @Override
            public Account self() {
                return self;
            }
        };
    }

    private static IsolationConfig as(String user, String group, boolean allowRoot) {
        return new IsolationConfig(List.of(), user, group, allowRoot);
    }

    private static String refusal(IsolationConfig isolation, Accounts.Account self) {
        return assertThrows(ConfigException.class, () -> ProcessUser.decide(isolation, machine(self))).getMessage();
    }

    @Test
    void aContainerThatIsNotRootRefusesToRunAnAppAsAnotherUserOrGroup() {
        assertEquals("'user' must be the user Corral runs as, uid 1000 (bob): running an app as another user needs"
                + " Corral to run as root, but was [www-data]", refusal(as("www-data", null, false), BOB));
        assertEquals("'group' must be Corral's own group, gid 1000: running an app as another group needs Corral to"
                + " run as root, but was [adm]", refusal(as(null, "adm", false), BOB));
    }

    @Test
    void aContainerThatIsNotRootRunsAppsAsItselfWithoutSwitching() {
        for (IsolationConfig isolation : List.of(as(null, null, false), as("bob", null, false), as("1000", "bob", false))) {
            ProcessUser user = ProcessUser.decide(isolation, machine(BOB));
            assertEquals(new ProcessUser("bob", 1000, 1000, Path.of("/home/bob"), false), user);
            assertEquals(List.of(), user.commandPrefix());
            assertEquals(Map.of(), user.identityEnv(), "the container's own HOME, USER and LOGNAME stay");
        }
    }

    @Test
    void aContainerRunningAsRootRunsNoAppAsRootUnlessAllowRootSaysSo() {
        assertEquals("'user' is required: Corral runs as root, so an app needs a user to run as (or allowRoot=true"
                + " to run its processes as root)", refusal(as(null, null, false), ROOT));
        assertEquals("'user' must be a user other than root (uid 0), or allowRoot=true to run the app's processes"
                + " as root, but was [root]", refusal(as("root", null, false), ROOT));
        assertEquals("'user' must be a user other than root (uid 0), or allowRoot=true to run the app's processes"
                + " as root, but was [0]", refusal(as("0", null, false), ROOT));
        ProcessUser allowed = ProcessUser.decide(as(null, null, true), machine(ROOT));
        assertFalse(allowed.switches());
        assertEquals(0, allowed.uid());
        assertFalse(ProcessUser.decide(as("root", null, true), machine(ROOT)).switches());
    }

    @Test
    void aContainerRunningAsRootSwitchesToTheUserAndItsPrimaryGroupOrTheGroupGiven() {
        ProcessUser www = ProcessUser.decide(as("www-data", null, false), machine(ROOT));
        assertEquals(new ProcessUser("www-data", 33, 33, Path.of("/var/www"), true), www);
        assertEquals(List.of("setpriv", "--reuid=33", "--regid=33", "--init-groups", "--"), www.commandPrefix());
        assertEquals(Map.of("HOME", "/var/www", "USER", "www-data", "LOGNAME", "www-data"), www.identityEnv());
        ProcessUser adm = ProcessUser.decide(as("www-data", "adm", false), machine(ROOT));
        assertEquals(4, adm.gid());
        assertEquals(List.of("setpriv", "--reuid=33", "--regid=4", "--init-groups", "--"), adm.commandPrefix());
        assertTrue(ProcessUser.decide(as("root", "adm", true), machine(ROOT)).switches(), "root with another group");
    }

    @Test
    void anUnknownUserAndAnUnknownGroupAreBothNamed() {
        assertEquals("'user' must be a user known to this system (getent passwd has no such user), but was [nobody-here]\n"
                + "'group' must be a group known to this system (getent group has no such group), but was [no-group]",
                refusal(as("nobody-here", "no-group", true), ROOT));
    }

    @Test
    void theSystemsAccountsKnowRootAndWhoThisJvmIs() {
        Accounts.Account root = Accounts.system().user("root").orElseThrow();
        assertEquals(0, root.uid());
        assertEquals(Optional.of(root), Accounts.system().user("0"));
        assertEquals(OptionalInt.of(0), Accounts.system().group("root"));
        assertEquals(Optional.empty(), Accounts.system().user("corral-no-such-user"));
        assertEquals(ProcessHandle.current().info().user().orElseThrow(), Accounts.system().self().name());
    }
}
