package dev.corral.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The settings table says what the binders do: its defaults are theirs, and it names every setting once. */
class SettingTableTest {

    @Test
    void theTablesAppDefaultsAreTheDefaultsOfABoundApp(@TempDir Path appRoot) {
        AppSettings minimal = new AppSettings();
        minimal.setName("blog");
        minimal.setAppRoot(appRoot.toString());
        AppSettings explicit = new AppSettings();
        explicit.setName("blog");
        explicit.setAppRoot(appRoot.toString());
        Setting.appSettings().forEach(s -> s.defaultValue().ifPresent(v -> explicit.set(s.configName(), v)));
        assertEquals(minimal.toConfig(), explicit.toConfig());
        // and every setting without a default value is one that may be left out
        Map<String, String> settings = minimal.toConfig().settings();
        for (Setting s : Setting.appSettings()) {
            if (s.defaultValue().isEmpty() && s != Setting.NAME && s != Setting.APP_ROOT) {
                assertTrue(!settings.containsKey(s.configName()) || s == Setting.ENTRY_POINT || s == Setting.FAULTS
                        || s == Setting.FAULT_SEED, s + " has a value in a default config: " + settings);
            }
        }
    }

    @Test
    void theTablesEngineDefaultsAreTheEnginesDefaults() {
        List<ConfigException.Problem> problems = new java.util.ArrayList<>();
        assertEquals(PoolLimits.DEFAULT_MAX_POOL_PROCESSES,
                PoolLimits.maxPoolProcesses(Setting.MAX_POOL_PROCESSES.defaultValue().orElseThrow(), problems));
        assertEquals(StatusConfig.OFF, StatusConfig.bind(null, Setting.STATUS_ALLOW.defaultValue().orElseThrow(),
                Setting.STATUS_PER_PROCESS_METRICS.defaultValue().orElseThrow(), problems));
        assertEquals(List.of(), problems);
        assertEquals(StatusConfig.STATUS_PATH, Setting.STATUS_PATH.configName());
        assertEquals(StatusConfig.STATUS_ALLOW, Setting.STATUS_ALLOW.configName());
        assertEquals(StatusConfig.STATUS_PER_PROCESS_METRICS, Setting.STATUS_PER_PROCESS_METRICS.configName());
        assertEquals(PoolLimits.MAX_POOL_PROCESSES, Setting.MAX_POOL_PROCESSES.configName());
    }

    @Test
    void everySettingHasOneNameAMeaningAndADefaultOrAnExample() {
        Map<String, Setting> byName = new LinkedHashMap<>();
        for (Setting s : Setting.values()) {
            assertEquals(null, byName.put(s.configName().toLowerCase(java.util.Locale.ROOT), s), "two settings named " + s);
            assertFalse(s.meaning().isBlank() || s.meaning().contains("\n"), s + ": one line of meaning");
            assertTrue(s.defaultText() != null && s.example() != null, s + " needs a default text and an example");
        }
        assertEquals(AppSettings.names(), Setting.appSettings().stream().map(Setting::configName).toList());
        assertEquals(List.of("runDir", "maxPoolProcesses", "statusPath", "statusAllow", "statusPerProcessMetrics", "agentPort",
                        "agentBind"),
                Setting.engineSettings().stream().map(Setting::configName).toList());
        assertEquals(Setting.values().length, Setting.appSettings().size() + Setting.engineSettings().size());
        assertTrue(Arrays.stream(Setting.values()).allMatch(s -> Setting.byName(s.configName()).orElseThrow() == s));
    }

    @Test
    void didYouMeanFindsTyposSwapsCaseAndContainedNames() {
        List<String> names = AppSettings.names();
        assertEquals("maxProcesses", Suggestions.closest("maxProces", names).orElseThrow());
        assertEquals("maxProcesses", Suggestions.closest("maxProcess", names).orElseThrow());
        assertEquals("minProcesses", Suggestions.closest("minProcesess", names).orElseThrow());
        assertEquals("queueTimeout", Suggestions.closest("queuetimeout", names).orElseThrow());
        assertEquals("maxQueue", Suggestions.closest("maxQueueSize", names).orElseThrow());
        assertEquals("healthPath", Suggestions.closest("healtPath", names).orElseThrow());
        assertEquals("appRoot", Suggestions.closest("approot", names).orElseThrow());
        assertTrue(Suggestions.closest("workers", names).isEmpty());
        assertTrue(Suggestions.closest("x", names).isEmpty());
    }
}
