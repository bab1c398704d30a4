package dev.corral.examples;

import dev.corral.config.AppConfig;
import dev.corral.config.AppSettings;
import dev.corral.config.AppType;
import dev.corral.examples.DemoOptions.UsageException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoOptionsTest {

    @TempDir
    Path dir;

    @Test
    void withoutArgumentsServesTheBundledWsgiAppOnPort8080WithTwoToFourProcesses() throws Exception {
        DemoOptions options = DemoOptions.parse();

        assertFalse(options.help());
        assertEquals("0.0.0.0", options.host());
        assertEquals(8080, options.port());
        assertTrue(options.bundledApp());
        AppConfig config = options.settings(dir).toConfig();
        assertEquals("demo", config.name());
        assertEquals(dir.toAbsolutePath().normalize(), config.appRoot());
        assertEquals(AppType.WSGI, config.type());
        assertEquals("app:application", config.entryPoint());
        assertEquals(2, config.minProcesses());
        assertEquals(4, config.maxProcesses());
    }

    @Test
    void helpWinsOverEverythingElse() throws Exception {
        assertTrue(DemoOptions.parse("--help").help());
        assertTrue(DemoOptions.parse("-h").help());
        assertTrue(DemoOptions.parse("--set", "maxProcesses=0", "--help").help());
    }

    @Test
    void usageListsEverySettingWithItsDefault() {
        String usage = DemoOptions.usage();
        for (String name : AppSettings.names()) {
            String defaultValue = DemoOptions.defaultOf(name);
            assertNotNull(defaultValue, "no default documented for setting " + name);
            assertTrue(usage.lines().anyMatch(line -> line.matches("\\s+" + name + "\\s+.*")
                            && line.endsWith(defaultValue)), "usage lacks [" + name + "  " + defaultValue + "]:\n" + usage);
        }
        for (String name : DemoOptions.ENGINE_SETTINGS) {
            assertTrue(usage.lines().anyMatch(line -> line.matches("\\s+" + name + "\\s+.*")
                    && line.endsWith(DemoOptions.defaultOf(name))), "usage lacks the engine setting " + name + ":\n" + usage);
        }
        assertTrue(usage.contains("queueTimeout     60s"), usage);
        assertTrue(usage.contains("--port N"), usage);
    }

    @Test
    void parsesHostAndPortInBothSpellings() throws Exception {
        assertEquals(0, DemoOptions.parse("--port", "0").port());
        assertEquals(65535, DemoOptions.parse("--port=65535").port());
        assertEquals("127.0.0.1", DemoOptions.parse("--host", "127.0.0.1").host());
        assertEquals("::1", DemoOptions.parse("--host=::1").host());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "65536", "http", ""})
    void rejectsAPortOutside0To65535(String port) {
        UsageException e = assertThrows(UsageException.class, () -> DemoOptions.parse("--port", port));
        assertEquals(List.of("--port must be an integer 0..65535 (0 = any free port), but was [" + port + "]"), e.problems());
    }

    @Test
    void setOverridesDefaultsAndTheLastSetWins() throws Exception {
        DemoOptions options = DemoOptions.parse("--set", "maxProcesses=8", "--set=queueTimeout=5s",
                "--set", "name=first", "--set", "name=blog");

        AppConfig config = options.settings(dir).toConfig();
        assertEquals("blog", config.name());
        assertEquals(2, config.minProcesses());
        assertEquals(8, config.maxProcesses());
        assertEquals(java.time.Duration.ofSeconds(5), config.queueTimeout());
    }

    @Test
    void setAppRootReplacesTheBundledApp() throws Exception {
        DemoOptions options = DemoOptions.parse("--set", "appRoot=" + dir, "--set", "type=generic",
                "--set", "command=python3 -m http.server");

        assertFalse(options.bundledApp());
        AppConfig config = options.settings(Path.of("/ignored")).toConfig();
        assertEquals(dir.toAbsolutePath().normalize(), config.appRoot());
        assertEquals(List.of("python3", "-m", "http.server"), config.command());
    }

    @Test
    void setValueMayContainEqualsSigns() throws Exception {
        DemoOptions options = DemoOptions.parse("--set", "env=A=1 B=x=y");

        assertEquals("A=1 B=x=y", options.sets().get("env"));
    }

    @Test
    void setTakesEverySettingOfTheTable() {
        for (dev.corral.config.Setting setting : dev.corral.config.Setting.values()) {
            String arg = setting.configName() + "=" + setting.example();
            try {
                DemoOptions.parse("--set", arg);
            } catch (UsageException e) {
                assertTrue(e.problems().stream().noneMatch(p -> p.contains("is not a setting")), arg + ": " + e.problems());
            }
        }
    }

    @Test
    void rejectsSetWithoutEquals() {
        UsageException e = assertThrows(UsageException.class, () -> DemoOptions.parse("--set", "maxProcesses"));
        assertEquals(List.of("--set needs NAME=VALUE, but was [maxProcesses]"), e.problems());
    }

    @Test
    void rejectsAnUnknownSettingNamingTheOneItMostLikelyMeans() {
        UsageException e = assertThrows(UsageException.class, () -> DemoOptions.parse("--set", "maxProcess=3"));
        assertEquals(1, e.problems().size());
        assertEquals(List.of("'maxProcess' is not a setting; did you mean 'maxProcesses'? (set to [3]) in --set maxProcess=3"),
                e.problems());
    }

    @Test
    void rejectsABadValueNamingTheSetting() {
        UsageException e = assertThrows(UsageException.class, () -> DemoOptions.parse("--set", "concurrency=lots"));
        assertEquals(List.of("'concurrency' must be an integer 0..10000 (0 = unlimited), but was [lots]"), e.problems());
    }

    @Test
    void reportsEveryBadSettingAtOnce() {
        UsageException e = assertThrows(UsageException.class, () -> DemoOptions.parse(
                "--set", "maxProcesses=0", "--set", "bogus=1", "--set", "oops", "--set", "spawnTimeout=0"));

        List<String> problems = e.problems();
        assertEquals(4, problems.size(), e.getMessage());
        assertTrue(problems.get(0).startsWith("'bogus' is not a setting; it is one of: name, appRoot,"), e.getMessage());
        assertEquals("--set needs NAME=VALUE, but was [oops]", problems.get(1));
        assertEquals("'maxProcesses' must be an integer 1..1024, but was [0]", problems.get(2));
        assertTrue(problems.get(3).startsWith("'spawnTimeout' must be"), e.getMessage());
    }

    @Test
    void saysWhenAnInvalidValueIsTheDemosDefault() {
        UsageException e = assertThrows(UsageException.class, () -> DemoOptions.parse("--set", "maxProcesses=1"));

        assertEquals(1, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(0).startsWith("'minProcesses' must be"), e.getMessage());
        assertTrue(e.problems().get(0).endsWith("(the demo's default; change it with --set minProcesses=VALUE)"), e.getMessage());
    }

    @Test
    void rejectsANonWsgiTypeForTheBundledApp() {
        UsageException e = assertThrows(UsageException.class, () -> DemoOptions.parse("--set", "type=node"));
        assertEquals(List.of("'type' [node] needs --set appRoot=DIR: the bundled demo app is a WSGI app"), e.problems());
    }

    @Test
    void rejectsAnUnknownOption() {
        UsageException e = assertThrows(UsageException.class, () -> DemoOptions.parse("--prot", "80"));
        assertEquals(List.of("unknown option [--prot]; the options are --host, --port, --jmx-port, --set and --help"), e.problems());
    }

    @Test
    void rejectsAStrayArgument() {
        UsageException e = assertThrows(UsageException.class, () -> DemoOptions.parse("maxProcesses=3"));
        assertEquals(List.of("unexpected argument [maxProcesses=3]; app settings are given as --set NAME=VALUE, and a command "
                + "(status, restart, scale, drain, resume, detach, faults, help) must come first"), e.problems());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--port", "--host", "--set"})
    void rejectsAnOptionWithoutItsValue(String flag) {
        UsageException e = assertThrows(UsageException.class, () -> DemoOptions.parse(flag));
        assertEquals(1, e.problems().size());
        assertTrue(e.problems().get(0).startsWith(flag + " needs a value: " + flag + " "), e.getMessage());
    }

    @Test
    void jmxPortIsOffUnlessGivenAndMustBeAPort() throws Exception {
        assertEquals(-1, DemoOptions.parse().jmxPort());
        assertEquals(9010, DemoOptions.parse("--jmx-port", "9010").jmxPort());
        assertEquals(9011, DemoOptions.parse("--jmx-port=9011").jmxPort());
        UsageException e = assertThrows(UsageException.class,
                () -> DemoOptions.parse("--jmx-port", "70000"));
        assertTrue(e.problems().get(0).contains("70000"), e.problems().toString());
    }
}
