package dev.corral.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AppConfigTest {

    private static final Path ROOT = Path.of("/srv/blog");

    private static AppConfig withPrefix(String pathPrefix) {
        return new AppConfig("blog", ROOT, AppType.WSGI, "app:application", List.of(), Map.of(), pathPrefix,
                List.of(), 1, 6, 1, 100, Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(30),
                Listen.UNIX);
    }

    private static AppConfig withHosts(String... hosts) {
        return new AppConfig("blog", ROOT, AppType.WSGI, "app:application", List.of(), Map.of(), "/",
                List.of(hosts), 1, 6, 1, 100, Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(30),
                Listen.UNIX);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/blog", "/blog/", "/blog/x", "/blog?q", "/blog?", "/blog/x/y?z=1", "/blog;jsessionid=1"})
    void prefixMatchesItselfAndWhatIsBelowIt(String rawPath) {
        assertTrue(withPrefix("/blog").matchesPath(rawPath));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/blogger", "/", "/blo", "/Blog", "/other/blog", ""})
    void prefixDoesNotMatchOtherPaths(String rawPath) {
        assertFalse(withPrefix("/blog").matchesPath(rawPath));
    }

    @Test
    void rootPrefixMatchesEverything() {
        AppConfig root = withPrefix("/");
        assertTrue(root.matchesPath("/"));
        assertTrue(root.matchesPath("/anything?x"));
        assertTrue(root.matchesPath(""));
    }

    @Test
    void trailingSlashOfPrefixIsDropped() {
        assertEquals("/blog", withPrefix("/blog/").pathPrefix());
        assertEquals("/", withPrefix("/").pathPrefix());
        assertFalse(withPrefix("/blog/").matchesPath("/blogger"));
    }

    @Test
    void noVirtualHostsMatchesEveryHost() {
        assertTrue(withHosts().matchesHost("anything.test"));
        assertTrue(withHosts().matchesHost(null));
    }

    @Test
    void exactHostMatchesIgnoringCasePortAndTrailingDot() {
        AppConfig c = withHosts("Example.COM");
        assertTrue(c.matchesHost("example.com"));
        assertTrue(c.matchesHost("EXAMPLE.com:8080"));
        assertTrue(c.matchesHost("example.com."));
        assertFalse(c.matchesHost("www.example.com"));
        assertFalse(c.matchesHost("example.org"));
        assertFalse(c.matchesHost(null));
    }

    @Test
    void wildcardMatchesAnySubdomainButNotTheDomainItself() {
        AppConfig c = withHosts("*.example.com");
        assertTrue(c.matchesHost("www.example.com"));
        assertTrue(c.matchesHost("a.b.example.com:443"));
        assertFalse(c.matchesHost("example.com"));
        assertFalse(c.matchesHost("badexample.com"));
    }

    @Test
    void ipv6HostsAreNotMistakenForHostAndPort() {
        assertFalse(withHosts("example.com").matchesHost("[::1]:8080"));
        assertFalse(withHosts("example.com").matchesHost("::1"));
    }

    @Test
    void zeroConcurrencyMeansUnlimited() {
        AppConfig c = AppConfig.ofDefaults("blog", ROOT);
        assertFalse(c.unlimitedConcurrency());
        AppConfig unlimited = new AppConfig("blog", ROOT, AppType.WSGI, "app:application", null, null, "/", null,
                1, 6, 0, 100, Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(30), Listen.UNIX);
        assertTrue(unlimited.unlimitedConcurrency());
    }

    @Test
    void toStringPrintsEverySettingInConfigSpelling() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GREETING", "hello world");
        env.put("DEBUG", "1");
        AppConfig c = new AppConfig("blog", ROOT, AppType.GENERIC, null, List.of("python3", "-m", "my app"), env,
                "/blog", List.of("example.com", "*.example.org"), 0, 4, 0, 50, Duration.ofMillis(1500),
                Duration.ofMinutes(2), Duration.ZERO, Listen.TCP);
        assertEquals("AppConfig[name=blog, appRoot=" + ROOT.toAbsolutePath() + ", type=generic, entryPoint=, "
                + "command=python3 -m 'my app', env='GREETING=hello world' DEBUG=1, envDrop=, user=, group=, "
                + "allowRoot=false, pathPrefix=/blog, "
                + "virtualHosts=example.com,*.example.org, staticDir=none, minProcesses=0, maxProcesses=4, concurrency=0, "
                + "maxQueue=50, queueTimeout=1500ms, spawnTimeout=2m, shutdownTimeout=0s, listen=tcp, "
                + "idleTimeout=5m, maxRequests=0, maxMemory=0, maxRequestTime=0s, connectTimeout=5s, responseTimeout=1m, "
                + "upgradeIdleTimeout=10m, healthPath=, "
                + "healthInterval=2s, healthFastInterval=500ms, healthDownInterval=5s, healthRise=2, healthFall=3, healthTimeout=2s, "
                + "errorLimit=10, retries=3, slowStart=0s, stickySessions=false, stickyCookie=corral_route, prefetch=0s, "
                + "detailedErrors=false, errorPages=, faults=, faultSeed=0]", c.toString());
    }

    @Test
    void ofDefaultsUsesEveryDefault() {
        AppConfig c = AppConfig.ofDefaults("blog", ROOT);
        assertEquals(AppType.WSGI, c.type());
        assertEquals("app:application", c.entryPoint());
        assertEquals("/", c.pathPrefix());
        assertEquals(1, c.minProcesses());
        assertEquals(6, c.maxProcesses());
        assertEquals(1, c.concurrency());
        assertEquals(100, c.maxQueue());
        assertEquals(Duration.ofSeconds(60), c.queueTimeout());
        assertEquals(Duration.ofSeconds(60), c.spawnTimeout());
        assertEquals(Duration.ofSeconds(30), c.shutdownTimeout());
        assertEquals(Listen.UNIX, c.listen());
    }

    @Test
    void copiesAndFreezesCollections() {
        List<String> command = new ArrayList<>(List.of("node", "app.js"));
        Map<String, String> env = new LinkedHashMap<>(Map.of("A", "1"));
        List<String> hosts = new ArrayList<>(List.of("example.com"));
        AppConfig c = new AppConfig("blog", ROOT, AppType.NODE, "app.js", command, env, "/", hosts, 1, 6, 1, 100,
                Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(30), Listen.UNIX);
        command.clear();
        env.clear();
        hosts.clear();
        assertEquals(List.of("node", "app.js"), c.command());
        assertEquals(Map.of("A", "1"), c.env());
        assertEquals(List.of("example.com"), c.virtualHosts());
        assertThrows(UnsupportedOperationException.class, () -> c.command().add("x"));
        assertThrows(UnsupportedOperationException.class, () -> c.env().put("B", "2"));
        assertThrows(UnsupportedOperationException.class, () -> c.virtualHosts().add("x"));
    }

    @Test
    void constructorRejectsInvalidValuesAllAtOnce() {
        ConfigException e = assertThrows(ConfigException.class, () -> new AppConfig("my app", null, AppType.WSGI,
                "app", List.of(), Map.of("PORT", "80"), "blog", List.of("bad_host"), 7, 6, -1, 100,
                Duration.ZERO, Duration.ofSeconds(60), Duration.ofSeconds(-1), null));
        assertEquals(String.join("\n",
                "'name' must be a name of letters, digits, '.', '_' and '-', but was [my app]",
                "'appRoot' is required: an existing directory",
                "'entryPoint' must be a WSGI entry point module:callable, such as app:application, but was [app]",
                "'env' must be free of CORRAL_SOCKET, CORRAL_APP and PORT (set by Corral), but was [PORT=80]",
                "'pathPrefix' must be a path starting with '/' without whitespace, '?' or '#', but was [blog]",
                "'virtualHosts' must be host names such as example.com or *.example.com, separated by commas"
                        + " or spaces, but was [bad_host]",
                "'minProcesses' must be an integer 0..6 (at most maxProcesses), but was [7]",
                "'concurrency' must be an integer 0..10000 (0 = unlimited), but was [-1]",
                "'queueTimeout' must be a duration > 0, such as 250ms, 30s, 5m or 1h, but was [0s]",
                "'shutdownTimeout' must be a duration >= 0, such as 250ms, 30s, 5m or 1h, but was [PT-1S]",
                "'listen' is required: one of unix, tcp"), e.getMessage());
    }
}
