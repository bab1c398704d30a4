package dev.corral.it;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.fail;

/** What the integration tests share: locations passed in by Failsafe, ports, HTTP, waiting. */
final class It {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private It() {
    }

    /** A path given by a Failsafe system property (see it-tests/pom.xml), which must exist. */
    static Path location(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            fail("System property " + property + " is not set: run the ITs through Maven (mvn verify -pl it-tests), "
                    + "whose Failsafe configuration sets it");
        }
        Path path = Path.of(value).toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            fail(property + " points to " + path + ", which does not exist (build the modules first: "
                    + "mvn -B install -DskipTests -pl module-api,jetty-connector,tomcat-valve,examples -am)");
        }
        return path;
    }

    /** A fresh directory for one test under target/it-work, kept after the run for diagnosis. */
    static Path freshDir(String name) throws IOException {
        String base = System.getProperty("corral.it.workDir", "target/it-work");
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss-SSS"));
        return Files.createDirectories(Path.of(base).toAbsolutePath().resolve(name + "-" + stamp));
    }

    /** A short directory for Corral's sockets (a socket path must stay under ~100 bytes). */
    static Path shortRunDir() throws IOException {
        return Files.createTempDirectory(Path.of("/tmp"), "crl-it-");
    }

    /** Where {@link #freePort} starts looking: a random place, so that test JVMs run side by side rarely meet. */
    private static final AtomicInteger NEXT_PORT = new AtomicInteger(ThreadLocalRandom.current().nextInt(1 << 16));

    /**
     * A TCP port free on the loopback interface right now, below the kernel's ephemeral range
     * ({@code ip_local_port_range}): a port the kernel hands out itself (bind to 0) can be taken
     * by any outgoing connection of the machine in the seconds before the container that is
     * given it binds it (seen in CI: Tomcat's "Address already in use"); below that range only a
     * process that asks for the very port can. At most 200 tries, then the kernel's choice.
     */
    static int freePort() throws IOException {
        int low = 10_000;
        int high = ephemeralLow() - 1;
        for (int i = 0; i < 200 && high > low; i++) {
            int port = low + Math.floorMod(NEXT_PORT.getAndIncrement(), high - low + 1);
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (IOException taken) {
                // in use: the next one
            }
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    /** The lowest port of the kernel's ephemeral range (32768 where it cannot be read). */
    private static int ephemeralLow() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    /** The JVM running the tests, used to start the containers too. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String javaHome() {
        return System.getProperty("java.home");
    }

    /** GET http://127.0.0.1:port/path over HTTP/1.1, with a bounded wait. */
    static HttpResponse<String> get(int port, String path, Duration timeout) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(timeout)
                .GET()
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return get(port, path, Duration.ofSeconds(20));
    }

    static String describe(HttpResponse<String> response) {
        return response.statusCode() + " " + response.headers().map() + "\n" + abbreviate(response.body(), 2000);
    }

    static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "...";
    }

    /**
     * Polls {@code condition} every 200 ms (exceptions count as "not yet") until it holds;
     * otherwise fails with {@code what} and the diagnosis (e.g. the container's log).
     */
    static void await(String what, Duration atMost, Callable<Boolean> condition, Supplier<String> diagnosis) {
        try {
            Awaitility.await(what)
                    .atMost(atMost)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(condition);
        } catch (ConditionTimeoutException e) {
            fail("Timed out after " + atMost.toSeconds() + " s waiting for: " + what + diagnosis.get(), e);
        }
    }

    static String list(Collection<ProcEntry> entries) {
        return entries.isEmpty() ? "(none)" : entries.stream().map(e -> "  " + e).collect(Collectors.joining("\n", "\n", ""));
    }

    /** Copies a directory tree (files keep their permissions). */
    static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Deletes a directory tree, best effort. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }

    /** Lines of {@code text} that contain {@code needle}. */
    static List<String> linesWith(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).toList();
    }
}
