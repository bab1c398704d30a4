package dev.corral.pool.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * Finds client TCP connections that the client has closed, without touching the sockets:
 * Linux lists every TCP socket with its state in {@code /proc/net/tcp} and {@code tcp6}, and a
 * connection whose peer sent FIN is in CLOSE_WAIT until the server closes it.
 *
 * <p>Why: neither Jetty nor Tomcat reads from a connection whose request is being handled, so
 * a client that gives up while its request waits in Corral's queue would be noticed only when
 * the response is written. Reading the socket ourselves would compete with the container for
 * its bytes; the kernel's table costs one file read per probe for all queued requests.
 *
 * <p>Stateless and thread-safe. Where {@code /proc/net/tcp} does not exist the probe finds
 * nothing, and queued requests of departed clients wait for their timeout as before.
 */
final class ClientProbe {
    private static final Path[] TABLES = {Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")};
    /** Socket states (include/net/tcp_states.h) meaning the peer has closed or reset. */
    private static final Set<String> CLIENT_CLOSED = Set.of("08" /* CLOSE_WAIT */, "07" /* CLOSE */, "09" /* LAST_ACK */);

    /** One connection as the server sees it. */
    record Connection(int serverPort, InetAddress clientAddress, int clientPort) {
        /** The key of a client's connection, or null if either end is not a TCP socket address. */
        static Connection of(SocketAddress server, SocketAddress client) {
            if (server instanceof InetSocketAddress s && client instanceof InetSocketAddress c && c.getAddress() != null) {
                return new Connection(s.getPort(), c.getAddress(), c.getPort());
            }
            return null;
        }
    }

    private ClientProbe() {
    }

    static boolean available() {
        return Files.isReadable(TABLES[0]);
    }

    /** The connections whose client has closed or reset them. */
    static Set<Connection> closedByClient() throws IOException {
        Set<Connection> closed = new HashSet<>();
        for (Path table : TABLES) {
            if (!Files.isReadable(table)) {
                continue;
            }
            try (BufferedReader reader = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
                reader.readLine(); // header
                String line;
                while ((line = reader.readLine()) != null) {
                    Connection connection = parseClosed(line);
                    if (connection != null) {
                        closed.add(connection);
                    }
                }
            }
        }
        return closed;
    }

    /** A table line's connection if its state says the client closed it, else null. */
    static Connection parseClosed(String line) {
        // most lines are not closed by their client (a busy host lists tens of thousands in
        // TIME_WAIT): look at the state field alone before splitting the line
        String state = field(line, 3);
        if (state == null || !CLIENT_CLOSED.contains(state)) {
            return null;
        }
        String[] fields = line.trim().split("\\s+");
        try {
            int localColon = fields[1].indexOf(':');
            int remoteColon = fields[2].indexOf(':');
            int serverPort = Integer.parseInt(fields[1].substring(localColon + 1), 16);
            int clientPort = Integer.parseInt(fields[2].substring(remoteColon + 1), 16);
            InetAddress client = address(fields[2].substring(0, remoteColon));
            return new Connection(serverPort, client, clientPort);
        } catch (RuntimeException | UnknownHostException e) {
            return null;
        }
    }

    /** The index-th whitespace-separated field of a line (0-based), or null. */
    static String field(String line, int index) {
        int i = 0;
        int n = line.length();
        for (int f = 0; ; f++) {
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
            int start = i;
            while (i < n && line.charAt(i) != ' ') {
                i++;
            }
            if (start == i) {
                return null;
            }
            if (f == index) {
                return line.substring(start, i);
            }
        }
    }

    /**
     * The kernel prints addresses as 32-bit words in host (little-endian) byte order. An
     * IPv4-mapped IPv6 address comes back as the plain IPv4 address, as Java reports it.
     */
    static InetAddress address(String hex) throws UnknownHostException {
        byte[] words = HexFormat.of().parseHex(hex);
        byte[] bytes = new byte[words.length];
        for (int word = 0; word < words.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                bytes[word + i] = words[word + 3 - i];
            }
        }
        return InetAddress.getByAddress(bytes);
    }
}
