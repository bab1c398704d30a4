package dev.corral.testing.contract;

import dev.corral.pool.App;
import dev.corral.pool.AppStatus;
import dev.corral.testing.ContainerFixture;
import dev.corral.testing.LogCapture;
import dev.corral.testing.TestApps;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every contract class shares: a container of the adapter under test (chosen by the
 * {@link FixtureFactory} the concrete class implements) with the test apps installed in a fresh
 * directory, the engine's log lines captured, and an HTTP client. Each test starts the container
 * once with the apps it declares ({@link #start}, {@link #startReady}); after each test the
 * container stops, and no process the engine reported may outlive it.
 *
 * <p>The contract classes ({@link RoutingContract}, {@link QueueContract},
 * {@link StreamingContract}, {@link RecyclingContract}, {@link HealthContract},
 * {@link RestartContract}, {@link SpawnFailureContract}, {@link FaultContract},
 * {@link TimeoutsContract}, {@link ErrorPagesContract},
 * {@link ForwardingSafetyContract}) hold the
 * request-path contract of Corral, one capability each, and every adapter runs all of them, so
 * the adapters cannot drift apart. A behaviour added to the engine gets its test in the class
 * of its capability.
 *
 * <p>Real parts throughout: real Python and Node processes, real sockets, a real container.
 * Waits are on conditions with deadlines, never plain sleeps. One instance per test, used by
 * the test's thread (plus the HTTP client's own threads for the async requests).
 */
public abstract class ContractSupport implements FixtureFactory {
    /** The bound on any one wait for a condition, and on a synchronous request. */
    protected static final Duration DEADLINE = Duration.ofSeconds(20);
    /** The container's worker thread limit: far fewer threads than the tests have requests in flight. */
    protected static final int MAX_THREADS = 32;

    @TempDir
    protected Path tmp;
    protected Path appRoot;
    protected ContainerFixture container;
    protected URI base;
    protected LogCapture logs;
    protected HttpClient http;

    @BeforeEach
    void setUpApps() {
        appRoot = TestApps.install(tmp.resolve("app"));
        logs = new LogCapture();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stopContainer() throws Exception {
        Set<Long> pids = new HashSet<>();
        if (container != null && container.corral() != null) {
            container.corral().apps().forEach(app -> app.status().processList().forEach(p -> pids.add(p.pid())));
        }
        if (container != null) {
            container.close();
        }
        logs.close();
        // stopping the container stops every app process and its children
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "process " + pid + " still alive after the container stopped");
        }
    }

    // ------------------------------------------------------------------ declaring apps

    /** A WSGI app ({@code app.py}) served by the bundled loader. */
    protected AppSpec wsgi(String name) {
        return new AppSpec(TestApps.wsgi(name, appRoot));
    }

    /** A Node app ({@code app.js}) that listens on its own port, run by the bundled loader. */
    protected AppSpec node(String name) {
        return new AppSpec(TestApps.node(name, appRoot));
    }

    /** The generic threaded server ({@code threaded_server.py}), a command Corral runs as it is. */
    protected AppSpec threaded(String name) {
        return new AppSpec(TestApps.threaded(name, appRoot));
    }

    /** The generic server that wedges its listener on demand ({@code wedged_server.py}, see {@link TestApps#wedged}). */
    protected AppSpec wedged(String name) {
        return new AppSpec(TestApps.wedged(name, appRoot));
    }

    /** A fresh directory where the test apps record what they saw ({@code TESTAPP_STATE_DIR}). */
    protected Path stateDir() throws IOException {
        return Files.createDirectories(tmp.resolve("state"));
    }

    // ------------------------------------------------------------------ starting

    /** Starts a container of the adapter under test with these apps; returns its base URI. */
    protected URI start(AppSpec... apps) throws Exception {
        return startWithMaxPoolProcesses(null, apps);
    }

    /** Starts the container with an engine-wide {@code maxPoolProcesses} (null: not set). */
    protected URI startWithMaxPoolProcesses(String maxPoolProcesses, AppSpec... apps) throws Exception {
        container = newFixture();
        base = container.start(Arrays.stream(apps).map(AppSpec::settings).toList(), MAX_THREADS,
                maxPoolProcesses == null ? java.util.Map.of() : java.util.Map.of("maxPoolProcesses", maxPoolProcesses));
        return base;
    }

    /** Starts the container with this one app and waits until {@code ready} of its processes are ready. */
    /** Starts the container with these engine settings (statusPath, ...) and apps. */
    protected URI startWithEngineSettings(java.util.Map<String, String> engineSettings, AppSpec... apps) throws Exception {
        container = newFixture();
        base = container.start(Arrays.stream(apps).map(AppSpec::settings).toList(), MAX_THREADS, engineSettings);
        return base;
    }

    protected AppStatus startReady(int ready, AppSpec app) throws Exception {
        start(app);
        return awaitStatus(app.name(), s -> s.ready() == ready);
    }

    // ------------------------------------------------------------------ the engine

    protected App app(String name) {
        return container.corral().app(name).orElseThrow();
    }

    /** Polls the app's status until it meets the condition (within {@link #DEADLINE}), and returns that status. */
    protected AppStatus awaitStatus(String name, Predicate<AppStatus> condition) {
        return await().atMost(DEADLINE).pollInterval(Duration.ofMillis(10)).until(() -> app(name).status(), condition::test);
    }

    /** The pids of the app's processes as the engine reports them now. */
    protected Set<Long> pidsOf(String name) {
        Set<Long> pids = new HashSet<>();
        app(name).status().processList().forEach(p -> pids.add(p.pid()));
        return pids;
    }

    // ------------------------------------------------------------------ requests

    protected HttpResponse<String> get(String target) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(target)).timeout(DEADLINE).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** POST of {@code body} (text, with its Content-Length). */
    protected HttpResponse<String> post(String target, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(target)).timeout(DEADLINE)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    protected CompletableFuture<HttpResponse<String>> getAsync(String target) {
        return http.sendAsync(HttpRequest.newBuilder(base.resolve(target)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** GET with {@code cookie} (if not null) after an unrelated cookie of the client's own. */
    protected HttpResponse<String> getWithCookie(String target, String cookie) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(target)).timeout(DEADLINE);
        if (cookie != null) {
            request.header("Cookie", "theme=dark; " + cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET with {@code cookie} alone (if not null), sent without waiting. */
    protected CompletableFuture<HttpResponse<String>> getWithCookieAsync(String target, String cookie) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(target)).timeout(Duration.ofSeconds(60));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The sticky-session cookie the response sets ({@code corral_route=...}); fails if it sets none. */
    protected static String routeCookie(HttpResponse<?> response) {
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow(() -> new AssertionError("no Set-Cookie"));
        assertTrue(setCookie.startsWith("corral_route=") && setCookie.contains("Path=/") && setCookie.contains("HttpOnly"),
                setCookie);
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    /** The pid of the app process that answered (the test apps' {@code X-Pid} header). */
    protected static String pid(HttpResponse<?> response) {
        return response.headers().firstValue("X-Pid").orElseThrow();
    }
}
