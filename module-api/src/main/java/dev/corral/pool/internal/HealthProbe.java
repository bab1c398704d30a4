package dev.corral.pool.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One health check of one process: a connect to its socket, and, when {@code healthPath} is set,
 * a {@code GET} whose status must be 2xx or 3xx, all within {@code healthTimeout}. Runs on a
 * blocking-executor thread. Stateless and thread-safe.
 */
final class HealthProbe {
    private HealthProbe() {
    }

    /** The check's verdict: null when healthy, else why not. */
    static String check(AppProcess process, String healthPath, Duration timeout, java.util.function.LongSupplier clock) {
        long deadline = clock.getAsLong() + timeout.toNanos();
        try (SocketChannel channel = SocketChannel.open(process.socket != null
                ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET);
             Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_CONNECT);
            if (!channel.connect(process.socketAddress()) && !await(selector, deadline, clock, channel::finishConnect)) {
                return "timeout " + dev.corral.config.Durations.format(timeout) + " connecting";
            }
            if (healthPath == null) {
                return null;
            }
            ByteBuffer request = ByteBuffer.wrap(("GET " + healthPath + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "User-Agent: corral-health-check\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            channel.register(selector, SelectionKey.OP_WRITE);
            while (request.hasRemaining()) {
                if (!await(selector, deadline, clock, () -> true)) {
                    return "timeout " + dev.corral.config.Durations.format(timeout) + " writing the check";
                }
                channel.write(request);
            }
            ByteBuffer response = ByteBuffer.allocate(64);
            channel.register(selector, SelectionKey.OP_READ);
            while (response.position() < 12) {
                if (!await(selector, deadline, clock, () -> true)) {
                    return "timeout " + dev.corral.config.Durations.format(timeout) + " waiting for " + healthPath;
                }
                if (channel.read(response) < 0) {
                    return "connection closed before a status line for " + healthPath;
                }
            }
            String status = new String(response.array(), 0, response.position(), StandardCharsets.ISO_8859_1);
            if (!status.startsWith("HTTP/1.")) {
                return "not an HTTP answer to " + healthPath;
            }
            char first = status.charAt(9);
            return first == '2' || first == '3' ? null : "status " + status.substring(9, 12) + " for " + healthPath;
        } catch (IOException e) {
            return e.getMessage() == null ? e.toString() : e.getMessage();
        }
    }

    private interface Ready {
        boolean done() throws IOException;
    }

    /** Waits for the registered operation, then asks {@code ready}; false on timeout. */
    private static boolean await(Selector selector, long deadline, java.util.function.LongSupplier clock, Ready ready)
            throws IOException {
        while (true) {
            long left = (deadline - clock.getAsLong()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            if (selector.select(left) > 0) {
                selector.selectedKeys().clear();
                if (ready.done()) {
                    return true;
                }
            }
        }
    }
}
