package dev.corral.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.corral.config.ConfigException.Problem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AppSettingsTest {

    @TempDir
    Path appRoot;

    private final AppSettings settings = new AppSettings();

    @BeforeEach
    void validMinimum() {
        settings.setName("blog");
        settings.setAppRoot(appRoot.toString());
    }

    private String problemsOf(AppSettings s) {
        return assertThrows(ConfigException.class, s::toConfig).getMessage();
    }

    @Test
    void appliesEveryDefault() {
        AppConfig c = settings.toConfig();
        assertEquals("blog", c.name());
        assertEquals(appRoot.toAbsolutePath().normalize(), c.appRoot());
        assertEquals(AppType.WSGI, c.type());
        assertEquals(AppConfig.DEFAULT_WSGI_ENTRY_POINT, c.entryPoint());
        assertEquals(List.of(), c.command());
        assertEquals(Map.of(), c.env());
        assertEquals("/", c.pathPrefix());
        assertEquals(List.of(), c.virtualHosts());
        assertEquals(AppConfig.DEFAULT_MIN_PROCESSES, c.minProcesses());
        assertEquals(AppConfig.DEFAULT_MAX_PROCESSES, c.maxProcesses());
        assertEquals(AppConfig.DEFAULT_CONCURRENCY, c.concurrency());
        assertEquals(AppConfig.DEFAULT_MAX_QUEUE, c.maxQueue());
        assertEquals(Duration.ofSeconds(60), c.queueTimeout());
        assertEquals(Duration.ofSeconds(60), c.spawnTimeout());
        assertEquals(Duration.ofSeconds(30), c.shutdownTimeout());
        assertEquals(Listen.UNIX, c.listen());
        assertEquals(AppConfig.ofDefaults("blog", appRoot), c);
    }

    @Test
    void defaultEntryPointDependsOnType() {
        settings.setType("node");
        assertEquals("app.js", settings.toConfig().entryPoint());
        settings.setType("generic");
        settings.setCommand("./server");
        assertNull(settings.toConfig().entryPoint());
    }

    @Test
    void bindsEverySettingTrimmed() throws IOException {
        Path sub = Files.createDirectory(appRoot.resolve("site"));
        settings.setName(" blog.v2 ");
        settings.setAppRoot(sub + "/../site/");
        settings.setType(" NODE ");
        settings.setEntryPoint(" server/main.js ");
        settings.setCommand("node --max-old-space-size=512 'server/main.js'");
        settings.setEnv("NODE_ENV=production\n  GREETING=\"hello world\" EMPTY=");
        settings.setPathPrefix(" /blog/ ");
        settings.setVirtualHosts(" Example.com, *.Example.org  www.example.net ");
        settings.setMinProcesses(" 0 ");
        settings.setMaxProcesses("4");
        settings.setConcurrency("0");
        settings.setMaxQueue("1000000");
        settings.setQueueTimeout("250ms");
        settings.setSpawnTimeout("2m");
        settings.setShutdownTimeout("0");
        settings.setListen("tcp");

        AppConfig c = settings.toConfig();

        assertEquals("blog.v2", c.name());
        assertEquals(sub.toAbsolutePath().normalize(), c.appRoot());
        assertEquals(AppType.NODE, c.type());
        assertEquals("server/main.js", c.entryPoint());
        assertEquals(List.of("node", "--max-old-space-size=512", "server/main.js"), c.command());
        assertEquals(List.of("NODE_ENV", "GREETING", "EMPTY"), List.copyOf(c.env().keySet()));
        assertEquals("hello world", c.env().get("GREETING"));
        assertEquals("", c.env().get("EMPTY"));
        assertEquals("/blog", c.pathPrefix());
        assertEquals(List.of("example.com", "*.example.org", "www.example.net"), c.virtualHosts());
        assertEquals(0, c.minProcesses());
        assertEquals(4, c.maxProcesses());
        assertEquals(0, c.concurrency());
        assertEquals(1_000_000, c.maxQueue());
        assertEquals(Duration.ofMillis(250), c.queueTimeout());
        assertEquals(Duration.ofMinutes(2), c.spawnTimeout());
        assertEquals(Duration.ZERO, c.shutdownTimeout());
        assertEquals(Listen.TCP, c.listen());
    }

    @ParameterizedTest
    @CsvSource({"250ms, PT0.25S", "30s, PT30S", "5m, PT5M", "1h, PT1H", "45, PT45S"})
    void acceptsDurationsInEachUnit(String value, String iso) {
        settings.setQueueTimeout(value);
        assertEquals(Duration.parse(iso), settings.toConfig().queueTimeout());
    }

    @ParameterizedTest(name = "{0}=[{1}]")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "name            | my app       | 'name' must be a name of letters, digits, '.', '_' and '-', but was [my app]",
            "name            | a/b          | 'name' must be a name of letters, digits, '.', '_' and '-', but was [a/b]",
            "type            | rack         | 'type' must be one of wsgi, node, generic, but was [rack]",
            "entryPoint      | app          | 'entryPoint' must be a WSGI entry point module:callable, such as app:application, but was [app]",
            "entryPoint      | 1app:run     | 'entryPoint' must be a WSGI entry point module:callable, such as app:application, but was [1app:run]",
            "entryPoint      | app:         | 'entryPoint' must be a WSGI entry point module:callable, such as app:application, but was [app:]",
            "command         | echo 'oops   | 'command' must be a command line with closed quotes (unterminated ' quote opened at column 6 in [echo 'oops]), but was [echo 'oops]",
            "env             | A=1 B        | 'env' must be NAME=value pairs separated by whitespace, NAME matching [A-Za-z_][A-Za-z0-9_]*, but was [B]",
            "env             | 1A=x         | 'env' must be NAME=value pairs separated by whitespace, NAME matching [A-Za-z_][A-Za-z0-9_]*, but was [1A=x]",
            "env             | =x           | 'env' must be NAME=value pairs separated by whitespace, NAME matching [A-Za-z_][A-Za-z0-9_]*, but was [=x]",
            "env             | PORT=8080    | 'env' must be free of CORRAL_SOCKET, CORRAL_APP and PORT (set by Corral), but was [PORT=8080]",
            "env             | CORRAL_APP=x | 'env' must be free of CORRAL_SOCKET, CORRAL_APP and PORT (set by Corral), but was [CORRAL_APP=x]",
            "env             | CORRAL_SOCKET=/s | 'env' must be free of CORRAL_SOCKET, CORRAL_APP and PORT (set by Corral), but was [CORRAL_SOCKET=/s]",
            "env             | A=1 A=2      | 'env' must be NAME=value pairs naming each NAME at most once, but was [A=2]",
            "env             | A=\"x        | 'env' must be a command line with closed quotes (unterminated \" quote opened at column 3 in [A=\"x]), but was [A=\"x]",
            "pathPrefix      | blog         | 'pathPrefix' must be a path starting with '/' without whitespace, '?' or '#', but was [blog]",
            "pathPrefix      | /my blog     | 'pathPrefix' must be a path starting with '/' without whitespace, '?' or '#', but was [/my blog]",
            "pathPrefix      | /blog?x      | 'pathPrefix' must be a path starting with '/' without whitespace, '?' or '#', but was [/blog?x]",
            "pathPrefix      | /blog#top    | 'pathPrefix' must be a path starting with '/' without whitespace, '?' or '#', but was [/blog#top]",
            "staticDir       | no-such-dir  | 'staticDir' must be none, or an existing directory (absolute, or relative to appRoot), but was [no-such-dir]",
            "virtualHosts    | ok.com bad_host | 'virtualHosts' must be host names such as example.com or *.example.com, separated by commas or spaces, but was [bad_host]",
            "virtualHosts    | a.*.com      | 'virtualHosts' must be host names such as example.com or *.example.com, separated by commas or spaces, but was [a.*.com]",
            "minProcesses    | -1           | 'minProcesses' must be an integer 0..6 (at most maxProcesses), but was [-1]",
            "minProcesses    | 7            | 'minProcesses' must be an integer 0..6 (at most maxProcesses), but was [7]",
            "minProcesses    | one          | 'minProcesses' must be an integer 0..6 (at most maxProcesses), but was [one]",
            "maxProcesses    | four         | 'maxProcesses' must be an integer 1..1024, but was [four]",
            "maxProcesses    | 0            | 'maxProcesses' must be an integer 1..1024, but was [0]",
            "maxProcesses    | 1025         | 'maxProcesses' must be an integer 1..1024, but was [1025]",
            "maxProcesses    | 4.0          | 'maxProcesses' must be an integer 1..1024, but was [4.0]",
            "maxProcesses    | 99999999999  | 'maxProcesses' must be an integer 1..1024, but was [99999999999]",
            "concurrency     | -1           | 'concurrency' must be an integer 0..10000 (0 = unlimited), but was [-1]",
            "concurrency     | 10001        | 'concurrency' must be an integer 0..10000 (0 = unlimited), but was [10001]",
            "maxQueue        | -5           | 'maxQueue' must be an integer 0..1000000, but was [-5]",
            "maxQueue        | 1000001      | 'maxQueue' must be an integer 0..1000000, but was [1000001]",
            "maxQueue        | \"\"           | 'maxQueue' must be an integer 0..1000000, but was []",
            "queueTimeout    | 0            | 'queueTimeout' must be a duration > 0, such as 250ms, 30s, 5m or 1h, but was [0]",
            "queueTimeout    | soon         | 'queueTimeout' must be a duration such as 250ms, 30s, 5m or 1h (a bare number is seconds), but was [soon]",
            "spawnTimeout    | 0ms          | 'spawnTimeout' must be a duration > 0, such as 250ms, 30s, 5m or 1h, but was [0ms]",
            "spawnTimeout    | -1s          | 'spawnTimeout' must be a duration such as 250ms, 30s, 5m or 1h (a bare number is seconds), but was [-1s]",
            "shutdownTimeout | 1d           | 'shutdownTimeout' must be a duration such as 250ms, 30s, 5m or 1h (a bare number is seconds), but was [1d]",
            "listen          | udp          | 'listen' must be one of unix, tcp, but was [udp]",
    })
    void rejectsBadValueNamingSettingValueAndAllowed(String setting, String value, String message) {
        settings.set(setting, value);
        assertEquals(message, problemsOf(settings));
    }

    @Test
    void staticDirIsPublicWhenItExistsElseOffAndNoneTurnsItOff() throws IOException {
        assertNull(settings.toConfig().staticDir(), "no public/: no static files, and no error");
        Path real = Files.createDirectories(appRoot.resolve("public")).toRealPath();
        assertEquals(real, settings.toConfig().staticDir());
        settings.setStaticDir("none");
        assertNull(settings.toConfig().staticDir());
        assertNull(settings.toConfig().with(Map.of("maxQueue", "5")).staticDir(), "none holds across a change");
        Path assets = Files.createDirectories(appRoot.resolve("assets")).toRealPath();
        settings.setStaticDir("assets");
        assertEquals(assets, settings.toConfig().staticDir());
        settings.setStaticDir(assets.toString());
        assertEquals(assets, settings.toConfig().staticDir());
        Path link = Files.createSymbolicLink(appRoot.resolve("current"), assets);
        settings.setStaticDir(link.toString());
        assertEquals(assets, settings.toConfig().staticDir(), "the directory's real path");
    }

    @Test
    void rejectsBadNodeEntryPoint() {
        settings.setType("node");
        settings.setEntryPoint("/usr/lib/app.js");
        assertEquals("'entryPoint' must be a script path relative to appRoot, such as app.js, but was [/usr/lib/app.js]",
                problemsOf(settings));
    }

    @Test
    void acceptsDottedWsgiEntryPoint() {
        settings.setEntryPoint("pkg.web.app:make.app");
        assertEquals("pkg.web.app:make.app", settings.toConfig().entryPoint());
    }

    @Test
    void genericTypeRequiresCommand() {
        settings.setType("generic");
        assertEquals("'command' is required: a command line such as python3 server.py (required when type is generic)",
                problemsOf(settings));
        settings.setCommand("  ");
        assertEquals("'command' must be a command line such as python3 server.py (required when type is generic),"
                + " but was []", problemsOf(settings));
    }

    @Test
    void commandIsParsedForOtherTypesToo() {
        settings.setCommand("python3 -X dev");
        assertEquals(List.of("python3", "-X", "dev"), settings.toConfig().command());
    }

    @Test
    void requiresNameAndAppRoot() {
        AppSettings empty = new AppSettings();
        assertEquals("'name' is required: a name of letters, digits, '.', '_' and '-'\n"
                + "'appRoot' is required: an existing directory", problemsOf(empty));
    }

    @Test
    void appRootMustBeAnExistingDirectory() throws IOException {
        Path file = Files.createFile(appRoot.resolve("app.py"));
        settings.setAppRoot(file.toString());
        assertEquals("'appRoot' must be an existing directory, but was [" + file + "]", problemsOf(settings));
        Path missing = appRoot.resolve("missing");
        settings.setAppRoot(missing.toString());
        assertEquals("'appRoot' must be an existing directory, but was [" + missing + "]", problemsOf(settings));
        settings.setAppRoot("");
        assertEquals("'appRoot' must be an existing directory, but was []", problemsOf(settings));
    }

    @Test
    void reportsEveryProblemAtOnceInDocumentedOrder() {
        settings.setName("my app");
        settings.setListen("udp");
        settings.setMaxQueue("-5");
        settings.setType("rack");
        settings.setQueueTimeout("soon");
        settings.setMaxProcesses("four");

        ConfigException e = assertThrows(ConfigException.class, settings::toConfig);

        assertEquals(List.of("name", "type", "maxProcesses", "maxQueue", "queueTimeout", "listen"),
                e.problems().stream().map(Problem::setting).toList());
        assertEquals(String.join("\n",
                "'name' must be a name of letters, digits, '.', '_' and '-', but was [my app]",
                "'type' must be one of wsgi, node, generic, but was [rack]",
                "'maxProcesses' must be an integer 1..1024, but was [four]",
                "'maxQueue' must be an integer 0..1000000, but was [-5]",
                "'queueTimeout' must be a duration such as 250ms, 30s, 5m or 1h (a bare number is seconds),"
                        + " but was [soon]",
                "'listen' must be one of unix, tcp, but was [udp]"), e.getMessage());
        assertEquals("'corral.maxQueue' must be an integer 0..1000000, but was [-5]",
                e.problems().get(3).render(n -> "corral." + n));
    }

    @Test
    void minProcessesIsCheckedAgainstValidMaxProcesses() {
        settings.setMaxProcesses("2");
        settings.setMinProcesses("3");
        assertEquals("'minProcesses' must be an integer 0..2 (at most maxProcesses), but was [3]", problemsOf(settings));
        settings.setMinProcesses("2");
        assertEquals(2, settings.toConfig().minProcesses());
    }

    @Test
    void minProcessesFallsBackToTheLimitWhenMaxProcessesIsInvalid() {
        settings.setMaxProcesses("2000");
        settings.setMinProcesses("10");
        assertEquals("'maxProcesses' must be an integer 1..1024, but was [2000]", problemsOf(settings));
        settings.setMinProcesses("1025");
        assertEquals("'minProcesses' must be an integer 0..1024 (at most maxProcesses), but was [1025]\n"
                + "'maxProcesses' must be an integer 1..1024, but was [2000]", problemsOf(settings));
    }

    @Test
    void typeAndListenIgnoreCase() {
        settings.setType("WSGI");
        settings.setListen("Tcp");
        assertEquals(AppType.WSGI, settings.toConfig().type());
        assertEquals(Listen.TCP, settings.toConfig().listen());
    }

    @Test
    void unknownSettingIsRejectedNamingTheSettingItMostLikelyMeans() {
        ConfigException e = assertThrows(ConfigException.class, () -> settings.set("maxQueueSize", "5"));
        assertEquals(List.of(Problem.unknown("maxQueueSize", "5", "an app setting", AppSettings.names())), e.problems());
        assertEquals("'maxQueueSize' is not an app setting; did you mean 'maxQueue'? (set to [5])", e.getMessage());
        assertEquals("'corral.app.maxProces' is not an app setting; did you mean 'corral.app.maxProcesses'? (set to [4])",
                assertThrows(ConfigException.class, () -> settings.set("maxProces", "4")).render(n -> "corral.app." + n));
        assertEquals("'MAXQUEUE' is not an app setting; did you mean 'maxQueue'? (set to [5])",
                assertThrows(ConfigException.class, () -> settings.set("MAXQUEUE", "5")).getMessage());
        assertEquals("'sizeOfTheQueue' is not an app setting; it is one of: name, appRoot, type, entryPoint, command, env, "
                + "envDrop, user, group, allowRoot, pathPrefix, virtualHosts, staticDir, minProcesses, maxProcesses, concurrency, maxQueue, queueTimeout, spawnTimeout, "
                + "shutdownTimeout, listen, idleTimeout, maxRequests, maxMemory, maxRequestTime, connectTimeout, "
                + "responseTimeout, upgradeIdleTimeout, "
                + "healthPath, healthInterval, healthFastInterval, healthDownInterval, healthRise, healthFall, "
                + "healthTimeout, errorLimit, retries, slowStart, stickySessions, stickyCookie, prefetch, detailedErrors, "
                + "errorPages, responseBufferSize, "
                + "responseBufferMax, bufferRequestBody, maxRequestBody, clientBodyTimeout, bufferDir, faults, faultSeed "
                + "(set to [5])",
                assertThrows(ConfigException.class, () -> settings.set("sizeOfTheQueue", "5")).getMessage());
        // an engine setting is no app setting
        assertThrows(ConfigException.class, () -> settings.set("maxPoolProcesses", "5"));
        assertThrows(IllegalArgumentException.class, () -> settings.get("maxQueueSize"));
    }

    @Test
    void aGenericCommandMayUseOnlyVariablesItsProcessGets() {
        settings.setType("generic");
        settings.setCommand("gunicorn --bind 127.0.0.1:$PORT app:app");
        assertEquals("'command' must be a command line for listen=unix, which sets $CORRAL_SOCKET: $PORT is set only "
                + "with listen=tcp, but was [gunicorn --bind 127.0.0.1:$PORT app:app]", problemsOf(settings));
        settings.setListen("tcp");
        assertEquals(List.of("gunicorn", "--bind", "127.0.0.1:${PORT}", "app:app"), settings.toConfig().command());
        settings.setCommand("server --socket=$CORRAL_SOCKET");
        assertEquals("'command' must be a command line for listen=tcp, which sets $PORT: $CORRAL_SOCKET is set only "
                + "with listen=unix, but was [server --socket=$CORRAL_SOCKET]", problemsOf(settings));
        settings.setListen("unix");
        settings.setCommand("server --socket=$CORRAL_SOCK");
        String message = problemsOf(settings);
        assertTrue(message.startsWith("'command' must be a command line whose variables are set for its process "
                + "($CORRAL_SOCKET, $CORRAL_APP, $CORRAL_PROCESS_NUMBER, $CORRAL_SCRIPT_NAME, the env setting's and the "
                + "container's environment): $CORRAL_SOCK is none of them (did you mean $CORRAL_SOCKET?), but was ["), message);
        // the app's env, the container's environment (PATH), Corral's own, and quoted or escaped dollars
        settings.setEnv("WORKERS=3");
        settings.setCommand("srv -w $WORKERS --path \"$PATH\" --app=${CORRAL_APP} --n $CORRAL_PROCESS_NUMBER '$NOPE' \\$NOPE");
        assertEquals(List.of("srv", "-w", "${WORKERS}", "--path", "${PATH}", "--app=${CORRAL_APP}", "--n",
                "${CORRAL_PROCESS_NUMBER}", "$$NOPE", "$$NOPE"), settings.toConfig().command());
        settings.setCommand("srv ${not a name}");
        assertTrue(problemsOf(settings).startsWith("'command' must be a command line with well-formed ${NAME} references"),
                problemsOf(settings));
        // other types do not run command
        settings.setType("wsgi");
        settings.setCommand("srv $PORT");
        assertEquals(List.of("srv", "${PORT}"), settings.toConfig().command());
    }

    @Test
    void responseBuffersTakeSizesAndTheMemoryPartMayNotExceedTheWhole() {
        assertEquals(new BufferConfig(128 << 10, 128 << 20), settings.toConfig().buffers());
        settings.setResponseBufferSize("1MB");
        settings.setResponseBufferMax("0");
        assertEquals(new BufferConfig(1 << 20, 0), settings.toConfig().buffers(), "0 = off, whatever the memory part");
        settings.setResponseBufferMax("512KB");
        assertEquals("'responseBufferSize' must be a size such as 128KB or 1MB (0 = none in memory), at most"
                + " responseBufferMax [512KB], but was [1MB]", problemsOf(settings));
        settings.setResponseBufferSize(null);
        settings.setResponseBufferMax("lots");
        assertEquals("'responseBufferMax' must be a size such as 512MB or 2GB (0 = off), but was [lots]", problemsOf(settings));
        settings.setResponseBufferMax(null);
        settings.setMaxRequestBody("huge");
        settings.setBufferRequestBody("maybe");
        settings.setClientBodyTimeout("0");
        String problems = problemsOf(settings);
        assertTrue(problems.contains("'bufferRequestBody' must be true or false, but was [maybe]"), problems);
        assertTrue(problems.contains("'maxRequestBody' must be a size such as 512MB or 2GB (0 = no limit), but was [huge]"),
                problems);
        assertTrue(problems.contains("'clientBodyTimeout' must be a duration > 0"), problems);
        settings.setMaxRequestBody("0");
        settings.setBufferRequestBody("false");
        settings.setClientBodyTimeout("5s");
        assertEquals(new BufferConfig(128 << 10, 128 << 20, false, 0, Duration.ofSeconds(5), null), settings.toConfig().buffers());
        Path made = appRoot.resolve("buffers-here");
        settings.setBufferDir(made.toString());
        assertEquals(made, settings.toConfig().buffers().bufferDir());
        assertTrue(java.nio.file.Files.isDirectory(made), "made when missing");
    }

    @Test
    void aBufferDirThatCannotBeMadeFailsStartUpNamingIt() throws Exception {
        Path file = java.nio.file.Files.writeString(appRoot.resolve("a-file"), "x");
        settings.setBufferDir(file + "/buffers");
        assertEquals("'bufferDir' must be a directory path (made if missing) that Corral can write, but was ["
                + file + "/buffers]", problemsOf(settings));
    }

    @Test
    void namesAreInDocumentedOrder() {
        assertEquals(List.of("name", "appRoot", "type", "entryPoint", "command", "env",
                "envDrop", "user", "group", "allowRoot", "pathPrefix", "virtualHosts",
                "staticDir", "minProcesses", "maxProcesses", "concurrency", "maxQueue", "queueTimeout", "spawnTimeout",
                "shutdownTimeout", "listen", "idleTimeout", "maxRequests", "maxMemory", "maxRequestTime",
                "connectTimeout", "responseTimeout", "upgradeIdleTimeout", "healthPath", "healthInterval", "healthFastInterval", "healthDownInterval",
                "healthRise", "healthFall", "healthTimeout", "errorLimit", "retries", "slowStart", "stickySessions",
                "stickyCookie", "prefetch", "detailedErrors", "errorPages",
                "responseBufferSize", "responseBufferMax", "bufferRequestBody", "maxRequestBody", "clientBodyTimeout",
                "bufferDir", "faults", "faultSeed"),
                AppSettings.names());
    }

    @Test
    void setByNameAndTypedSettersShareRawValues() {
        settings.set("maxProcesses", " 4 ");
        assertEquals(" 4 ", settings.getMaxProcesses());
        settings.setQueueTimeout("5m");
        assertEquals("5m", settings.get("queueTimeout"));
        settings.set("queueTimeout", null);
        assertNull(settings.getQueueTimeout());
        assertEquals(Duration.ofSeconds(60), settings.toConfig().queueTimeout());
    }

    @Test
    void everyNameHasAStringSetterAndGetter() {
        AppSettings s = new AppSettings();
        s.setName("1"); s.setAppRoot("2"); s.setType("3"); s.setEntryPoint("4"); s.setCommand("5"); s.setEnv("6");
        s.setEnvDrop("6a"); s.setUser("6b"); s.setGroup("6c"); s.setAllowRoot("6d");
        s.setPathPrefix("7"); s.setVirtualHosts("8"); s.setStaticDir("8s"); s.setMinProcesses("9"); s.setMaxProcesses("10");
        s.setConcurrency("11"); s.setMaxQueue("12"); s.setQueueTimeout("13"); s.setSpawnTimeout("14");
        s.setShutdownTimeout("15"); s.setListen("16"); s.setIdleTimeout("17"); s.setMaxRequests("18");
        s.setMaxMemory("19"); s.setMaxRequestTime("20"); s.setConnectTimeout("20a"); s.setResponseTimeout("20b");
        s.setUpgradeIdleTimeout("21"); s.setHealthPath("22");
        s.setHealthInterval("23"); s.setHealthFastInterval("24"); s.setHealthDownInterval("25"); s.setHealthRise("26");
        s.setHealthFall("27"); s.setHealthTimeout("28"); s.setErrorLimit("29"); s.setRetries("30");
        s.setSlowStart("31"); s.setStickySessions("32"); s.setStickyCookie("33"); s.setPrefetch("33p");
        s.setDetailedErrors("33a");
        s.setErrorPages("33b"); s.setResponseBufferSize("34");
        s.setResponseBufferMax("35"); s.setBufferRequestBody("36"); s.setMaxRequestBody("37");
        s.setClientBodyTimeout("38"); s.setBufferDir("39"); s.setFaults("40"); s.setFaultSeed("41");
        List<String> viaGetters = List.of(s.getName(), s.getAppRoot(), s.getType(), s.getEntryPoint(), s.getCommand(),
                s.getEnv(), s.getEnvDrop(), s.getUser(), s.getGroup(), s.getAllowRoot(), s.getPathPrefix(), s.getVirtualHosts(),
                s.getStaticDir(), s.getMinProcesses(), s.getMaxProcesses(),
                s.getConcurrency(), s.getMaxQueue(), s.getQueueTimeout(), s.getSpawnTimeout(),
                s.getShutdownTimeout(), s.getListen(), s.getIdleTimeout(), s.getMaxRequests(), s.getMaxMemory(),
                s.getMaxRequestTime(), s.getConnectTimeout(), s.getResponseTimeout(), s.getUpgradeIdleTimeout(),
                s.getHealthPath(), s.getHealthInterval(),
                s.getHealthFastInterval(), s.getHealthDownInterval(), s.getHealthRise(), s.getHealthFall(),
                s.getHealthTimeout(), s.getErrorLimit(),
                s.getRetries(), s.getSlowStart(), s.getStickySessions(), s.getStickyCookie(), s.getPrefetch(), s.getDetailedErrors(),
                s.getErrorPages(),
                s.getResponseBufferSize(), s.getResponseBufferMax(), s.getBufferRequestBody(), s.getMaxRequestBody(),
                s.getClientBodyTimeout(), s.getBufferDir(), s.getFaults(), s.getFaultSeed());
        List<String> viaNames = AppSettings.names().stream().map(s::get).toList();
        assertEquals(List.of("1", "2", "3", "4", "5", "6", "6a", "6b", "6c", "6d", "7", "8", "8s", "9", "10", "11", "12", "13", "14", "15", "16",
                "17", "18", "19", "20", "20a", "20b", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31",
                "32", "33", "33p", "33a", "33b", "34",
                "35", "36", "37", "38", "39", "40", "41"), viaNames);
        assertEquals(viaNames, viaGetters);
    }

    @Test
    void toStringListsRawSettingsThatAreSet() {
        AppSettings s = new AppSettings();
        s.setMaxProcesses("four");
        s.setName("blog");
        assertEquals("AppSettings[name=blog, maxProcesses=four]", s.toString());
    }

    @Test
    void recyclingLimitsDefaultToFiveMinutesIdleAndOtherwiseOff() {
        RecycleConfig recycle = settings.toConfig().recycle();
        assertEquals(Duration.ofMinutes(5), recycle.idleTimeout());
        assertEquals(0, recycle.maxRequests());
        assertEquals(0, recycle.maxMemoryBytes());
        assertEquals(Duration.ZERO, recycle.maxRequestTime());
    }

    @Test
    void recyclingLimitsParseUnits() {
        settings.setIdleTimeout("90s");
        settings.setMaxRequests("1000");
        settings.setMaxMemory("512MB");
        settings.setMaxRequestTime("2m");
        RecycleConfig recycle = settings.toConfig().recycle();
        assertEquals(Duration.ofSeconds(90), recycle.idleTimeout());
        assertEquals(1000, recycle.maxRequests());
        assertEquals(512L << 20, recycle.maxMemoryBytes());
        assertEquals(Duration.ofMinutes(2), recycle.maxRequestTime());
        settings.setMaxMemory("2GiB");
        assertEquals(2L << 30, settings.toConfig().recycle().maxMemoryBytes());
    }

    @Test
    void badRecyclingLimitsAreReportedTogether() {
        settings.setIdleTimeout("-1s");
        settings.setMaxRequests("-3");
        settings.setMaxMemory("512");
        settings.setMaxRequestTime("forever");
        ConfigException e = assertThrows(ConfigException.class, settings::toConfig);
        String message = e.getMessage();
        assertTrue(message.contains("'idleTimeout'") && message.contains("[-1s]"), message);
        assertTrue(message.contains("'maxRequests' must be an integer 0..2147483647 (0 = off), but was [-3]"), message);
        assertTrue(message.contains("'maxMemory' must be a size such as 512MB or 2GB (0 = off), but was [512]"), message);
        assertTrue(message.contains("'maxRequestTime'") && message.contains("[forever]"), message);
    }

    @Test
    void connectAndResponseTimeoutsHaveDefaultsAndAreChecked() {
        assertEquals(Duration.ofSeconds(5), settings.toConfig().timeouts().connectTimeout());
        assertEquals(Duration.ofSeconds(60), settings.toConfig().timeouts().responseTimeout());
        settings.setConnectTimeout("250ms");
        settings.setResponseTimeout("0");
        assertEquals(Duration.ofMillis(250), settings.toConfig().timeouts().connectTimeout());
        assertEquals(Duration.ZERO, settings.toConfig().timeouts().responseTimeout(), "0 = off");
        settings.setConnectTimeout("0");
        settings.setResponseTimeout("-1s");
        String message = assertThrows(ConfigException.class, settings::toConfig).getMessage();
        assertTrue(message.contains("'connectTimeout' must be a duration > 0, such as 250ms, 5s or 1m, but was [0]"),
                message);
        assertTrue(message.contains("'responseTimeout'") && message.contains("[-1s]"), message);
    }

    @Test
    void detailedErrorsIsFalseByDefaultAndMustBeABoolean() {
        assertEquals(false, settings.toConfig().errorPages().detailedErrors());
        settings.setDetailedErrors("true");
        assertEquals(true, settings.toConfig().errorPages().detailedErrors());
        settings.setDetailedErrors("yes");
        assertEquals("'detailedErrors' must be true or false, but was [yes]", problemsOf(settings));
    }

    @Test
    void errorPagesAreReadAtStartWithTheirStatuses() throws IOException {
        Files.writeString(appRoot.resolve("503.html"), "<p>busy: {{requestId}}</p>");
        Path absolute = Files.writeString(appRoot.resolve("502 page.html"), "<p>{{status}} {{reason}}</p>");
        settings.setErrorPages("503=503.html '502=" + absolute + "'");
        var pages = settings.toConfig().errorPages();
        assertEquals("<p>busy: a&lt;b&gt;&amp;&quot;</p>", pages.page(503).render(503, "queue_full", "a<b>&\""));
        assertEquals("<p>502 connect_failed</p>", pages.page(502).render(502, "connect_failed", "x"));
        assertNull(pages.page(504));
        assertEquals(pages, settings.toConfig().with(Map.of()).errorPages(), "the setting text binds again");
    }

    @Test
    void aMissingOrWrongErrorPageFailsTheStartNamingIt() throws IOException {
        Files.writeString(appRoot.resolve("big.html"), "x".repeat(70_000));
        settings.setErrorPages("503=missing.html 200=ok.html 502 504=big.html");
        String message = assertThrows(ConfigException.class, settings::toConfig).getMessage();
        assertTrue(message.contains("'errorPages' must be status=path pairs, each path a readable UTF-8 file of at most"
                + " 64KB (" + appRoot.toAbsolutePath().normalize().resolve("missing.html") + " is no file), but was"
                + " [503=missing.html]"), message);
        assertTrue(message.contains("'errorPages' must be status=path pairs separated by whitespace, each status one of"
                + " 408, 413, 500, 502, 503, 504 at most once, each path a readable UTF-8 file of at most 64KB, but was"
                + " [200=ok.html]"), message);
        assertTrue(message.contains("but was [502]"), message);
        assertTrue(message.contains("is larger), but was [504=big.html]"), message);
    }

    @Test
    void upgradeIdleTimeoutDefaultsToTenMinutesAndIsChecked() {
        assertEquals(Duration.ofMinutes(10), settings.toConfig().upgradeIdleTimeout());
        settings.setUpgradeIdleTimeout("90s");
        assertEquals(Duration.ofSeconds(90), settings.toConfig().upgradeIdleTimeout());
        settings.setUpgradeIdleTimeout("0");
        assertEquals(Duration.ZERO, settings.toConfig().upgradeIdleTimeout(), "0 = never");
        settings.setUpgradeIdleTimeout("-1s");
        String message = assertThrows(ConfigException.class, settings::toConfig).getMessage();
        assertTrue(message.contains("'upgradeIdleTimeout'") && message.contains("[-1s]"), message);
    }

    @Test
    void healthSettingsHaveHAProxysDefaultsAndAreChecked() {
        HealthConfig health = settings.toConfig().health();
        assertEquals(HealthConfig.ofDefaults(), health);
        assertNull(health.healthPath());
        settings.setHealthPath("status");
        settings.setHealthRise("0");
        settings.setHealthInterval("0");
        settings.setRetries("-1");
        settings.setStickySessions("yes");
        settings.setStickyCookie("a b");
        String message = assertThrows(ConfigException.class, settings::toConfig).getMessage();
        assertTrue(message.contains("'healthPath' must be a path starting with '/'"), message);
        assertTrue(message.contains("'healthRise' must be an integer 1..100, but was [0]"), message);
        assertTrue(message.contains("'healthInterval'") && message.contains("[0]"), message);
        assertTrue(message.contains("'retries' must be an integer 0..100, but was [-1]"), message);
        assertTrue(message.contains("'stickySessions' must be true or false, but was [yes]"), message);
        assertTrue(message.contains("'stickyCookie'") && message.contains("[a b]"), message);
    }

    @Test
    void prefetchIsADurationThatNeedsABoundedConcurrency() {
        settings.setPrefetch("20ms");
        assertEquals(java.time.Duration.ofMillis(20), settings.toConfig().routing().prefetch());
        settings.setPrefetch("soon");
        String message = assertThrows(ConfigException.class, settings::toConfig).getMessage();
        assertTrue(message.contains("'prefetch'") && message.contains("[soon]"), message);
        settings.setPrefetch("-5ms");
        message = assertThrows(ConfigException.class, settings::toConfig).getMessage();
        assertTrue(message.contains("'prefetch'") && message.contains("[-5ms]"), message);
        settings.setPrefetch("20ms");
        settings.setConcurrency("0");
        message = assertThrows(ConfigException.class, settings::toConfig).getMessage();
        assertTrue(message.contains("'prefetch'") && message.contains("[20ms]") && message.contains("concurrency=0"), message);
        settings.setPrefetch("0");
        assertEquals(java.time.Duration.ZERO, settings.toConfig().routing().prefetch(), "off goes with any concurrency");
    }

    @Test
    void aConfigsSettingsBindToTheSameConfigAgain() {
        settings.setType("generic");
        settings.setCommand("python3 -m 'my server' --port=$PORT --price='$5' \"--id=${CORRAL_APP}-\\$x\"");
        settings.setListen("tcp");
        settings.setEnv("A=1 B='two words'");
        settings.setPathPrefix("/blog/");
        settings.setVirtualHosts("blog.example, *.blog.example");
        settings.setMaxMemory("3GB");
        settings.setMaxRequestTime("1500ms");
        settings.setHealthPath("/up");
        settings.setSlowStart("2m");
        settings.setPrefetch("20ms");
        settings.setStickySessions("true");
        settings.setFaults("connect:0.25,latency:0.5@200ms");
        settings.setFaultSeed("99");
        AppConfig config = settings.toConfig();
        AppSettings again = new AppSettings();
        config.settings().forEach(again::set);
        assertEquals(config, again.toConfig());
        assertEquals(config, config.with(java.util.Map.of()));
    }

    @Test
    void withChangesOneSettingAndChecksItByTheStartUpRules() {
        AppConfig config = settings.toConfig();
        AppConfig changed = config.with(java.util.Map.of("maxQueue", "7", "queueTimeout", "5s"));
        assertEquals(7, changed.maxQueue());
        assertEquals(java.time.Duration.ofSeconds(5), changed.queueTimeout());
        assertEquals(config.maxProcesses(), changed.maxProcesses());
        ConfigException e = assertThrows(ConfigException.class, () -> config.with(java.util.Map.of("maxQueue", "lots")));
        assertEquals("'maxQueue' must be an integer 0..1000000, but was [lots]", e.getMessage());
    }

    @Test
    void envDropTakesNamesAndPrefixPatternsAndTheUserSettingsAreCheckedForForm() {
        settings.setEnvDrop(" AWS_*, DB_PASSWORD  HOME ");
        settings.setUser("www-data");
        settings.setGroup("33");
        settings.setAllowRoot("TRUE");
        IsolationConfig isolation = settings.toConfig().isolation();
        assertEquals(new IsolationConfig(List.of("AWS_*", "DB_PASSWORD", "HOME"), "www-data", "33", true), isolation);
        assertTrue(isolation.drops("AWS_SECRET_ACCESS_KEY") && isolation.drops("HOME") && !isolation.drops("HOMEPAGE")
                && !isolation.drops("DB_PASSWORD_FILE"));
        assertEquals("AWS_*,DB_PASSWORD,HOME", settings.toConfig().settings().get("envDrop"));
        AppSettings plain = new AppSettings();
        plain.setName("blog");
        plain.setAppRoot(appRoot.toString());
        assertEquals(IsolationConfig.ofDefaults(), plain.toConfig().isolation());

        settings.setEnvDrop("AWS-KEY,2FA*,A*B");
        settings.setUser("www data");
        settings.setGroup("-wheel");
        settings.setAllowRoot("yes");
        assertEquals("'envDrop' must be names or PREFIX* patterns separated by commas or spaces, each NAME matching"
                + " [A-Za-z_][A-Za-z0-9_]*, but was [AWS-KEY]\n"
                + "'envDrop' must be names or PREFIX* patterns separated by commas or spaces, each NAME matching"
                + " [A-Za-z_][A-Za-z0-9_]*, but was [2FA*]\n"
                + "'envDrop' must be names or PREFIX* patterns separated by commas or spaces, each NAME matching"
                + " [A-Za-z_][A-Za-z0-9_]*, but was [A*B]\n"
                + "'user' must be a user name or uid known to the system, but was [www data]\n"
                + "'group' must be a group name or gid known to the system, but was [-wheel]\n"
                + "'allowRoot' must be true or false, but was [yes]", problemsOf(settings));
    }

    @Test
    void aCommandVariableThatEnvDropDropsFailsTheStart() {
        settings.setType("generic");
        settings.setCommand("server --home $HOME");
        settings.setEnvDrop("HOME");
        assertTrue(problemsOf(settings).startsWith("'command' must "), () -> problemsOf(settings));
        settings.setEnv("HOME=/srv/home");
        assertEquals(java.util.Map.of("HOME", "/srv/home"), settings.toConfig().env(), "env sets it again");
    }
}
