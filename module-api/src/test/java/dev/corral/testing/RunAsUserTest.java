package dev.corral.testing;

import dev.corral.client.AppClient;
import dev.corral.client.AppRequest;
import dev.corral.client.AppResponse;
import dev.corral.config.AppSettings;
import dev.corral.config.ConfigException;
import dev.corral.pool.App;
import dev.corral.pool.Corral;
import dev.corral.pool.ProcessStatus;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What an app's processes get from the container, with real processes: the environment without
 * {@code envDrop}'s variables, and, when the container runs as root (CI does), the app's
 * {@code user}: its uid and groups, its HOME, a socket directory no other user reaches, the
 * refusals of an app that would run as root or as an unknown user, and a stop that still
 * takes the other user's process down. The tests of user switching make their own system
 * users ({@link TestUsers}); run as another user than root, they are skipped.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RunAsUserTest {
    private static final String APP_USER = "corral-test-app";
    private static final String OTHER_USER = "corral-test-other";

    /** A directory every user can enter (a JUnit temp dir is 0700: the app's user could not reach it). */
    private Path appRoot;
    private Corral corral;

    @BeforeEach
    void installApp() throws IOException {
        appRoot = Files.createTempDirectory(Path.of("/tmp"), "corral-user-app-");
        Files.setPosixFilePermissions(appRoot, PosixFilePermissions.fromString("rwxr-xr-x"));
        TestApps.install(appRoot);
        try (Stream<Path> files = Files.list(appRoot)) {
            for (Path file : files.toList()) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
    }

    @AfterEach
    void stop() throws IOException {
        if (corral != null) {
            corral.close();
        }
        try (Stream<Path> paths = Files.walk(appRoot)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private App start(AppSettings settings) {
        settings.setMinProcesses("1");
        settings.setMaxProcesses("1");
        corral = Corral.builder().build();
        App app = corral.addApp(settings.toConfig());
        corral.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> app.status().ready() == 1);
        return app;
    }

    /** The test app's {@code /identity}: {@code uid}, {@code gid}, {@code groups}, ... and {@code env.NAME}. */
    private static Map<String, String> identity(String app) throws Exception {
        try (AppResponse response = AppClient.named(app).send(AppRequest.get("/identity"))) {
            assertEquals(200, response.status());
            Map<String, String> seen = new LinkedHashMap<>();
            response.bodyAsString().lines().forEach(line -> seen.put(line.substring(0, line.indexOf('=')),
                    line.substring(line.indexOf('=') + 1)));
            return seen;
        }
    }

    @Test
    void envDropRemovesTheContainersVariablesWhileEnvAndCorralsOwnStay() throws Exception {
        assumeTrue(System.getenv("HOME") != null, "the JVM's environment has HOME");
        // a variable of the JVM's own environment, and a prefix of its name that PATH does not share
        String kept = System.getenv().keySet().stream().filter(n -> n.length() >= 4 && !n.startsWith("PAT")
                && !n.startsWith("HOM") && !n.startsWith("COR")).sorted().findFirst().orElseThrow();
        String prefix = kept.substring(0, 3);
        AppSettings settings = TestApps.wsgi("envdrop", appRoot);
        settings.setEnvDrop("HOME, " + prefix + "* CORRAL*");
        settings.setEnv(kept + "=explicit");
        start(settings);

        Map<String, String> seen = identity("envdrop");
        assertFalse(seen.containsKey("env.HOME"), () -> "HOME was dropped: " + seen);
        assertEquals(List.of("env." + kept), seen.keySet().stream().filter(k -> k.startsWith("env." + prefix)).toList(),
                "of the " + prefix + "* variables only the one env sets again");
        assertEquals("explicit", seen.get("env." + kept));
        assertEquals("envdrop", seen.get("env.CORRAL_APP"), "Corral's own variables are always there");
        assertTrue(seen.containsKey("env.CORRAL_SOCKET"), seen::toString);
        assertEquals(System.getenv("PATH"), seen.get("env.PATH"), "what envDrop does not name is inherited");
    }

    @Test
    void anAppWithAUserRunsAsThatUserWithItsHomeAndASocketDirectoryOnlyItReaches() throws Exception {
        assumeTrue(TestUsers.runningAsRoot(), "switching users needs root (CI runs as root)");
        TestUsers.User user = TestUsers.ensure(APP_USER);
        TestUsers.User other = TestUsers.ensure(OTHER_USER);
        AppSettings settings = TestApps.wsgi("as-user", appRoot);
        settings.setUser(APP_USER);
        settings.setAllowRoot("false");
        try (LogCapture log = new LogCapture()) {
            App app = start(settings);

            Map<String, String> seen = identity("as-user");
            for (String id : List.of("uid", "euid")) {
                assertEquals(Integer.toString(user.uid()), seen.get(id), id);
            }
            for (String id : List.of("gid", "egid")) {
                assertEquals(Integer.toString(user.gid()), seen.get(id), id);
            }
            assertEquals(Integer.toString(user.gid()), seen.get("groups"), "the user's groups, none of root's");
            assertEquals(user.home().toString(), seen.get("env.HOME"));
            assertEquals(APP_USER, seen.get("env.USER"));
            assertEquals(APP_USER, seen.get("env.LOGNAME"));

            ProcessStatus process = app.status().processList().get(0);
            List<String> status = Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"));
            String uids = "Uid:\t" + user.uid() + "\t" + user.uid() + "\t" + user.uid() + "\t" + user.uid();
            assertTrue(status.contains(uids), () -> "the app process's /proc status: " + status);

            Path runDir = corral.runDir();
            Path sockets = runDir.resolve("u" + user.uid());
            assertTrue(process.address().startsWith(sockets + "/"), process::address);
            assertEquals(user.uid(), Files.getAttribute(sockets, "unix:uid"));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sockets)));
            assertEquals(0, TestUsers.runAs(user, "test", "-x", sockets.toString()), "the app's user enters its socket directory");
            assertNotEquals(0, TestUsers.runAs(other, "test", "-x", sockets.toString()), "another user does not");
            assertNotEquals(0, TestUsers.runAs(other, "ls", runDir.toString()), "nor lists the run directory");

            corral.close();
            corral = null;
            await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(process.pid()).map(h -> !h.isAlive()).orElse(true));
            assertFalse(log.awaitMatching("of app as-user exited with").isEmpty(), () -> "the exit is logged: " + log.lines());
        }
    }

    @Test
    void aContainerRunningAsRootRefusesAnAppThatWouldRunAsRootOrAsAnUnknownUser() {
        assumeTrue(TestUsers.runningAsRoot(), "these refusals are a root container's (CI runs as root)");
        corral = Corral.builder().build();
        AppSettings asRoot = TestApps.wsgi("as-root", appRoot);
        asRoot.setAllowRoot(null);
        assertEquals("'user' is required: Corral runs as root, so an app needs a user to run as (or allowRoot=true to"
                + " run its processes as root)", assertThrows(ConfigException.class, () -> corral.addApp(asRoot.toConfig()))
                .getMessage());
        asRoot.setUser("root");
        assertEquals("'user' must be a user other than root (uid 0), or allowRoot=true to run the app's processes as root,"
                + " but was [root]", assertThrows(ConfigException.class, () -> corral.addApp(asRoot.toConfig())).getMessage());
        AppSettings unknown = TestApps.wsgi("unknown-user", appRoot);
        unknown.setUser("corral-no-such-user");
        assertEquals("'user' must be a user known to this system (getent passwd has no such user), but was"
                + " [corral-no-such-user]", assertThrows(ConfigException.class, () -> corral.addApp(unknown.toConfig()))
                .getMessage());
        assertTrue(corral.apps().isEmpty(), "no app was added");
    }
}
