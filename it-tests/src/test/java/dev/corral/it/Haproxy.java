package dev.corral.it;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real HAProxy (Debian's package) started by a test on loopback, with its runtime API on a
 * Unix socket to read what it thinks of each server (HAProxy's own view: status and weight).
 * Not thread-safe: one test thread uses it.
 */
final class Haproxy implements AutoCloseable {
    private final ExternalProcess process;
    private final int port;
    private final Path socket;

    private Haproxy(ExternalProcess process, int port, Path socket) {
        this.process = process;
        this.port = port;
        this.socket = socket;
    }

    /** The haproxy binary on the PATH or in /usr/sbin, or null. */
    static String binary() {
        String path = System.getenv().getOrDefault("PATH", "") + java.io.File.pathSeparator + "/usr/sbin"
                + java.io.File.pathSeparator + "/usr/local/sbin";
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "haproxy");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    /**
     * The README's fleet configuration on loopback: the runtime API's socket at {@code socket},
     * the frontend on {@code 127.0.0.1:port}, and each server of {@code servers} (name to
     * {HTTP port, agent port}) at 127.0.0.1. Fails if the block no longer has what is replaced.
     */
    static String fromReadme(String block, Path socket, int port, Map<String, int[]> servers) {
        String config = replaceOnce(block, "/run/haproxy/admin.sock", socket.toString());
        config = replaceOnce(config, "bind :80", "bind 127.0.0.1:" + port);
        int n = 0;
        for (String line : block.lines().toList()) {
            String[] words = line.strip().split("\\s+");
            if (words.length == 3 && words[0].equals("server")) {
                int[] ports = servers.get(words[1]);
                if (ports == null) {
                    fail("README's haproxy-fleet block has a server " + words[1] + " the test does not know: " + servers.keySet());
                }
                config = replaceOnce(config, line.strip(), "server " + words[1] + " 127.0.0.1:" + ports[0]
                        + " agent-port " + ports[1]);
                n++;
            }
        }
        assertEquals(servers.size(), n, "servers in README's haproxy-fleet block:\n" + block);
        return config;
    }

    private static String replaceOnce(String text, String what, String with) {
        int at = text.indexOf(what);
        if (at < 0 || text.indexOf(what, at + 1) >= 0) {
            fail("README's haproxy-fleet block must have [" + what + "] once:\n" + text);
        }
        return text.substring(0, at) + with + text.substring(at + what.length());
    }

    /** Checks the configuration ({@code haproxy -c}), then starts HAProxy in the foreground on it. */
    static Haproxy start(String binary, Path dir, String config) throws Exception {
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, config);
        Process check = new ProcessBuilder(binary, "-c", "-f", file.toString()).redirectErrorStream(true).start();
        String checked = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(30, TimeUnit.SECONDS), "haproxy -c did not finish");
        assertEquals(0, check.exitValue(), () -> "haproxy -c rejects the README's configuration:\n" + checked + "\n" + config);
        int port = Integer.parseInt(config.replaceAll("(?s).*bind 127\\.0\\.0\\.1:(\\d+).*", "$1"));
        Path socket = Path.of(config.replaceAll("(?s).*stats socket (\\S+).*", "$1"));
        ExternalProcess process = ExternalProcess.start("haproxy",
                new ProcessBuilder(binary, "-db", "-f", file.toString()).directory(dir.toFile()), dir.resolve("haproxy.log"));
        Haproxy haproxy = new Haproxy(process, port, socket);
        It.await("HAProxy's runtime API", Duration.ofSeconds(20), () -> {
            assertTrue(process.process().isAlive(), "haproxy exited");
            return haproxy.command("show info").contains("Name: HAProxy");
        }, haproxy::logTail);
        return haproxy;
    }

    int port() {
        return port;
    }

    /** HAProxy's view of one server. */
    record ServerState(String status, int weight) {
    }

    /** The server's status ({@code UP}, {@code DOWN}, {@code DRAIN}, ...) and effective weight, from {@code show stat}. */
    ServerState server(String backend, String server) throws IOException {
        List<String> lines = command("show stat").lines().toList();
        if (lines.isEmpty() || !lines.get(0).startsWith("# ")) {
            throw new IOException("unexpected show stat: " + lines);
        }
        List<String> header = Arrays.asList(lines.get(0).substring(2).split(","));
        int status = header.indexOf("status");
        int weight = header.indexOf("weight");
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",", -1);
            if (fields.length > Math.max(status, weight) && fields[0].equals(backend) && fields[1].equals(server)) {
                return new ServerState(fields[status], Integer.parseInt(fields[weight]));
            }
        }
        throw new IOException("no server " + backend + "/" + server + " in show stat");
    }

    String serverOrError(String backend, String server) {
        try {
            return server(backend, server).toString();
        } catch (IOException | RuntimeException e) {
            return e.toString();
        }
    }

    /** One command on the runtime API, its whole answer. */
    String command(String command) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            StringBuilder answer = new StringBuilder();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            for (int reads = 0; reads < 1000 && channel.read(buffer) >= 0; reads++) {
                buffer.flip();
                answer.append(StandardCharsets.US_ASCII.decode(buffer));
                buffer.clear();
            }
            return answer.toString();
        }
    }

    String logTail() {
        return process.logTail();
    }

    @Override
    public void close() {
        process.close();
    }
}
